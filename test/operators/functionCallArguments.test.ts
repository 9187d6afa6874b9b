import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { functionCallArguments } from '../../src/operators';
import type { Dialect, ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

/** One-off events of a function call (`item_f`, `call_1`, `get_weather`) in response 1. */
export const callEvents = (dialect: Dialect) => {
  const item = (status: string, args: string) => ({
    id: 'item_f',
    type: 'function_call',
    status,
    call_id: 'call_1',
    name: 'get_weather',
    arguments: args,
    ...(dialect === 'ga' ? {} : { object: 'realtime.item' }),
  });
  const ref = { response_id: 'resp_1', item_id: 'item_f', output_index: 1, call_id: 'call_1' };
  const ev = (type: string, fields: object, id: string) =>
    ({ type, event_id: `event_${id}`, ...fields }) as ServerMessage;
  return {
    F: ev(
      'response.output_item.added',
      { response_id: 'resp_1', output_index: 1, item: item('in_progress', '') },
      'F',
    ),
    G: ev('response.function_call_arguments.delta', { ...ref, delta: '{"city":' }, 'G'),
    H: ev('response.function_call_arguments.delta', { ...ref, delta: '"Paris"}' }, 'H'),
    J: ev(
      'response.function_call_arguments.done',
      { ...ref, arguments: '{"city":"Paris"}', ...(dialect === 'ga' ? { name: 'get_weather' } : {}) },
      'J',
    ),
    K: ev(
      'response.output_item.done',
      { response_id: 'resp_1', output_index: 1, item: item('completed', '{"city":"Paris"}') },
      'K',
    ),
  };
};

const delta = (text: string, named = true) => ({
  callId: 'call_1',
  itemId: 'item_f',
  responseId: 'resp_1',
  ...(named ? { name: 'get_weather' } : {}),
  delta: text,
});

describe.each(DIALECTS)('functionCallArguments (%s)', (dialect) => {
  const L = { ...legend(dialect), ...callEvents(dialect) };

  it('gives each arguments delta with the call id, the item and the name from output_item.added', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-c-o-q-e-F-G-H-J-K-d-|', L);
      expectObservable(source.pipe(functionCallArguments())).toBe('-----------g-h-------|', {
        g: delta('{"city":'),
        h: delta('"Paris"}'),
      });
      expectSubscriptions(source.subscriptions).toBe('^--------------------!');
    });
  });

  it('gives deltas without a name when the call item was not seen (a stream joined mid-call)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-G-H-|', L).pipe(functionCallArguments())).toBe('-g-h-|', {
        g: delta('{"city":', false),
        h: delta('"Paris"}', false),
      });
    });
  });

  it('forgets the name at output_item.done: a straggler has none', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-F-K-G-|', L).pipe(functionCallArguments())).toBe('-----g-|', {
        g: delta('{"city":', false),
      });
    });
  });

  it('ignores everything else, decode failures and unknown events included', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-p-a-t-T-k-n-z-J-d-|', L).pipe(functionCallArguments())).toBe(
        '---------------------|',
      );
    });
  });

  it('errors with the source and unsubscribes early', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<ServerMessage>('|').pipe(functionCallArguments())).toBe('|');
      expectObservable(cold<ServerMessage>('-').pipe(functionCallArguments())).toBe('-');
      const boom = new Error('boom');
      expectObservable(hot('-F-G-#', L, boom).pipe(functionCallArguments())).toBe(
        '---g-#',
        { g: delta('{"city":') },
        boom,
      );
      const never = hot('-F-G------', L);
      expectObservable(never.pipe(functionCallArguments()), '^----!').toBe('---g--', {
        g: delta('{"city":'),
      });
      expectSubscriptions(never.subscriptions).toBe('^----!');
    });
  });
});
