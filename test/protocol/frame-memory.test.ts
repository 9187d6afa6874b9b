// What a connection's decoder keeps alive between frames: its envelopes, a few hundred bytes each, and never the
// 6.4 kB of base64 of the delta an envelope was learnt from (a service holds hundreds of connections' decoders).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { frameDecoder, takeDecodedAudio } from '../../src/protocol';

const audio = Buffer.alloc(4800, 7).toString('base64'); // 100 ms of 24 kHz PCM16
const frame = (id: number) =>
  Buffer.from(
    `{"type":"response.output_audio.delta","event_id":"event_${id}","response_id":"resp_1","item_id":"item_1",` +
      `"output_index":0,"content_index":0,"delta":"${audio}"}`,
  );

describe('a frameDecoder over a long life', () => {
  it('keeps under 3 kB a connection after its audio deltas, not the base64 it learnt its envelope from', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const decoders: ReturnType<typeof frameDecoder>[] = [];
    const decodeTwo = (decode: ReturnType<typeof frameDecoder>) => {
      for (const id of [1, 2]) {
        const r = decode(frame(id));
        if (r._tag !== 'Right') throw new Error('not decoded');
        expect(takeDecodedAudio(r.right)?.byteLength).toBe(4800); // the second one from the kept envelope
      }
    };
    for (let i = 0; i < 50; i++) decodeTwo(frameDecoder('ga')); // warm up
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2000; i++) {
      const decode = frameDecoder('ga');
      decodeTwo(decode);
      decoders.push(decode);
    }
    gc();
    const perDecoder = (process.memoryUsage().heapUsed - before) / decoders.length;
    expect(perDecoder).toBeLessThan(3 * 1024);
  });
});
