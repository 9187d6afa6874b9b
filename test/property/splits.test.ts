// Property: on any interleaving of the events of several responses (missing dones, duplicates, stragglers), the
// splits never hang, leak or mis-assign: every inner stream ends when the source ends, each event lands in the
// stream of its own response / item / part, and no subscription is left.
import fc from 'fast-check';
import { Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { splitContentParts, splitItems, splitResponses } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';

/** The response an event is of: its response id, or the number of its item (item_N is of resp_N here). */
const rid = (e: ServerMessage) => `resp_${JSON.stringify(e).match(/(?:resp|item)_(\d+)/)?.[1]}`;

/** Events of responses 1..3 (legend events, renumbered), as an arbitrary list: any order, drops, duplicates. */
const events = (dialect: 'preview' | 'ga') => {
  const L = legend(dialect);
  const all: ServerMessage[] = [];
  for (const n of [1, 2, 3]) {
    for (const k of 'coipatuxyqed') {
      all.push(
        JSON.parse(JSON.stringify(L[k]).replaceAll('resp_1', `resp_${n}`).replaceAll('item_1', `item_${n}`)),
      );
    }
  }
  return fc.array(fc.constantFrom(...all, L.z!, L.k!, L.n!, L.v!), { maxLength: 60 });
};

type Split = () => import('rxjs').OperatorFunction<ServerMessage, Observable<ServerMessage>>;
const SPLITS: [string, Split, (inner: Observable<ServerMessage>) => string][] = [
  ['splitResponses', splitResponses as Split, (r) => (r as unknown as { responseId: string }).responseId],
  [
    'splitItems',
    splitItems as Split,
    (i) => (i as unknown as { itemId: string }).itemId.replace('item', 'resp'),
  ],
  [
    'splitContentParts',
    splitContentParts as Split,
    (p) => (p as unknown as { itemId: string }).itemId.replace('item', 'resp'),
  ],
];

describe.each(['preview', 'ga'] as const)('the splits on any interleaving (%s)', (dialect) => {
  it.each(SPLITS)(
    '%s: every inner stream ends, every event is its own, nothing stays subscribed',
    (_n, split, owner) => {
      fc.assert(
        fc.property(events(dialect), fc.boolean(), (list, fail) => {
          const source = new Subject<ServerMessage>();
          const inners: { ended: boolean; owner: string; wrong: number }[] = [];
          source.pipe(split()).subscribe({
            next: (inner) => {
              const record = { ended: false, owner: owner(inner), wrong: 0 };
              inners.push(record);
              inner.subscribe({
                next: (e) => {
                  if (rid(e) !== record.owner) record.wrong++;
                },
                complete: () => (record.ended = true),
                error: () => (record.ended = true),
              });
            },
            error: () => undefined,
          });
          for (const e of list) source.next(e);
          if (fail) source.error(new Error('connection closed with 1006'));
          else source.complete();
          expect(inners.every((i) => i.ended)).toBe(true);
          expect(inners.reduce((n, i) => n + i.wrong, 0)).toBe(0);
          expect(source.observed).toBe(false);
        }),
        { numRuns: 150 },
      );
    },
  );
});
