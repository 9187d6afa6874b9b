import { first, mergeMap, of, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend, type Legend } from '../../marbles/legend';
import { IncompleteStreamError, splitItems } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, reconnecting, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('splitItems (%s)', (dialect) => {
  const L: Legend = { ...legend(dialect), r: reconnecting as never as ServerMessage };
  const boom = new Error('boom');
  const cut = (reason: string, id = 'item_1', cause?: unknown) =>
    new IncompleteStreamError('item', id, reason, cause === undefined ? {} : { cause });

  it('splits items from output_item.added to output_item.done, with the conversation item event', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('  -c-o-i-p-a-q-e-d-|', L);
      const expected = '    ---j-------------|';
      const j = cold('         o-i-p-a-q-(e|)', L);
      expectObservable(source.pipe(splitItems())).toBe(expected, { j });
      expectSubscriptions(source.subscriptions).toBe('^----------------!');
    });
  });

  it('exposes the item id, the item type and the response id', () => {
    const items: (string | undefined)[] = [];
    of(L.o!, L.p!, L.q!, L.e!)
      .pipe(splitItems())
      .subscribe((i) => items.push(i.itemId, i.type, i.responseId));
    expect(items).toEqual(['item_1', 'message', 'resp_1']);
  });

  it('keeps a subscribed inner stream alive after take(1), then unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -o-p-a-q-e-|', L);
      expectObservable(
        source.pipe(
          splitItems(),
          take(1),
          mergeMap((i) => i),
        ),
      ).toBe('-o-p-a-q-(e|)', L);
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('emits nothing on a source that never emits, and completes on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(splitItems())).toBe('-');
      expectObservable(empty.pipe(splitItems())).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('gives many items one after another, each to its done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -o-e-O-E-|', L);
      const expected = '    -j---J---|';
      const j = cold('       o-(e|)', L);
      const J = cold('           O-(E|)', L);
      expectObservable(source.pipe(splitItems())).toBe(expected, { j, J });
    });
  });

  it('splits the items of two interleaved responses exactly, by item id', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -o-O-p-P-a-T-q-Q-e-E-|', L);
      const expected = '    -j-J-----------------|';
      const j = cold('       o---p---a---q---(e|)', L);
      const J = cold('         O---P---T---Q---(E|)', L);
      expectObservable(source.pipe(splitItems())).toBe(expected, { j, J });
    });
  });

  it('errors an item whose done never comes with IncompleteStreamError when the source completes', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -o-p-|', L);
      const j = cold('       o-p-#', L, cut('source completed'));
      expectObservable(source.pipe(splitItems())).toBe('-j---|', { j });
    });
  });

  it('errors the open items, then the outer stream, with the source error, and unsubscribes', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('  -o-p-#', L, boom);
      const j = cold('       o-p-#', L, cut('source errored: Error: boom', 'item_1', boom));
      expectObservable(source.pipe(splitItems())).toBe('-j---#', { j }, boom);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -o-p-a-q-e-|', L);
      expectObservable(
        source.pipe(
          splitItems(),
          mergeMap((i) => i),
        ),
        '-----!',
      ).toBe('-o-p-', L);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribes the source when a callback on an item throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -o-p-e-|', L);
      expectObservable(
        source.pipe(
          splitItems(),
          mergeMap((i) => i.pipe(throwing(boom))),
        ),
      ).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('keeps a server error mid-response, decode failures and unknown events out of the item', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -o-z-k-p-n-e-|', L);
      const j = cold('       o-----p---(e|)', L);
      expectObservable(source.pipe(splitItems())).toBe('-j-----------|', { j });
    });
  });

  it('opens an item for a delta whose output_item.added it never saw, and drops a straggler after done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -a-q-e-a-|', L);
      const j = cold('       a-q-(e|)', L);
      expectObservable(source.pipe(splitItems())).toBe('-j-------|', { j });
    });
    const seen: (string | undefined)[] = [];
    of(L.a!, L.e!)
      .pipe(splitItems())
      .subscribe((i) => seen.push(i.itemId, i.type, i.responseId));
    expect(seen).toEqual(['item_1', undefined, 'resp_1']);
  });

  it('ends the open items with IncompleteStreamError when the session reconnects, and goes on', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -o-p-r-O-E-|', L);
      const reason =
        'the socket dropped (ConnectionClosedError: connection closed with 1006); the session reconnects';
      const j = cold('       o-p-#', L, cut(reason));
      const J = cold('               O-(E|)', L);
      expectObservable(source.pipe(splitItems())).toBe('-j-----J---|', { j, J });
    });
  });

  it('first(): an item kept alive errors with IncompleteStreamError when the source errors', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('  -o-p-#', L, boom);
      expectObservable(
        source.pipe(
          splitItems(),
          first(),
          mergeMap((i) => i),
        ),
      ).toBe('-o-p-#', L, cut('source errored: Error: boom', 'item_1', boom));
    });
  });
});
