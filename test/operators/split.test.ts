import { mergeMap, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import {
  IncompleteStreamError,
  splitContentParts,
  splitItems,
  splitResponses,
  collectText,
} from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

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
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<ServerMessage>('-').pipe(splitResponses())).toBe('-');
      expectObservable(cold<ServerMessage>('|').pipe(splitResponses())).toBe('|');
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
});

describe.each(DIALECTS)('splitItems and splitContentParts (%s)', (dialect) => {
  const L = legend(dialect);

  it('splits items from output_item.added to output_item.done, with the conversation item event', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -c-o-i-p-a-q-e-d-|', L);
      const expected = '    ---j-------------|';
      const j = cold('         o-i-p-a-q-(e|)', L);
      expectObservable(source.pipe(splitItems())).toBe(expected, { j });
    });
  });

  it('splits content parts from content_part.added to content_part.done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -c-o-p-a-t-x-y-q-e-d-|', L);
      const expected = '    -----s---------------|';
      const s = cold('           p-a-t-x-y-(q|)', L);
      expectObservable(source.pipe(splitContentParts())).toBe(expected, { s });
    });
  });

  it('exposes item type and part type', async () => {
    const { of } = await import('rxjs');
    const items: (string | undefined)[] = [];
    const parts: (string | number | undefined)[] = [];
    of(L.o!, L.p!, L.q!, L.e!)
      .pipe(splitItems())
      .subscribe((i) => items.push(i.itemId, i.type, i.responseId));
    of(L.o!, L.p!, L.q!, L.e!)
      .pipe(splitContentParts())
      .subscribe((p) => parts.push(p.itemId, p.contentIndex, p.type));
    expect(items).toEqual(['item_1', 'message', 'resp_1']);
    expect(parts).toEqual(['item_1', 0, 'audio']);
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
