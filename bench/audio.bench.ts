// The upload path (WAV bytes → 24 kHz PCM16 → 100 ms chunks → base64 → append frames) against plain
// Buffer.toString('base64') of the same PCM.
import { readFileSync } from 'node:fs';
import { audioAppends } from '../src/operators/audioAppends';
import { toPcm16Mono24k } from '../src/audio/wav';
import { encodeClientEvent } from '../src/protocol';
import { compare, type Comparison } from './harness';

export async function benchUpload(): Promise<Comparison[]> {
  const wav = new Uint8Array(readFileSync(new URL('../test/fixtures/audio/hello.wav', import.meta.url)));
  const pcm = toPcm16Mono24k(wav);
  return [
    compare(
      'upload: 24 kHz WAV → append frames vs Buffer.toString("base64")',
      () => {
        // what a user's pipeline does: the WAV through audioAppends (fast pace) and each event through the encoder
        // Buffer.byteLength flattens the frame as ws.send does (a template string may stay a rope until then).
        audioAppends(toPcm16Mono24k(wav), { pace: 'fast' }).subscribe((event) =>
          Buffer.byteLength(encodeClientEvent(event)),
        );
      },
      () => {
        Buffer.byteLength(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64'));
      },
      { unit: 'files', minMs: 300 },
    ),
  ];
}
