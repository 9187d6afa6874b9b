import { first, mergeMap, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend, type Legend } from '../../marbles/legend';
import { IncompleteStreamError, splitContentParts } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, reconnecting, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('splitContentParts (%s)', (dialect) => {
  const L: Legend = {
    ...legend(dialect),
    r: reconnecting as never as ServerMessage,
    // a user item's input transcription delta: item_id and content_index, no response_id, never a part done
    j: {
      type: 'conversation.item.input_audio_transcription.delta',
      event_id: 'event_j',
      item_id: 'item_u',
      content_index: 0,
      delta: 'Hel',
    } as ServerMessage,
  };
  const boom = new Error('boom');
  const cut = (reason: string, id = 'item_1:0', cause?: unknown) =>
    new IncompleteStreamError('content part', id, reason, cause === undefined ? {} : { cause });

  it('splits content parts from content_part.added to content_part.done', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('  -c-o-p-a-t-x-y-q-e-d-|', L);
      const expected = '    -----s---------------|';
      const s = cold('           p-a-t-x-y-(q|)', L);
      expectObservable(source.pipe(splitContentParts())).toBe(expected, { s });
      expectSubscriptions(source.subscriptions).toBe('^--------------------!');
    });
  });

  it('exposes the item id, the content index, the part type and the response id', () => {
    const parts: (string | number | undefined)[] = [];
    of(L.o!, L.p!, L.q!, L.e!)
      .pipe(splitContentParts())
      .subscribe((p) => parts.push(p.itemId, p.contentIndex, p.type, p.responseId));
    expect(parts).toEqual(['item_1', 0, 'audio', 'resp_1']);
  });

  it('keeps a subscribed inner stream alive after first(), then unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const parts = hot('   -p-a-t-q-|', L);
      expectObservable(
        parts.pipe(
          splitContentParts(),
          first(),
          mergeMap((p) => p),
        ),
      ).toBe('-p-a-t-(q|)', L);
      expectSubscriptions(parts.subscriptions).toBe('^------!');
    });
  });

  it('emits nothing on a source that never emits, and completes on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(splitContentParts())).toBe('-');
      expectObservable(empty.pipe(splitContentParts())).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('gives many parts one after another, each to its done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -p-q-P-Q-|', L);
      const s = cold('       p-(q|)', L);
      const S = cold('           P-(Q|)', L);
      expectObservable(source.pipe(splitContentParts())).toBe('-s---S---|', { s, S });
    });
  });

  it('splits the parts of two interleaved responses exactly, by item and content index', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -p-P-a-T-q-Q-|', L);
      const s = cold('       p---a---(q|)', L);
      const S = cold('         P---T---(Q|)', L);
      expectObservable(source.pipe(splitContentParts())).toBe('-s-S---------|', { s, S });
    });
  });

  it('errors a part whose done never comes with IncompleteStreamError when the source completes', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -p-a-|', L);
      const s = cold('       p-a-#', L, cut('source completed'));
      expectObservable(source.pipe(splitContentParts())).toBe('-s---|', { s });
    });
  });

  it('errors the open parts, then the outer stream, with the source error, and unsubscribes', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('  -p-a-#', L, boom);
      const s = cold('       p-a-#', L, cut('source errored: Error: boom', 'item_1:0', boom));
      expectObservable(source.pipe(splitContentParts())).toBe('-s---#', { s }, boom);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -p-a-t-q-|', L);
      expectObservable(
        source.pipe(
          splitContentParts(),
          mergeMap((p) => p),
        ),
        '----!',
      ).toBe('-p-a-', L);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('unsubscribes the source when a callback on a part throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -p-a-q-|', L);
      expectObservable(
        source.pipe(
          splitContentParts(),
          mergeMap((p) => p.pipe(throwing(boom))),
        ),
      ).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('keeps a server error mid-response, decode failures, unknown events and item events out of the part', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -p-z-k-a-n-e-q-|', L);
      const s = cold('       p-----a-----(q|)', L);
      expectObservable(source.pipe(splitContentParts())).toBe('-s-------------|', { s });
    });
  });

  it('opens a part for a delta whose content_part.added it never saw, and drops a straggler after done', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -a-q-t-|', L);
      const s = cold('       a-(q|)', L);
      expectObservable(source.pipe(splitContentParts())).toBe('-s-----|', { s });
    });
  });

  it("never opens a part for a user item's input transcription delta (no response_id)", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-j-j-|', L).pipe(splitContentParts())).toBe('-----|');
    });
  });

  it('ends the open parts with IncompleteStreamError when the session reconnects, and goes on', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('  -p-a-r-P-Q-|', L);
      const reason =
        'the socket dropped (ConnectionClosedError: connection closed with 1006); the session reconnects';
      const s = cold('       p-a-#', L, cut(reason));
      const S = cold('               P-(Q|)', L);
      expectObservable(source.pipe(splitContentParts())).toBe('-s-----S---|', { s, S });
    });
  });
});
