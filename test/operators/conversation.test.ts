import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { conversation, type ConversationState } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

const last = (events: ServerMessage[], options?: Parameters<typeof conversation>[0]) => {
  let state: ConversationState | undefined;
  from(events)
    .pipe(conversation(options))
    .subscribe((s) => (state = s));
  return state!;
};

describe.each(DIALECTS)('conversation (%s)', (dialect) => {
  const L = legend(dialect);
  const added = dialect === 'ga' ? 'conversation.item.added' : 'conversation.item.created';
  const item = (id: string, previous: string | null | undefined, fields: object = {}) =>
    ({
      type: added,
      event_id: `event_${id}`,
      ...(previous === undefined ? {} : { previous_item_id: previous }),
      item: { id, type: 'message', role: 'user', status: 'completed', content: [], ...fields },
    }) as unknown as ServerMessage;
  const item1 = {
    id: 'item_1',
    type: 'message',
    role: 'assistant',
    status: 'in_progress',
    text: '',
    audioMs: 0,
  };

  it('starts with no items, never completes on a never-ending source, and completes with an empty one', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<ServerMessage>('-').pipe(conversation())).toBe('s', { s: { items: [] } });
      expectObservable(cold<ServerMessage>('|').pipe(conversation())).toBe('(s|)', { s: { items: [] } });
    });
  });

  it('adds an item and updates it per delta, passing other events by', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-i-p-t-u-k-n-z-|', L);
      expectObservable(source.pipe(conversation())).toBe('si---a-b-------|', {
        s: { items: [] },
        i: { items: [item1], changed: item1 },
        a: { items: [{ ...item1, text: 'Hi' }], changed: { ...item1, text: 'Hi' } },
        b: { items: [{ ...item1, text: 'Hi there' }], changed: { ...item1, text: 'Hi there' } },
      });
      expectSubscriptions(source.subscriptions).toBe('^--------------!');
    });
  });

  it('errors with the source and unsubscribes from it early', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const err = hot('-i-#', L);
      expectObservable(err.pipe(conversation())).toBe('si-#', {
        s: { items: [] },
        i: { items: [item1], changed: item1 },
      });
      const endless = hot('-i-t-----', L);
      expectObservable(endless.pipe(conversation()), '^--!').toBe('si-', {
        s: { items: [] },
        i: { items: [item1], changed: item1 },
      });
      expectSubscriptions(endless.subscriptions).toBe('^--!');
    });
  });

  it('places items by previous_item_id: null first, an unknown or absent previous last', () => {
    const { items } = last([item('b', undefined), item('a', null), item('c', 'a'), item('d', 'nope')]);
    expect(items.map((i) => i.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('counts the audio received and cuts the transcript to what was heard at conversation.item.truncated', () => {
    const big = { ...L['a']!, delta: Buffer.alloc(96000).toString('base64') } as ServerMessage; // 2000 ms
    const truncated = {
      type: 'conversation.item.truncated',
      event_id: 'event_tr',
      item_id: 'item_1',
      content_index: 0,
      audio_end_ms: 500,
    } as ServerMessage;
    const before = last([L['i']!, L['p']!, big, L['t']!, L['u']!]);
    expect(before.items[0]).toMatchObject({ text: 'Hi there', audioMs: 2000 });
    // 500 of 2000 ms heard: a quarter of "Hi there", cut back to a word
    const after = last([L['i']!, L['p']!, big, L['t']!, L['u']!, truncated, L['y']!, L['q']!, L['e']!]);
    expect(after.items[0]).toEqual({ ...item1, status: 'completed', text: 'Hi', audioMs: 500 });
    const none = last([L['i']!, big, L['t']!, { ...truncated, audio_end_ms: 0 } as ServerMessage]);
    expect(none.items[0]).toMatchObject({ text: '', audioMs: 0 });
  });

  it('keeps function calls with their streamed arguments and their outputs, and forgets deleted items', () => {
    const call = item('fc', 'item_1', {
      type: 'function_call',
      role: undefined,
      status: 'in_progress',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '',
    });
    const delta = (d: string) =>
      ({
        type: 'response.function_call_arguments.delta',
        event_id: 'e',
        response_id: 'resp_1',
        item_id: 'fc',
        output_index: 1,
        call_id: 'call_1',
        delta: d,
      }) as ServerMessage;
    const output = item('out', 'fc', {
      type: 'function_call_output',
      role: undefined,
      call_id: 'call_1',
      output: '{"t":21}',
    });
    const deleted = { type: 'conversation.item.deleted', event_id: 'e', item_id: 'item_1' } as ServerMessage;
    const { items } = last([L['i']!, call, delta('{"city":'), delta('"Paris"}'), output, deleted]);
    expect(items).toEqual([
      {
        id: 'fc',
        type: 'function_call',
        status: 'in_progress',
        text: '',
        audioMs: 0,
        callId: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
      },
      {
        id: 'out',
        type: 'function_call_output',
        status: 'completed',
        text: '',
        audioMs: 0,
        callId: 'call_1',
        output: '{"t":21}',
      },
    ]);
  });

  it("gives the user's item its transcript and its speech length", () => {
    const user = item('item_u', null, { content: [{ type: 'input_audio', transcript: null }] });
    const done = {
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: 'e',
      item_id: 'item_u',
      content_index: 0,
      transcript: 'Hello',
    } as ServerMessage;
    const { items } = last([L['v']!, L['w']!, user, done]);
    expect(items).toEqual([
      { id: 'item_u', type: 'message', role: 'user', status: 'completed', text: 'Hello', audioMs: 1600 },
    ]);
  });

  it('ignores deltas for an unknown item and the items of out-of-band responses', () => {
    const state = last([L['o']!, L['p']!, L['a']!, L['t']!, L['e']!, L['d']!]);
    expect(state.items).toEqual([]);
  });

  it('follows two interleaved messages by item id', () => {
    const { items } = last([L['i']!, L['I']!, L['T']!, L['t']!, L['u']!]);
    expect(items.map((i) => [i.id, i.text])).toEqual([
      ['item_1', 'Hi there'],
      ['item_2', 'Yes'],
    ]);
  });

  it('keeps at most maxItems items, forgetting the oldest', () => {
    const { items } = last([item('a', undefined), item('b', 'a'), item('c', 'b')], { maxItems: 2 });
    expect(items.map((i) => i.id)).toEqual(['b', 'c']);
  });

  it('shares every untouched item between states, and its states are frozen', () => {
    const states: ConversationState[] = [];
    const events = Array.from({ length: 40 }, (_, n) => item(`u${n}`, n === 0 ? null : `u${n - 1}`));
    const delta = { ...L['T']!, item_id: 'u39' } as ServerMessage;
    from([...events, delta])
      .pipe(conversation())
      .subscribe((s) => states.push(s));
    const [before, after] = states.slice(-2) as [ConversationState, ConversationState];
    expect(after.changed).toMatchObject({ id: 'u39', text: 'Yes' });
    expect(after.items.slice(0, 39).every((it, n) => it === before.items[n])).toBe(true);
    expect(Object.isFrozen(after)).toBe(true);
    expect(Object.isFrozen(after.items)).toBe(true);
  });
});
