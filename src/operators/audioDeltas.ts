import type { OperatorFunction } from 'rxjs';
import { takeDecodedAudio, type ServerMessage } from '../protocol';
import { base64ToBytes } from '../audio/base64';
import { deltasOf } from './deltas';

/**
 * The assistant's audio, decoded: one `Uint8Array` of PCM16 (or G.711, as the session's output format says) per
 * `response.audio.delta` (preview) / `response.output_audio.delta` (GA).
 *
 * It's like `map(e => Buffer.from(e.delta, 'base64'))` on the audio deltas, but it works on both dialects and a
 * delta that is not valid base64 errors the stream with a `RangeError` naming the position, instead of being
 * silently truncated.
 *
 * ```text
 * source:  --a--t--a--|     a = audio delta (base64), t = transcript delta (ignored)
 * output:  --x-----y--|     x, y = Uint8Array
 * ```
 *
 * Completes and errors with the source.
 *
 * @example
 * ```ts
 * import { audioDeltas } from 'rx-realtime';
 * server$.pipe(audioDeltas()).subscribe((pcm) => speaker.write(pcm));
 * ```
 */
export function audioDeltas(): OperatorFunction<ServerMessage, Uint8Array> {
  // the delta connect() decoded last from the socket's bytes has its audio decoded already (handed over once);
  // others are decoded here
  return deltasOf('audioDelta', (e) => takeDecodedAudio(e) ?? base64ToBytes(e.delta));
}
