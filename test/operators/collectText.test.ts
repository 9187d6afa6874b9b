import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { collectText, IncompleteStreamError } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, reconnecting, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('collectText (%s)', (dialect) => {
  const base = legend(dialect);
  const ref3 = { response_id: 'resp_1', item_id: 'item_3', output_index: 1, content_index: 0 };
  const L = {
    ...base,
    // a second text part, item_3 of resp_1, to interleave with resp_2's part
    f: { ...base.P!, ...ref3, event_id: 'event_f' } as ServerMessage,
    g: { ...base.T!, ...ref3, event_id: 'event_g', delta: 'No' } as ServerMessage,
    h: { ...base.Q!, ...ref3, event_id: 'event_h', part: { type: 'text', text: 'No' } } as ServerMessage,
    // content_part.done without the part's text: the text comes from text.done, else from the deltas
    m: { ...base.Q!, event_id: 'event_m', part: { type: 'text' } } as ServerMessage,
    r: reconnecting as never as ServerMessage,
  };
  const yes = { responseId: 'resp_2', itemId: 'item_2', contentIndex: 0, text: 'Yes' };
  const boom = new Error('boom');

  it('gives one value per text part at content_part.done', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-C-O-P-T-X-Q-E-D-|', L);
      expectObservable(source.pipe(collectText())).toBe('-----------v-----|', { v: yes });
      expectSubscriptions(source.subscriptions).toBe('^----------------!');
    });
  });

  it('errors with IncompleteStreamError when the source completes inside a part', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-P-T-|', L).pipe(collectText())).toBe(
        '-----#',
        undefined,
        new IncompleteStreamError('content part', 'item_2:0', 'source completed'),
      );
    });
  });

  it('passes a server error mid-response by: the part is still collected', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-P-T-z-X-Q-|', L).pipe(collectText())).toBe('---------v-|', { v: yes });
    });
  });

  it('emits nothing on a source that never emits, and completes on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(collectText())).toBe('-');
      expectObservable(empty.pipe(collectText())).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('collects interleaved text parts of two responses apart, each at its own done', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-C-c-P-f-T-g-X-h-Q-|', L).pipe(collectText())).toBe('---------------n-v-|', {
        n: { responseId: 'resp_1', itemId: 'item_3', contentIndex: 0, text: 'No' },
        v: yes,
      });
    });
  });

  it('takes the text from text.done, else the deltas joined, when content_part.done carries none', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const fromDone = { ...L, X: { ...base.X!, text: 'Yes!' } as ServerMessage };
      expectObservable(hot('-P-T-X-m-|', fromDone).pipe(collectText())).toBe('-------v-|', {
        v: { ...yes, text: 'Yes!' },
      });
      expectObservable(hot('-P-T-T-m-|', L).pipe(collectText())).toBe('-------v-|', {
        v: { ...yes, text: 'YesYes' },
      });
    });
  });

  it('does not collect audio parts, nor a part whose content_part.added it never saw', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-p-t-x-q-T-X-Q-|', L).pipe(collectText())).toBe('---------------|');
    });
  });

  it('errors with the source error inside a part, and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-P-T-#', L, boom);
      expectObservable(source.pipe(collectText())).toBe('-----#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-P-T-----X-Q-|', L);
      expectObservable(source.pipe(collectText()), '^----!').toBe('------');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribes the source when a downstream callback throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-P-T-Q-P-|', L);
      expectObservable(source.pipe(collectText(), throwing(boom))).toBe('-----#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('forgets the open parts when the session reconnects: no value, no error, and a late done is ignored', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-P-T-r-Q-|', L).pipe(collectText())).toBe('---------|');
    });
  });
});
