import { skip } from 'rxjs';
import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { assistantSpeaking } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, reconnecting, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('assistantSpeaking (%s)', (dialect) => {
  const base = legend(dialect);
  const L = {
    ...base,
    // resp_2 with audio too, for overlapping responses
    b: { ...base.a!, event_id: 'event_b', response_id: 'resp_2', item_id: 'item_2' } as ServerMessage,
    g: { ...base.x!, event_id: 'event_g', response_id: 'resp_2', item_id: 'item_2' } as ServerMessage,
    r: reconnecting as never as ServerMessage,
  };
  const F = { f: false, t: true };
  const boom = new Error('boom');

  it('is true from the first audio delta to audio done', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-c-p-a-a-t-x-q-d-|', L);
      expectObservable(source.pipe(assistantSpeaking())).toBe('f----t-----f-----|', F);
      expectSubscriptions(source.subscriptions).toBe('^----------------!');
    });
  });

  it('turns false at response.done when the audio never finished (barge-in)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-c-a-v-d-|', L);
      expectObservable(source.pipe(assistantSpeaking())).toBe('f--t---f-|', F);
    });
  });

  it('gives false at subscription on a source that never emits, and completes after it on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(assistantSpeaking())).toBe('f', F);
      expectObservable(empty.pipe(assistantSpeaking())).toBe('(f|)', F);
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('turns true at one audio delta, and stays true when its done never comes', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-|', L).pipe(assistantSpeaking())).toBe('ft-|', F);
    });
  });

  it('stays true while any of two interleaved responses sends audio', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-C-a-b-x-a-g-d-D-|', L).pipe(assistantSpeaking())).toBe(
        'f----t---------f---|',
        F,
      );
    });
  });

  it('follows many responses: true, false, true again', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-x-d-b-D-|', L).pipe(assistantSpeaking())).toBe('ft-f---t-f-|', F);
    });
  });

  it('does not change for a text response, a server error mid-response, decode failures or unknown events', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-C-T-D-a-z-k-n-x-|', L).pipe(assistantSpeaking())).toBe('f------t-------f-|', F);
    });
  });

  it('errors with the source and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-#', L, boom);
      expectObservable(source.pipe(assistantSpeaking())).toBe('ft-#', F, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a---x-|', L);
      expectObservable(source.pipe(assistantSpeaking()), '^--!').toBe('ft--', F);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('unsubscribes the source when a downstream callback throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-x-|', L);
      expectObservable(source.pipe(assistantSpeaking(), skip(1), throwing(boom))).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  // a regression test: a response cut by a dropped socket never gets its response.done, so the operator ends it at
  // session()'s `reconnecting` state, as the other operators that hold per-socket state do
  it('turns false when the session reconnects mid-audio, and follows the responses after it', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-a-r-C-b-g-D-|', L).pipe(assistantSpeaking())).toBe('f--t-f---t-f---|', F);
    });
  });
});
