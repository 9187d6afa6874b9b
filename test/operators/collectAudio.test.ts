import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { audioDecodeFailure, collectAudio, IncompleteStreamError } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

describe.each(DIALECTS)('collectAudio (%s)', (dialect) => {
  const base = legend(dialect);
  const done = (status: string, details: object | null) =>
    ({
      ...base.d!,
      event_id: `event_${status}`,
      response: { ...(base.d as { response: object }).response, status, status_details: details },
    }) as ServerMessage;
  const bad = { ...base.a!, event_id: 'event_bad', delta: 'AA!C' } as ServerMessage;
  const L = {
    ...base,
    g: done('cancelled', { type: 'cancelled', reason: 'turn_detected' }),
    h: done('incomplete', { type: 'incomplete', reason: 'max_output_tokens' }),
    j: done('failed', { type: 'failed', error: { code: 'server_error' } }),
    b: bad,
  };
  const part = (audio: number[], more: object = {}) => ({
    responseId: 'resp_1',
    itemId: 'item_1',
    contentIndex: 0,
    audio: new Uint8Array(audio),
    text: 'Hi there',
    status: 'completed',
    ...more,
  });
  const twice = [0, 1, 2, 0, 1, 2];

  it("gives the joined audio and its transcript at its response's done, with status completed", () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-c-p-a-t-a-u-x-y-q-P-T-Q-e-d-|', L);
      expectObservable(source.pipe(collectAudio())).toBe('---------------------------v-|', {
        v: part(twice),
      });
      expectSubscriptions(source.subscriptions).toBe('^----------------------------!');
    });
  });

  it('says cancelled when the response was cancelled before any audio: the empty part does not look finished', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-o-p-v-q-e-g-|', L).pipe(collectAudio())).toBe('-------------v-|', {
        v: part([], { text: 'Hi there', status: 'cancelled', reason: 'turn_detected' }),
      });
    });
  });

  it('says cancelled for a barge-in mid-audio, incomplete for a cut-off response and failed for a failed one', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-p-a-v-q-g-|', L).pipe(collectAudio())).toBe('-----------v-|', {
        v: part([0, 1, 2], { status: 'cancelled', reason: 'turn_detected' }),
      });
      expectObservable(hot('-c-p-a-q-h-|', L).pipe(collectAudio())).toBe('---------v-|', {
        v: part([0, 1, 2], { status: 'incomplete', reason: 'max_output_tokens' }),
      });
      expectObservable(hot('-c-p-a-q-j-|', L).pipe(collectAudio())).toBe('---------v-|', {
        v: part([0, 1, 2], { status: 'failed' }),
      });
    });
  });

  it('skips a delta whose base64 is corrupt and lists it under failures; the rest of the audio is kept', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-p-a-b-a-q-d-|', L).pipe(collectAudio())).toBe('-----------v-|', {
        v: part(twice, {
          failures: [
            audioDecodeFailure(
              bad as never,
              new RangeError('invalid base64: unexpected character "!" at position 2'),
            ),
          ],
        }),
      });
    });
  });

  it('gives a finished part whose response.done never came as incomplete when the source completes', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-p-a-q-|', L).pipe(collectAudio())).toBe('---------(v|)', {
        v: part([0, 1, 2], { status: 'incomplete' }),
      });
    });
  });

  it('errors with IncompleteStreamError for a part still open at the end, after giving the finished ones', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const second = { ...base.p!, item_id: 'item_3' } as ServerMessage;
      expectObservable(hot('-c-p-a-q-r-|', { ...L, r: second }).pipe(collectAudio())).toBe(
        '-----------(v#)',
        { v: part([0, 1, 2], { status: 'incomplete' }) },
        new IncompleteStreamError('content part', 'item_3:0', 'source completed'),
      );
    });
  });

  it('errors with the source error, unsubscribes early, and ignores text parts, failures and unknown events', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<ServerMessage>('|').pipe(collectAudio())).toBe('|');
      expectObservable(cold<ServerMessage>('-').pipe(collectAudio())).toBe('-');
      const boom = new Error('boom');
      expectObservable(hot('-c-p-a-#', L, boom).pipe(collectAudio())).toBe('-------#', undefined, boom);
      expectObservable(hot('-C-P-T-Q-k-n-z-D-|', L).pipe(collectAudio())).toBe('-----------------|');
      const long = hot('-c-p-a-q-----d-|', L);
      expectObservable(long.pipe(collectAudio()), '^------!').toBe('--------');
      expectSubscriptions(long.subscriptions).toBe('^------!');
    });
  });

  it('keeps interleaved responses apart', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const other = (e: ServerMessage) =>
        ({ ...e, response_id: 'resp_9', item_id: 'item_9' }) as ServerMessage;
      const r9 = {
        ...done('completed', null),
        response: { ...(base.d as { response: object }).response, id: 'resp_9' },
      } as ServerMessage;
      const source = hot('-p-P-a-A-q-Q-D-d-|', {
        ...L,
        P: other(base.p!),
        A: other(base.a!),
        Q: other(base.q!),
        D: r9,
      });
      expectObservable(source.pipe(collectAudio())).toBe('-------------w-v-|', {
        w: { ...part([0, 1, 2]), responseId: 'resp_9', itemId: 'item_9' },
        v: part([0, 1, 2]),
      });
    });
  });
});
