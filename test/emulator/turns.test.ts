// Whole turns through the library's connect(), in both dialects, with the event order of protocol README §6.
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError } from '../../src/client';
import type { ClientEvent, Dialect } from '../../src/protocol';
import { appends, hello, names, textSession, useSessions, userText, type Ev } from './harness';

const start = useSessions();
const field = <T>(e: Ev, ...path: (string | number)[]): T =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], e) as T;

describe.each(['preview', 'ga'] as Dialect[])('the emulator speaking %s', (dialect) => {
  const n = names[dialect];

  it('starts with session.created and answers session.update with the whole merged session', async () => {
    const s = await start(dialect);
    const created = await s.next('session.created');
    s.send(textSession(dialect, { instructions: 'Be brief.' }));
    const updated = await s.next('session.updated');
    const before = field<Record<string, unknown>>(created, 'session');
    const after = field<Record<string, unknown>>(updated, 'session');
    expect(after['instructions']).toBe('Be brief.');
    expect(after[dialect === 'preview' ? 'modalities' : 'output_modalities']).toEqual(['text']);
    // everything not updated is kept, and the session stays the same one
    expect({
      ...after,
      instructions: '',
      [dialect === 'preview' ? 'modalities' : 'output_modalities']: null,
    }).toEqual({
      ...before,
      instructions: '',
      [dialect === 'preview' ? 'modalities' : 'output_modalities']: null,
    });
    expect(s.types()).toEqual(['session.created', 'session.updated']);
  });

  it('answers a text turn with the events in the order of §6', async () => {
    const s = await start(dialect);
    s.send(textSession(dialect), userText('What is the capital of France?'), { type: 'response.create' });
    await s.next('rate_limits.updated');
    expect(s.milestones()).toEqual([
      'session.created',
      'session.updated',
      ...n.itemAdded,
      'response.created',
      'response.output_item.added',
      n.itemAdded[0],
      'response.content_part.added',
      `${n.text}.done`,
      'response.content_part.done',
      'response.output_item.done',
      ...n.assistantItemDone,
      'response.done',
      'rate_limits.updated',
    ]);
    const done = s.events.find((e) => e.type === `${n.text}.done`) as unknown as Ev;
    expect(done['text']).toBe(
      'You said: What is the capital of France?. This is the rx-realtime emulator answering.',
    );
    const deltas = s.events.filter((e) => e.type === `${n.text}.delta`) as unknown as Ev[];
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.map((d) => d['delta']).join('')).toBe(done['text']);
    const response = field<Record<string, unknown>>(
      s.events.find((e) => e.type === 'response.done') as unknown as Ev,
      'response',
    );
    expect(response['status']).toBe('completed');
    expect(response['status_details']).toBeNull();
    expect(response['usage']).toMatchObject({ output_token_details: { audio_tokens: 0 } });
    expect((response['usage'] as { output_tokens: number }).output_tokens).toBeGreaterThan(0);
  });

  it('answers an audio turn with audio deltas interleaved with transcript deltas (§6)', async () => {
    const s = await start(dialect, { reply: [{ text: 'One two three four five six seven eight.' }] });
    s.send(userText('count'), { type: 'response.create' });
    await s.next('response.done');
    const types = s.types().slice(s.types().indexOf('response.created'));
    expect(types.filter((t) => !t.endsWith('.delta'))).toEqual([
      'response.created',
      'response.output_item.added',
      n.itemAdded[0],
      'response.content_part.added',
      `${n.audio}.done`,
      `${n.transcript}.done`,
      'response.content_part.done',
      'response.output_item.done',
      ...n.assistantItemDone,
      'response.done',
      'rate_limits.updated',
    ]);
    const deltas = types.filter((t) => t.endsWith('.delta'));
    expect(deltas[0]).toBe(`${n.transcript}.delta`);
    expect(deltas.indexOf(`${n.audio}.delta`)).toBeLessThan(deltas.lastIndexOf(`${n.transcript}.delta`)); // interleaved
    const part = await s.events.find((e) => e.type === 'response.content_part.added');
    expect((part as unknown as Ev)['part']).toEqual({ type: 'audio', transcript: '' }); // "audio" in GA too (§5)
    const item = field<Ev>(
      s.events.find((e) => e.type === 'response.output_item.done') as unknown as Ev,
      'item',
    );
    expect(item['content']).toEqual([
      {
        type: dialect === 'ga' ? 'output_audio' : 'audio',
        transcript: 'One two three four five six seven eight.',
      },
    ]);
    expect('object' in item).toBe(dialect === 'preview'); // GA items omit object (§2)
  });

  it('runs a server-VAD turn on the speech fixture: started, stopped, committed, the user item, a spoken answer', async () => {
    const s = await start(dialect);
    s.send(...appends(hello()));
    const started = await s.next('input_audio_buffer.speech_started');
    const stopped = await s.next('input_audio_buffer.speech_stopped');
    const committed = await s.next('input_audio_buffer.committed');
    // the speech starts 0.5 s in (reported 300 ms earlier: the prefix padding) and lasts ~3.5 s; the stop
    // includes the 200 ms of silence waited for
    expect(started['audio_start_ms']).toBeGreaterThanOrEqual(200);
    expect(started['audio_start_ms']).toBeLessThan(400);
    expect(stopped['audio_end_ms']).toBeGreaterThan(3600);
    expect(stopped['audio_end_ms']).toBeLessThan(4400);
    expect([stopped['item_id'], committed['item_id']]).toEqual([started['item_id'], started['item_id']]);
    expect(committed['previous_item_id']).toBeNull();
    const user = await s.next(n.itemAdded[0]!);
    expect(user['item']).toMatchObject({
      id: started['item_id'],
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_audio', transcript: null }],
    });
    const done = await s.next('response.done');
    const heard = (
      ((stopped['audio_end_ms'] as number) - (started['audio_start_ms'] as number)) /
      1000
    ).toFixed(1);
    expect(field<string>(done, 'response', 'output', 0, 'content', 0, 'transcript')).toBe(
      `I heard about ${heard} seconds of speech. This is the rx-realtime emulator answering.`,
    );
    const audioBytes = s.events
      .filter((e) => e.type === `${n.audio}.delta`)
      .reduce((sum, e) => sum + Buffer.from((e as unknown as Ev)['delta'] as string, 'base64').length, 0);
    expect(audioBytes).toBeGreaterThan(48000 * 3); // a spoken sentence: seconds of audio
    expect(s.milestones().slice(1, 5)).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      n.itemAdded[0],
    ]);
  });

  it('runs a function call round trip: argument deltas, done, then the answer to the output', async () => {
    const s = await start(dialect, {
      reply: [{ functionCall: { name: 'get_weather', arguments: { city: 'Paris' }, callId: 'call_42' } }],
    });
    s.send(textSession(dialect), userText('Weather in Paris?'), { type: 'response.create' });
    const added = await s.next('response.output_item.added');
    expect(added['item']).toMatchObject({
      type: 'function_call',
      name: 'get_weather',
      call_id: 'call_42',
      arguments: '',
    });
    const args = await s.next('response.function_call_arguments.done');
    expect(args['arguments']).toBe('{"city":"Paris"}');
    expect(args['call_id']).toBe('call_42');
    expect(args['name']).toBe(dialect === 'ga' ? 'get_weather' : undefined); // GA adds name (§5)
    await s.next('response.done');
    const turn = s.milestones().slice(s.milestones().indexOf('response.created'));
    expect(turn).toEqual([
      'response.created',
      'response.output_item.added',
      n.itemAdded[0],
      'response.function_call_arguments.done',
      'response.output_item.done',
      ...n.assistantItemDone,
      'response.done',
      'rate_limits.updated',
    ]);
    const deltas = s.events.filter(
      (e) => e.type === 'response.function_call_arguments.delta',
    ) as unknown as Ev[];
    expect(deltas.map((d) => d['delta']).join('')).toBe('{"city":"Paris"}');
    s.send(
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_42', output: '{"temperature":21}' },
      },
      { type: 'response.create' },
    );
    const text = await s.next(`${n.text}.done`);
    expect(text['text']).toBe('The function returned {"temperature":21}. This is the rx-realtime emulator.');
  });

  it('calls the named function when tool_choice forces it, with arguments that fit its schema', async () => {
    const s = await start(dialect);
    const tool = {
      type: 'function',
      name: 'lookup',
      description: 'Looks a word up.',
      parameters: {
        type: 'object',
        properties: {
          word: { type: 'string' },
          limit: { type: 'integer', minimum: 1 },
          lang: { enum: ['en', 'fr'] },
        },
        required: ['word', 'limit', 'lang'],
      },
    };
    s.send(textSession(dialect, { tools: [tool], tool_choice: 'required' }), userText('define emulator'), {
      type: 'response.create',
    });
    const args = await s.next('response.function_call_arguments.done');
    expect(JSON.parse(args['arguments'] as string)).toEqual({ word: 'emulator', limit: 1, lang: 'en' });
  });

  it('refuses a second response.create while one is active, and cancels on response.cancel (client_cancelled)', async () => {
    const s = await start(dialect, { pace: 'realtime' });
    s.send(textSession(dialect), userText('hi'), { type: 'response.create' });
    const created = await s.next('response.created');
    s.send({ type: 'response.create', event_id: 'evt_second' });
    const err = await s.next('error');
    expect(err['error']).toEqual({
      type: 'invalid_request_error',
      code: 'conversation_already_has_active_response',
      message: `Conversation already has an active response in progress: ${field<string>(created, 'response', 'id')}. Wait until the response is finished before creating a new one.`,
      param: null,
      event_id: 'evt_second',
    });
    s.send({ type: 'response.cancel' });
    const done = await s.next('response.done');
    expect(field(done, 'response', 'status')).toBe('cancelled');
    expect(field(done, 'response', 'status_details')).toEqual({
      type: 'cancelled',
      reason: 'client_cancelled',
    });
    expect(field(done, 'response', 'output', 0, 'status')).toBe('incomplete');
    // the pending done events still come, before response.done
    const turn = s
      .milestones()
      .slice(s.milestones().indexOf('response.created'))
      .filter((t) => t !== 'error');
    expect(turn.slice(0, turn.indexOf('response.done') + 1)).toEqual([
      'response.created',
      'response.output_item.added',
      n.itemAdded[0],
      'response.content_part.added',
      `${n.text}.done`,
      'response.content_part.done',
      'response.output_item.done',
      ...n.assistantItemDone,
      'response.done',
    ]);
    s.send({ type: 'response.cancel', event_id: 'evt_cancel' });
    expect((await s.next('error'))['error']).toEqual({
      type: 'invalid_request_error',
      code: 'response_cancel_not_active',
      message: 'Cancellation failed: no active response found',
      param: null,
      event_id: 'evt_cancel',
    });
  });

  it('cancels a response on barge-in with turn_detected, sends the pending done events, then answers the new turn', async () => {
    const s = await start(dialect, {
      pace: 'realtime',
      reply: [
        {
          text: 'This is a long answer that will be interrupted by the user speaking again, so it never ends.',
        },
      ],
    });
    s.send(userText('tell me a story'), { type: 'response.create' });
    await s.next(`${n.audio}.delta`);
    s.send(...appends(hello()));
    await s.next('input_audio_buffer.speech_started');
    const done = await s.next('response.done');
    expect(field(done, 'response', 'status')).toBe('cancelled');
    expect(field(done, 'response', 'status_details')).toEqual({ type: 'cancelled', reason: 'turn_detected' });
    expect(field(done, 'response', 'output', 0, 'status')).toBe('incomplete');
    const after = s.milestones().slice(s.milestones().indexOf('input_audio_buffer.speech_started'));
    expect(after.slice(0, after.indexOf('response.done') + 1)).toEqual([
      'input_audio_buffer.speech_started',
      `${n.audio}.done`,
      `${n.transcript}.done`,
      'response.content_part.done',
      'response.output_item.done',
      ...n.assistantItemDone,
      'response.done',
    ]);
    // the interrupted transcript is what was sent so far
    const transcript = field<string>(done, 'response', 'output', 0, 'content', 0, 'transcript');
    expect(
      'This is a long answer that will be interrupted by the user speaking again, so it never ends.'.startsWith(
        transcript,
      ),
    ).toBe(true);
    expect(transcript.length).toBeLessThan(90);
    // the user's turn is answered after it ends
    await s.next('input_audio_buffer.committed');
    const next = await s.next('response.created');
    expect(field(next, 'response', 'id')).not.toBe(field(done, 'response', 'id'));
  });

  it('runs out-of-band responses side by side, told apart by metadata, outside the conversation', async () => {
    const s = await start(dialect);
    s.send(textSession(dialect));
    for (const topic of ['a', 'b']) {
      s.send({
        type: 'response.create',
        response: {
          conversation: 'none',
          metadata: { topic },
          input: [
            { type: 'message', role: 'user', content: [{ type: 'input_text', text: `topic ${topic}` }] },
          ],
        },
      } as ClientEvent);
    }
    const first = await s.next('response.done');
    const second = await s.next('response.done');
    const byTopic = Object.fromEntries(
      [first, second].map((d) => [
        field<{ topic: string }>(d, 'response', 'metadata').topic,
        field<string>(d, 'response', 'output', 0, 'content', 0, 'text'),
      ]),
    );
    expect(byTopic).toEqual({
      a: 'You said: topic a. This is the rx-realtime emulator answering.',
      b: 'You said: topic b. This is the rx-realtime emulator answering.',
    });
    expect([
      field(first, 'response', 'conversation_id'),
      field(second, 'response', 'conversation_id'),
    ]).toEqual([null, null]);
    expect(s.types().filter((t) => t.startsWith('conversation.item'))).toEqual([]); // nothing entered the conversation
    // an out-of-band response may run while the conversation has one
    s.send(
      userText('in band'),
      { type: 'response.create' },
      { type: 'response.create', response: { conversation: 'none' } },
    );
    await s.next('response.done');
    await s.next('response.done');
    expect(s.types()).not.toContain('error');
  });

  it('stops at max_output_tokens with status incomplete', async () => {
    const s = await start(dialect, {
      reply: [{ text: 'one two three four five six seven eight nine ten eleven twelve' }],
    });
    s.send(
      textSession(
        dialect,
        dialect === 'preview' ? { max_response_output_tokens: 3 } : { max_output_tokens: 3 },
      ),
      userText('count'),
      { type: 'response.create' },
    );
    const done = await s.next('response.done');
    expect(field(done, 'response', 'status')).toBe('incomplete');
    expect(field(done, 'response', 'status_details')).toEqual({
      type: 'incomplete',
      reason: 'max_output_tokens',
    });
    expect(field(done, 'response', 'max_output_tokens')).toBe(3);
    // ~4 characters a token: "one two " is 2 tokens, "one two three " would be 4
    expect(field(done, 'response', 'output', 0, 'content', 0, 'text')).toBe('one two ');
    expect(field(done, 'response', 'output', 0, 'status')).toBe('incomplete');
  });

  it('creates, retrieves, truncates and deletes items; previous_item_id places them', async () => {
    const s = await start(dialect, { reply: [{ text: 'One two three four five six.' }] });
    s.send(userText('count'), { type: 'response.create' });
    const done = await s.next('response.done');
    const itemId = field<string>(done, 'response', 'output', 0, 'id');
    const userId = field<string>(
      s.events.find((e) => e.type === n.itemAdded[0]) as unknown as Ev,
      'item',
      'id',
    );
    s.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 100 });
    expect(await s.next('conversation.item.truncated')).toMatchObject({
      item_id: itemId,
      content_index: 0,
      audio_end_ms: 100,
    });
    s.send({ type: 'conversation.item.retrieve', item_id: itemId });
    const retrieved = await s.next('conversation.item.retrieved');
    expect(field(retrieved, 'item', 'id')).toBe(itemId);
    expect(field(retrieved, 'item', 'content', 0, 'transcript')).toBe(''); // truncation drops the unheard transcript
    // inserted at the start, and after the user item
    s.send({ ...(userText('first') as object), previous_item_id: 'root' } as ClientEvent);
    expect((await s.next(n.itemAdded[0]!))['previous_item_id']).toBeNull();
    s.send({ ...(userText('second') as object), previous_item_id: userId } as ClientEvent);
    expect((await s.next(n.itemAdded[0]!))['previous_item_id']).toBe(userId);
    s.send({ type: 'conversation.item.delete', item_id: itemId });
    expect(await s.next('conversation.item.deleted')).toMatchObject({ item_id: itemId });
    s.send({ type: 'conversation.item.retrieve', item_id: itemId, event_id: 'evt_gone' });
    expect((await s.next('error'))['error']).toMatchObject({ code: 'item_not_found', event_id: 'evt_gone' });
  });

  it('speaks scripted audio as given, with the scripted text as its transcript', async () => {
    const audio = new Uint8Array(48 * 250).map((_, i) => i % 251);
    const s = await start(dialect, { reply: [{ text: 'Exactly this.', audio }] });
    s.send(userText('hi'), { type: 'response.create' });
    const done = await s.next('response.done');
    const sent = Buffer.concat(
      s.events
        .filter((e) => e.type === `${n.audio}.delta`)
        .map((e) => Buffer.from((e as unknown as Ev)['delta'] as string, 'base64')),
    );
    expect(sent.equals(Buffer.from(audio))).toBe(true); // 250 ms: chunks of 100, 100 and 50 ms
    expect(s.events.filter((e) => e.type === `${n.audio}.delta`)).toHaveLength(3);
    expect(field(done, 'response', 'output', 0, 'content', 0, 'transcript')).toBe('Exactly this.');
  });

  it('fails a response as scripted: status failed with the error in status_details', async () => {
    const s = await start(dialect, {
      reply: [{ failure: { type: 'server_error', code: 'model_overloaded', message: 'busy' } }],
    });
    s.send(userText('hi'), { type: 'response.create' });
    const done = await s.next('response.done');
    expect(field(done, 'response', 'status')).toBe('failed');
    expect(field(done, 'response', 'status_details')).toEqual({
      type: 'failed',
      error: { type: 'server_error', code: 'model_overloaded', message: 'busy' },
    });
    expect(field(done, 'response', 'output')).toEqual([]);
  });

  it('answers with a scripted error event instead of a response', async () => {
    const s = await start(dialect, {
      reply: [{ error: { type: 'server_error', code: 'overloaded', message: 'Try later.' } }],
    });
    s.send(userText('hi'), { type: 'response.create' });
    expect((await s.next('error'))['error']).toEqual({
      type: 'server_error',
      code: 'overloaded',
      message: 'Try later.',
      param: null,
      event_id: null,
    });
    expect(s.types()).not.toContain('response.created');
  });

  it('ends the session with session_expired and a 1001 close', async () => {
    const s = await start(dialect, { maxSessionMs: 100 });
    const err = await s.next('error');
    expect(err['error']).toEqual({
      type: 'invalid_request_error',
      code: 'session_expired',
      message: 'Your session hit the maximum duration of 100 ms.',
      param: null,
      event_id: null,
    });
    await s.end();
    expect(s.error()).toBeInstanceOf(ConnectionClosedError);
    expect((s.error() as ConnectionClosedError).code).toBe(1001);
    await expect.poll(() => s.emulator.sessions()).toBe(0);
  });

  it('drops the socket where the script says, and the client sees 1006', async () => {
    const s = await start(dialect, { reply: [{ text: 'hello', dropAt: 'response.content_part.added' }] });
    s.send(userText('hi'), { type: 'response.create' });
    await s.end();
    expect(s.types().at(-1)).toBe(n.itemAdded[0]); // the event before content_part.added
    expect((s.error() as ConnectionClosedError).code).toBe(1006);
  });

  it('closes with the scripted code after response.done', async () => {
    const s = await start(dialect, {
      reply: [{ text: 'bye', closeAfter: { code: 1011, reason: 'scripted' } }],
    });
    s.send(userText('hi'), { type: 'response.create' });
    await s.end();
    expect(s.milestones().at(-2)).toBe('response.done');
    expect((s.error() as ConnectionClosedError).code).toBe(1011);
  });
});
