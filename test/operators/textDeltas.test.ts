import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { textDeltas } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('textDeltas (%s)', (dialect) => {
  const base = legend(dialect);
  const L = {
    ...base,
    // a text delta of an item whose output_item.added / content_part.added never came
    j: { ...base.T!, event_id: 'event_j', item_id: 'item_9', delta: 'orphan' } as ServerMessage,
  };
  const boom = new Error('boom');

  it('emits the text chunks only', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-C-P-T-a-t-X-Q-D-k-n-|', L);
      expectObservable(source.pipe(textDeltas())).toBe('-----y---------------|', { y: 'Yes' });
      expectSubscriptions(source.subscriptions).toBe('^--------------------!');
    });
  });

  it('propagates source errors and never-ending sources', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      expectObservable(hot('-T-#', L).pipe(textDeltas())).toBe('-y-#', { y: 'Yes' });
      expectObservable(cold<ServerMessage>('-').pipe(textDeltas())).toBe('-');
    });
  });

  it('emits nothing and stays subscribed on a source that never emits', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ServerMessage>('-');
      expectObservable(source.pipe(textDeltas())).toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ServerMessage>('|');
      expectObservable(source.pipe(textDeltas())).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('emits one chunk for one delta', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-T-|', L);
      expectObservable(source.pipe(textDeltas())).toBe('-y-|', { y: 'Yes' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('emits many chunks in arrival order, across interleaved responses', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // resp_2's text deltas around resp_1's audio and transcript: only the text, in order
      expectObservable(hot('-C-c-T-a-t-j-T-d-D-|', L).pipe(textDeltas())).toBe('-----y-----o-y-----|', {
        y: 'Yes',
        o: 'orphan',
      });
    });
  });

  it('errors with the source error after the chunks before it, and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-T-T-#', L, boom);
      expectObservable(source.pipe(textDeltas())).toBe('-y-y-#', { y: 'Yes' }, boom);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-T-T---T-|', L);
      expectObservable(source.pipe(textDeltas()), '^----!').toBe('-y-y-', { y: 'Yes' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribes the source when a downstream callback throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-C-T-T-|', L);
      expectObservable(source.pipe(textDeltas(), throwing(boom))).toBe('---#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('gives the chunks of a part whose done never comes, and completes with the source', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-C-P-T-T-|', L).pipe(textDeltas())).toBe('-----y-y-|', { y: 'Yes' });
    });
  });

  it('passes a server error mid-response by: the deltas after it still come', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-P-T-z-T-Q-|', L).pipe(textDeltas())).toBe('---y---y---|', { y: 'Yes' });
    });
  });

  it("takes the other dialect's name too (preview response.text.delta, GA response.output_text.delta)", () => {
    const other = dialect === 'ga' ? 'response.text.delta' : 'response.output_text.delta';
    testScheduler().run(({ hot, expectObservable }) => {
      const m = { ...base.T!, type: other, event_id: 'event_m', delta: 'No' } as ServerMessage;
      expectObservable(hot('-m-T-|', { ...L, m }).pipe(textDeltas())).toBe('-n-y-|', { n: 'No', y: 'Yes' });
    });
  });
});
