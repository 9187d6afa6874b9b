import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { transcriptDeltas } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('transcriptDeltas (%s)', (dialect) => {
  const base = legend(dialect);
  const L = {
    ...base,
    // a transcript delta of resp_2, interleaved with resp_1's
    j: {
      ...base.t!,
      event_id: 'event_j',
      response_id: 'resp_2',
      item_id: 'item_2',
      delta: 'Yo',
    } as ServerMessage,
    // a transcript delta of an item whose output_item.added never came
    l: { ...base.t!, event_id: 'event_l', item_id: 'item_9', delta: 'orphan' } as ServerMessage,
  };
  const boom = new Error('boom');

  it('emits the transcript chunks only', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-p-a-t-a-u-T-y-|', L);
      expectObservable(source.pipe(transcriptDeltas())).toBe('-----h---i-----|', { h: 'Hi', i: ' there' });
      expectSubscriptions(source.subscriptions).toBe('^--------------!');
    });
  });

  it('emits nothing and stays subscribed on a source that never emits', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ServerMessage>('-');
      expectObservable(source.pipe(transcriptDeltas())).toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ServerMessage>('|');
      expectObservable(source.pipe(transcriptDeltas())).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('emits one chunk for one delta', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-t-|', L).pipe(transcriptDeltas())).toBe('-h-|', { h: 'Hi' });
    });
  });

  it('emits the chunks of interleaved responses and of an unknown item in arrival order', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-C-t-j-u-l-|', L).pipe(transcriptDeltas())).toBe('-----h-j-i-l-|', {
        h: 'Hi',
        j: 'Yo',
        i: ' there',
        l: 'orphan',
      });
    });
  });

  it('errors with the source error after the chunks before it, and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-t-u-#', L, boom);
      expectObservable(source.pipe(transcriptDeltas())).toBe('-h-i-#', { h: 'Hi', i: ' there' }, boom);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-t----u-|', L);
      expectObservable(source.pipe(transcriptDeltas()), '^---!').toBe('-h---', { h: 'Hi' });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('unsubscribes the source when a downstream callback throws', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-t-u-|', L);
      expectObservable(source.pipe(transcriptDeltas(), throwing(boom))).toBe('---#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('gives the chunks of a part whose done never comes, and passes a server error mid-response by', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-p-t-z-u-|', L).pipe(transcriptDeltas())).toBe('---h---i-|', {
        h: 'Hi',
        i: ' there',
      });
    });
  });

  it("takes the other dialect's name too", () => {
    const other =
      dialect === 'ga' ? 'response.audio_transcript.delta' : 'response.output_audio_transcript.delta';
    testScheduler().run(({ hot, expectObservable }) => {
      const m = { ...base.t!, type: other, event_id: 'event_m', delta: 'Oh' } as ServerMessage;
      expectObservable(hot('-m-t-|', { ...L, m }).pipe(transcriptDeltas())).toBe('-o-h-|', {
        o: 'Oh',
        h: 'Hi',
      });
    });
  });
});
