import { first, mergeMap, Subject, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { IncompleteStreamError, splitContentParts, splitItems, splitResponses } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

describe.each(DIALECTS)('splitResponses keeps a subscribed inner stream alive (%s)', (dialect) => {
  const L = legend(dialect);

  it('take(1): the response it handed over runs to its response.done, then the source is unsubscribed', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  --c-a-C-t-d-D--|', L);
      expectObservable(
        source.pipe(
          splitResponses(),
          take(1),
          mergeMap((r) => r),
        ),
      ).toBe('--c-a---t-(d|)', L);
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
  });

  it('first(): the inner stream errors with IncompleteStreamError when the source errors while it is kept alive', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const boom = new Error('socket closed 1006');
      const source = hot('  --c-a-#', L, boom);
      expectObservable(
        source.pipe(
          splitResponses(),
          first(),
          mergeMap((r) => r),
        ),
      ).toBe(
        '--c-a-#',
        L,
        new IncompleteStreamError('response', 'resp_1', 'source errored: Error: socket closed 1006', {
          cause: boom,
        }),
      );
    });
  });

  it('an inner stream nobody subscribed to errors with "unsubscribed" when the outer leaves', () => {
    const source = new Subject<ServerMessage>();
    const errors: string[] = [];
    let second: import('rxjs').Observable<ServerMessage> | undefined;
    const sub = source.pipe(splitResponses()).subscribe((r) => {
      if (r.responseId === 'resp_2') second = r;
    });
    source.next(L.c!);
    source.next(L.C!);
    sub.unsubscribe();
    second!.subscribe({ error: (e: Error) => errors.push(e.message) });
    expect(errors).toEqual(['response resp_2 ended before its done event: unsubscribed']);
    expect(source.observed).toBe(false);
  });

  it('unsubscribing the last kept-alive inner stream unsubscribes the source', () => {
    const source = new Subject<ServerMessage>();
    const seen: string[] = [];
    let inner: import('rxjs').Subscription | undefined;
    source
      .pipe(splitResponses(), take(1))
      .subscribe((r) => (inner = r.subscribe((e) => seen.push(String(e.type)))));
    source.next(L.c!);
    expect(source.observed).toBe(true);
    source.next(L.a!);
    inner!.unsubscribe();
    expect(source.observed).toBe(false);
    expect(seen).toHaveLength(2);
  });

  it('splitItems and splitContentParts keep a subscribed inner stream alive too', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -o-p-a-q-e-|', L);
      expectObservable(
        source.pipe(
          splitItems(),
          take(1),
          mergeMap((i) => i),
        ),
      ).toBe('-o-p-a-q-(e|)', L);
      const parts = hot('   -p-a-t-q-|', L);
      expectObservable(
        parts.pipe(
          splitContentParts(),
          first(),
          mergeMap((p) => p),
        ),
      ).toBe('-p-a-t-(q|)', L);
      expectSubscriptions(source.subscriptions).toBe('^--------!');
      expectSubscriptions(parts.subscriptions).toBe('^------!');
    });
  });
});

describe('splitResponses with a synchronous source', () => {
  const L = legend('ga');
  it('take(1) on a synchronous source still delivers the whole first response', async () => {
    const { of, toArray, lastValueFrom } = await import('rxjs');
    const events = await lastValueFrom(
      of(L.c!, L.C!, L.a!, L.d!, L.D!).pipe(
        splitResponses(),
        take(1),
        mergeMap((r) => r),
        toArray(),
      ),
    );
    expect(events.map((e) => (e as { event_id: string }).event_id)).toEqual([
      'event_c',
      'event_a',
      'event_d',
    ]);
  });
});
