import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { audioDecodeFailure, audioDeltas, isAudioDecodeFailure } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

describe.each(DIALECTS)('audioDeltas (%s)', (dialect) => {
  const L = legend(dialect);
  const bad = { ...L.a!, event_id: 'event_bad', delta: 'AA!C' } as ServerMessage;
  const bytes = new Uint8Array([0, 1, 2]);

  it('decodes base64 into bytes, one chunk per audio delta, ignoring the rest', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-t-a-k-n-z-T-|', L);
      expectObservable(source.pipe(audioDeltas())).toBe('-x---y---------|', { x: bytes, y: bytes });
      expectSubscriptions(source.subscriptions).toBe('^--------------!');
    });
  });

  it('turns a delta whose base64 is corrupt into a failure value, and the other deltas go on', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-t-b-a-|', { ...L, b: bad });
      expectObservable(source.pipe(audioDeltas())).toBe('-x---f-y-|', {
        x: bytes,
        f: audioDecodeFailure(
          bad as never,
          new RangeError('invalid base64: unexpected character "!" at position 2'),
        ),
        y: bytes,
      });
    });
  });

  it('gives the failure as an empty chunk that says which delta and why, recognised by isAudioDecodeFailure', async () => {
    const out = await lastValueFrom(from([L.a!, bad, L.a!]).pipe(audioDeltas(), toArray()));
    expect(out.map((c) => c.byteLength)).toEqual([3, 0, 3]);
    expect(out.map(isAudioDecodeFailure)).toEqual([false, true, false]);
    const failure = out[1]!;
    if (!isAudioDecodeFailure(failure)) throw new Error('not a failure');
    expect(failure).toBeInstanceOf(Uint8Array);
    expect({ ...failure }).toMatchObject({
      type: 'rx-realtime.audio_decode_failure',
      message: 'invalid base64: unexpected character "!" at position 2',
      eventId: 'event_bad',
      responseId: 'resp_1',
      itemId: 'item_1',
      contentIndex: 0,
    });
    expect(isAudioDecodeFailure(new Uint8Array(0))).toBe(false);
    expect(isAudioDecodeFailure(undefined)).toBe(false);
  });

  it('completes, errors and never ends with the source', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const boom = new Error('boom');
      expectObservable(hot('-a-#', L, boom).pipe(audioDeltas())).toBe('-x-#', { x: bytes }, boom);
      expectObservable(cold<ServerMessage>('|').pipe(audioDeltas())).toBe('|');
      const never = hot<ServerMessage>('-a-----', L);
      expectObservable(never.pipe(audioDeltas()), '^--!').toBe('-x--', { x: bytes });
      expectSubscriptions(never.subscriptions).toBe('^--!');
    });
  });
});
