import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { functionCallOutput, functionCalls } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler, throwing } from './helpers';

describe.each(DIALECTS)('functionCalls (%s)', (dialect) => {
  const item = (n: string, name: string) => ({
    id: `item_${n}`,
    type: 'function_call',
    status: 'in_progress',
    call_id: `call_${n}`,
    name,
    arguments: '',
  });
  const addedOf = (n: string, responseId: string, name: string) =>
    ({
      type: 'response.output_item.added',
      event_id: `event_added_${n}`,
      response_id: responseId,
      output_index: 1,
      item: item(n, name),
    }) as ServerMessage;
  const doneOf = (n: string, responseId: string, name: string, args: string) =>
    ({
      type: 'response.function_call_arguments.done',
      event_id: `event_args_${n}`,
      response_id: responseId,
      item_id: `item_${n}`,
      output_index: 1,
      call_id: `call_${n}`,
      arguments: args,
      // preview's arguments.done has no name (protocol README §6): it comes from output_item.added
      ...(dialect === 'ga' ? { name } : {}),
    }) as ServerMessage;
  const added = {
    type: 'response.output_item.added',
    event_id: 'e1',
    response_id: 'resp_f',
    output_index: 1,
    item: {
      id: 'item_f',
      type: 'function_call',
      status: 'in_progress',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '',
    },
  } as ServerMessage;
  const argsDone = (args: string) =>
    ({
      type: 'response.function_call_arguments.done',
      event_id: 'e2',
      response_id: 'resp_f',
      item_id: 'item_f',
      output_index: 1,
      call_id: 'call_1',
      arguments: args,
      ...(dialect === 'ga' ? { name: 'get_weather' } : {}),
    }) as ServerMessage;
  const call = (n: string, responseId: string, name: string, args: unknown, raw: string) => ({
    ok: true,
    callId: `call_${n}`,
    name,
    arguments: args,
    rawArguments: raw,
    itemId: `item_${n}`,
    responseId,
  });
  const L = {
    ...legend(dialect),
    a: added,
    g: argsDone('{"city":"Paris"}'),
    f: addedOf('1', 'resp_1', 'get_time'),
    h: doneOf('1', 'resp_1', 'get_time', '{"tz":"UTC"}'),
    F: addedOf('2', 'resp_2', 'get_weather'),
    H: doneOf('2', 'resp_2', 'get_weather', '{"city":"Oslo"}'),
    // arguments.done for an item whose output_item.added never came
    j: doneOf('9', 'resp_1', 'lookup', ''),
    // output_item.done of item_1
    l: {
      type: 'response.output_item.done',
      event_id: 'event_item_done_1',
      response_id: 'resp_1',
      output_index: 1,
      item: { ...item('1', 'get_time'), status: 'completed', arguments: '{"tz":"UTC"}' },
    } as ServerMessage,
  };
  const paris = {
    ...call('f', 'resp_f', 'get_weather', { city: 'Paris' }, '{"city":"Paris"}'),
    callId: 'call_1',
  };
  const boom = new Error('boom');

  it('emits one parsed call per arguments.done, with the name from output_item.added in preview', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-g-|', L);
      expectObservable(source.pipe(functionCalls())).toBe('---c-|', { c: paris });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('turns arguments that are not JSON into a typed value, not a crash', () => {
    const out: unknown[] = [];
    of(added, argsDone('{"city":'))
      .pipe(functionCalls())
      .subscribe((c) => out.push(c));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ ok: false, callId: 'call_1', name: 'get_weather', arguments: undefined });
    expect((out[0] as { parseError: string }).parseError).toMatch(/JSON/);
  });

  it('functionCallOutput builds the output item and the follow-up response.create', () => {
    expect(functionCallOutput({ callId: 'call_1' }, { temperature: 21 })).toEqual([
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_1', output: '{"temperature":21}' },
      },
      { type: 'response.create' },
    ]);
  });

  it('emits nothing on a source that never emits, and completes on an empty one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<ServerMessage>('-');
      const empty = cold<ServerMessage>('|');
      expectObservable(never.pipe(functionCalls())).toBe('-');
      expectObservable(empty.pipe(functionCalls())).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('names the calls of two interleaved responses by item, whatever the order of their dones', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-C-f-F-H-z-h-|', L).pipe(functionCalls())).toBe('---------W---T-|', {
        W: call('2', 'resp_2', 'get_weather', { city: 'Oslo' }, '{"city":"Oslo"}'),
        T: call('1', 'resp_1', 'get_time', { tz: 'UTC' }, '{"tz":"UTC"}'),
      });
    });
  });

  it('gives empty arguments as {}, and a call whose output_item.added it never saw the done event’s name (none in preview)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-j-|', L).pipe(functionCalls())).toBe('-c-|', {
        c: call('9', 'resp_1', dialect === 'ga' ? 'lookup' : '', {}, ''),
      });
    });
  });

  it('forgets a name at output_item.done: memory is held only while the item is open', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // a straggling arguments.done after its item's done gets no name from the forgotten added (preview)
      expectObservable(hot('-f-l-h-|', L).pipe(functionCalls())).toBe('-----c-|', {
        c: call('1', 'resp_1', dialect === 'ga' ? 'get_time' : '', { tz: 'UTC' }, '{"tz":"UTC"}'),
      });
    });
  });

  it('emits nothing for a call whose arguments.done never comes', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-f-F-|', L).pipe(functionCalls())).toBe('-----|');
    });
  });

  it('errors with the source and unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-#', L, boom);
      expectObservable(source.pipe(functionCalls())).toBe('---#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-g----a-g-|', L);
      expectObservable(source.pipe(functionCalls()), '^----!').toBe('---c--', { c: paris });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribes the source when a downstream callback throws (the tool runner, say)', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-g-f-h-|', L);
      expectObservable(source.pipe(functionCalls(), throwing(boom))).toBe('---#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});

describe('functionCallOutput', () => {
  it('passes a string result as it is, sends null for undefined, and leaves out response.create on respond: false', () => {
    expect(functionCallOutput({ callId: 'c' }, 'sunny', { respond: false })).toEqual([
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'c', output: 'sunny' },
      },
    ]);
    expect(functionCallOutput({ callId: 'c' }, undefined)[0]).toEqual({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'c', output: 'null' },
    });
  });
});
