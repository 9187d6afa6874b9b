import { skip } from 'rxjs';
import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { userSpeaking } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, reconnecting, testScheduler, throwing } from './helpers';

// The VAD events have one name in both dialects (protocol README §5); each case runs on both legends.
describe.each(DIALECTS)('userSpeaking (%s)', (dialect) => {
  const L = legend(dialect);
  const F = { f: false, t: true };
  const boom = new Error('boom');

  it('starts false and follows speech_started / speech_stopped, distinct', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-v-a-w-w-|', L);
      expectObservable(source.pipe(userSpeaking())).toBe('ft-----f---|', F);
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('gives false at subscription on a source that never emits, and completes after it on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(userSpeaking())).toBe('f', F);
      expectObservable(empty.pipe(userSpeaking())).toBe('(f|)', F);
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  // session()'s `reconnecting` state: the new socket's VAD will never stop the speech the old one started
  it('turns false when the session reconnects mid-speech, and follows the VAD of the next socket', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-v--r-r-v-w-|', { ...L, r: reconnecting as never as ServerMessage });
      expectObservable(source.pipe(userSpeaking())).toBe('ft--f---t-f-|', F);
    });
  });

  it('turns true at one speech_started', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-v-|', L).pipe(userSpeaking())).toBe('ft-|', F);
    });
  });

  it('follows many turns, through the events of responses in between', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-v-w-c-a-v-C-w-d-D-|', L).pipe(userSpeaking())).toBe('ft-f-----t---f-----|', F);
    });
  });

  it('ignores a speech_stopped before any speech_started (it is already false)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-w-v-|', L).pipe(userSpeaking())).toBe('f--t-|', F);
    });
  });

  it('passes decode failures, unknown events and server errors by without a change', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-v-k-n-z-w-|', L).pipe(userSpeaking())).toBe('ft-------f-|', F);
    });
  });

  it('errors with the source and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-#', L, boom);
      expectObservable(source.pipe(userSpeaking())).toBe('ft-#', F, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v---w-|', L);
      expectObservable(source.pipe(userSpeaking()), '^--!').toBe('ft--', F);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('unsubscribes the source when a downstream callback throws, and never subscribes it when the first value throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-w-|', L);
      expectObservable(source.pipe(userSpeaking(), skip(1), throwing(boom))).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
      // the initial value comes before the source is subscribed (startWith)
      const unseen = hot('-v-w-|', L);
      expectObservable(unseen.pipe(userSpeaking(), throwing(boom))).toBe('#', undefined, boom);
      expectSubscriptions(unseen.subscriptions).toBe([]);
    });
  });
});
