import { Subject, type Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { ofType } from '../../src/operators';
import type { ServerEvents, ServerMessage } from '../../src/protocol';
import { DIALECTS, reconnecting, testScheduler, throwing } from './helpers';

describe('ofType', () => {
  it('narrows to the codec type', () => {
    const source = new Subject<ServerMessage>();
    const done = source.pipe(ofType('response.done'));
    expectTypeOf(done).toEqualTypeOf<Observable<ServerEvents.ResponseDone>>();
    const both = source.pipe(ofType('response.audio.delta', 'response.output_audio.delta'));
    expectTypeOf(both).toEqualTypeOf<
      Observable<ServerEvents.ResponseAudioDelta | ServerEvents.ResponseOutputAudioDelta>
    >();
  });

  it('passes only the named types', () => {
    const L = legend('ga');
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-k-n-d-z-|', L).pipe(ofType('response.done', 'error'))).toBe('-------d-z-|', L);
    });
  });
});

describe.each(DIALECTS)('ofType (%s)', (dialect) => {
  const L = { ...legend(dialect), r: reconnecting as never as ServerMessage };
  const boom = new Error('boom');

  it('emits nothing on a source that never emits, and completes on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(ofType('response.done'))).toBe('-');
      expectObservable(empty.pipe(ofType('response.done'))).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('passes one event of the type, and many, of interleaved responses, in arrival order', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-c-C-a-D-d-|', L);
      expectObservable(source.pipe(ofType('response.created'))).toBe('-c-C-------|', L);
      expectObservable(source.pipe(ofType('response.done'))).toBe('-------D-d-|', L);
      expectSubscriptions(source.subscriptions).toBe(['^----------!', '^----------!']);
    });
  });

  it('passes a wire name of one dialect only on that dialect; both names pass on both', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-t-a-|', L);
      expectObservable(source.pipe(ofType('response.audio.delta'))).toBe(
        dialect === 'preview' ? '-a---a-|' : '-------|',
        L,
      );
      expectObservable(source.pipe(ofType('response.audio.delta', 'response.output_audio.delta'))).toBe(
        '-a---a-|',
        L,
      );
    });
  });

  it('never passes decode failures, unknown events or session() state values, and a server error only when asked', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-k-n-r-z-|', L);
      expectObservable(source.pipe(ofType('response.done'))).toBe('---------|');
      expectObservable(source.pipe(ofType('error'))).toBe('-------z-|', L);
    });
  });

  it('errors with the source and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-d-#', L, boom);
      expectObservable(source.pipe(ofType('response.done'))).toBe('-d-#', L, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-d----D-|', L);
      expectObservable(source.pipe(ofType('response.done')), '^---!').toBe('-d---', L);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('unsubscribes the source when a downstream callback throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-c-d-D-|', L);
      expectObservable(source.pipe(ofType('response.done'), throwing(boom))).toBe('---#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
