// audioDeltas and collectAudio on a real socket: a small ws server of the test's own on 127.0.0.1 sends audio
// deltas, one of them with corrupt base64, through connect()'s frame decoder (whose fast path decodes audio from
// the frame's bytes), then closes with 1000. The audio pipeline must not die at the corrupt delta.
import { Subject, forkJoin, lastValueFrom, share, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { connect } from '../../src/client';
import { audioDeltas, collectAudio, isAudioDecodeFailure } from '../../src/operators';
import { wsServer } from '../client/servers';
import { DIALECTS } from './helpers';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Serves these frames to each connection, then closes it with 1000. */
async function serve(frames: readonly string[]): Promise<string> {
  const server = await wsServer((socket) => {
    for (const f of frames) socket.send(f);
    socket.close(1000);
  });
  closers.push(() => server.close());
  return `ws://127.0.0.1:${server.port}/openai/realtime?api-version=2025-04-01-preview&deployment=x`;
}

describe.each(DIALECTS)('a corrupt audio delta on a real socket (%s)', (dialect) => {
  const L = legend(dialect);
  const good = Buffer.from(new Uint8Array(4800).fill(7)).toString('base64'); // 100 ms
  const delta = (id: string, b64: string) => JSON.stringify({ ...L.a!, event_id: id, delta: b64 });

  it('is an AudioDecodeFailure chunk between the good ones, and collectAudio keeps the rest of the part', async () => {
    const url = await serve([
      JSON.stringify({ type: 'session.created', event_id: 'event_s', session: { id: 'sess_1' } }),
      JSON.stringify(L.c),
      JSON.stringify(L.p),
      delta('event_1', good),
      delta('event_2', good.slice(0, 100) + '!' + good.slice(101)),
      delta('event_3', good),
      JSON.stringify(L.q),
      JSON.stringify(L.d),
    ]);
    const server$ = connect({ url, apiKey: 'k', dialect, pingIntervalMs: 0 })(new Subject()).pipe(share());
    const [chunks, parts] = await lastValueFrom(
      forkJoin([server$.pipe(audioDeltas(), toArray()), server$.pipe(collectAudio(), toArray())]),
    );
    expect(chunks.map((c) => c.byteLength)).toEqual([4800, 0, 4800]);
    expect(chunks.map(isAudioDecodeFailure)).toEqual([false, true, false]);
    const failure = chunks[1]!;
    if (!isAudioDecodeFailure(failure)) throw new Error('expected a failure');
    expect(failure.message).toBe('invalid base64: unexpected character "!" at position 100');
    expect(failure.eventId).toBe('event_2');
    expect(parts).toHaveLength(1);
    expect(parts[0]!.audio.byteLength).toBe(9600);
    expect(parts[0]!.status).toBe('completed');
    expect(parts[0]!.failures?.map((f) => f.eventId)).toEqual(['event_2']);
  });
});
