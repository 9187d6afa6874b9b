import { skip } from 'rxjs';
import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { userSpeech } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('userSpeech (%s)', (dialect) => {
  const base = legend(dialect);
  const L = {
    ...base,
    // a second turn: item_u2, 4000 ms → 5200 ms
    j: { ...base.v!, event_id: 'event_j', item_id: 'item_u2', audio_start_ms: 4000 } as ServerMessage,
    l: { ...base.w!, event_id: 'event_l', item_id: 'item_u2', audio_end_ms: 5200 } as ServerMessage,
  };
  const s = { speaking: false, itemId: undefined, audioMs: undefined };
  const t = { speaking: true, itemId: 'item_u', audioMs: 500 };
  const f = { speaking: false, itemId: 'item_u', audioMs: 2100 };
  const boom = new Error('boom');

  it('carries the item id and the audio position', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-w-|', L);
      expectObservable(source.pipe(userSpeech())).toBe('st-f-|', { s, t, f });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('gives the initial state on a source that never emits, and completes after it on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(userSpeech())).toBe('s', { s });
      expectObservable(empty.pipe(userSpeech())).toBe('(s|)', { s });
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('gives one change for one speech_started', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-v-|', L).pipe(userSpeech())).toBe('st-|', { s, t });
    });
  });

  it('gives each turn its own item and positions, keeping the first of repeated events', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-v-j-w-c-j-l-w-|', L).pipe(userSpeech())).toBe('st---f---g-h---|', {
        s,
        t,
        f,
        g: { speaking: true, itemId: 'item_u2', audioMs: 4000 },
        h: { speaking: false, itemId: 'item_u2', audioMs: 5200 },
      });
    });
  });

  it('errors with the source and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-#', L, boom);
      expectObservable(source.pipe(userSpeech())).toBe('st-#', { s, t }, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-z-n-w-|', L);
      expectObservable(source.pipe(userSpeech()), '^----!').toBe('st----', { s, t });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribes the source when a downstream callback throws, and never subscribes it when the first value throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-w-|', L);
      expectObservable(source.pipe(userSpeech(), skip(1), throwing(boom))).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
      // the initial value comes before the source is subscribed (startWith)
      const unseen = hot('-v-w-|', L);
      expectObservable(unseen.pipe(userSpeech(), throwing(boom))).toBe('#', undefined, boom);
      expectSubscriptions(unseen.subscriptions).toBe([]);
    });
  });
});
