import { first, map, mergeMap, Subject, take, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import {
  collectText,
  IncompleteStreamError,
  splitContentParts,
  splitItems,
  splitResponses,
} from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, reconnecting, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('splitResponses (%s)', (dialect) => {
  const L = legend(dialect);

  it('emits one inner stream per response, from response.created to response.done inclusive', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('  --c-o-i-p-a-t-x-y-q-e-d--|', L);
      const sub = '         ^------------------------!';
      const expected = '    --r----------------------|';
      const r = cold('        c-o-i-p-a-t-x-y-q-e-(d|)', L);
      expectObservable(source.pipe(splitResponses())).toBe(expected, { r });
      expectSubscriptions(source.subscriptions).toBe(sub);
    });
  });

  it('splits two interleaved responses exactly, by id', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -c-C-o-O-P-p-T-a-X-Q-q-E-e-D-d-|', L);
      const expected = '    -r-s---------------------------|';
      const r = cold('       c---o-----p---a-----q---e---(d|)', L);
      const s = cold('         C---O-P---T---X-Q---E---(D|)', L);
      expectObservable(source.pipe(splitResponses())).toBe(expected, { r, s });
    });
  });

  it('exposes the response id and its metadata (out-of-band responses)', async () => {
    const { of } = await import('rxjs');
    const streams = await new Promise<{ id: string; metadata: unknown }[]>((resolve) =>
      of(L.c!, L.C!, L.d!, L.D!)
        .pipe(
          splitResponses(),
          map((r) => ({ id: r.responseId, metadata: r.metadata })),
          toArray(),
        )
        .subscribe(resolve),
    );
    expect(streams).toEqual([
      { id: 'resp_1', metadata: null },
      { id: 'resp_2', metadata: { topic: 'oob' } },
    ]);
  });

  it('errors every open response with IncompleteStreamError when the source completes first', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  --c-a-C-|', L);
      const expected = '    --r---s-|';
      const err = new IncompleteStreamError('response', 'resp_1', 'source completed');
      const err2 = new IncompleteStreamError('response', 'resp_2', 'source completed');
      const r = cold('        c-a---#', L, err);
      const s = cold('            C-#', L, err2);
      expectObservable(source.pipe(splitResponses())).toBe(expected, { r, s });
    });
  });

  it('gives hot inner streams: a late subscriber sees the events from then on, one after the end gets the end', async () => {
    const { Subject } = await import('rxjs');
    const source = new Subject<ServerMessage>();
    const streams: Observable<ServerMessage>[] = [];
    source.pipe(splitResponses()).subscribe({ next: (r) => streams.push(r), error: () => undefined });
    const seen = (stream: Observable<ServerMessage>) => {
      const out: string[] = [];
      stream.subscribe({
        next: (e) => out.push((e as { event_id: string }).event_id),
        complete: () => out.push('|'),
        error: (err: Error) => out.push(`# ${err.name}`),
      });
      return out;
    };
    const at = (letter: string) => L[letter]!;
    const id = (letter: string) => (at(letter) as { event_id: string }).event_id;
    source.next(at('c'));
    source.next(at('a'));
    const late = seen(streams[0]!);
    const leaving = streams[0]!.subscribe();
    source.next(at('t'));
    leaving.unsubscribe();
    source.next(at('d'));
    expect(late).toEqual([id('t'), id('d'), '|']);
    expect(seen(streams[0]!)).toEqual(['|']);
    source.next(at('C'));
    source.error(new Error('socket closed 1006'));
    expect(seen(streams[1]!)).toEqual(['# IncompleteStreamError']);
  });

  it('errors the open responses and the outer stream when the source errors', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const boom = new Error('socket closed 1006');
      const source = hot('  --c-a-#', L, boom);
      const expected = '    --r---#';
      const r = cold(
        '        c-a-#',
        L,
        new IncompleteStreamError('response', 'resp_1', 'source errored: Error: socket closed 1006', {
          cause: boom,
        }),
      );
      expectObservable(source.pipe(splitResponses())).toBe(expected, { r }, boom);
    });
  });

  it('never emits for never, completes for empty', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(splitResponses())).toBe('-');
      expectObservable(empty.pipe(splitResponses())).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('passes by decode failures, unknown events, errors and speech events without opening a response', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('  -k-n-z-v-w-|', L);
      expectObservable(source.pipe(splitResponses())).toBe('-----------|');
    });
  });

  it('opens a response for deltas whose response.created was never seen, and drops stragglers after done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -a-d-t-|', L);
      const expected = '    -r-----|';
      const r = cold('       a-(d|)', L);
      expectObservable(source.pipe(splitResponses())).toBe(expected, { r });
    });
  });

  it('unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  --c-a-t-d-|', L);
      const unsub = '       -----!';
      expectObservable(
        source.pipe(
          splitResponses(),
          mergeMap((r) => r),
        ),
        unsub,
      ).toBe('--c-a', L);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('keeps no state for finished responses (memory is flat over many responses)', async () => {
    const { from } = await import('rxjs');
    const events: ServerMessage[] = [];
    for (let n = 0; n < 2000; n++) {
      for (const k of 'copaqed') {
        const e = JSON.parse(
          JSON.stringify(L[k]).replaceAll('resp_1', `resp_${n}`).replaceAll('item_1', `item_${n}`),
        );
        events.push(e);
      }
    }
    const counts = await new Promise<number[]>((resolve) =>
      from(events)
        .pipe(
          splitResponses(),
          mergeMap((r) => r.pipe(toArray())),
          map((x) => x.length),
          toArray(),
        )
        .subscribe(resolve),
    );
    expect(counts).toHaveLength(2000);
    expect(new Set(counts)).toEqual(new Set([7]));
  });

  it('gives many responses one after another, each to its response.done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -c-d-C-D-|', L);
      const r = cold('       c-(d|)', L);
      const s = cold('           C-(D|)', L);
      expectObservable(source.pipe(splitResponses())).toBe('-r---s---|', { r, s });
    });
  });

  it('unsubscribes the source when a callback on a response throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const boom = new Error('boom');
      const source = hot('  -c-a-d-|', L);
      expectObservable(
        source.pipe(
          splitResponses(),
          mergeMap((r) => r.pipe(throwing(boom))),
        ),
      ).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('keeps a server error mid-response out of the response, which goes on to its done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -c-a-z-t-d-|', L);
      const r = cold('       c-a---t-(d|)', L);
      expectObservable(source.pipe(splitResponses())).toBe('-r---------|', { r });
    });
  });

  it('drops the conversation item event of an item no open response owns', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      // I: item_2 entering the conversation, before any response said it owns item_2
      const source = hot('  -c-I-o-i-d-|', L);
      const r = cold('       c---o-i-(d|)', L);
      expectObservable(source.pipe(splitResponses())).toBe('-r---------|', { r });
    });
  });

  it('ends the open responses with IncompleteStreamError when the session reconnects, and goes on', () => {
    const R = { ...L, r: reconnecting as never as ServerMessage };
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -c-a-r-C-D-|', R);
      const reason =
        'the socket dropped (ConnectionClosedError: connection closed with 1006); the session reconnects';
      const r = cold('       c-a-#', R, new IncompleteStreamError('response', 'resp_1', reason));
      const s = cold('               C-(D|)', R);
      expectObservable(source.pipe(splitResponses())).toBe('-r-----s---|', { r, s });
    });
  });

  it('composes: responses → items → parts → collected text', async () => {
    const { of } = await import('rxjs');
    const out = await new Promise<string[]>((resolve) =>
      of(...'cCoOPpTXQqEeDd'.split('').map((k) => L[k]!))
        .pipe(
          splitResponses(),
          mergeMap((r) => r.pipe(splitItems())),
          mergeMap((i) => i.pipe(splitContentParts())),
          mergeMap((p) => p.pipe(collectText())),
          map((t) => t.text),
          toArray(),
        )
        .subscribe(resolve),
    );
    expect(out).toEqual(['Yes']);
  });
});

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
