import { readFileSync } from 'node:fs';
import { lastValueFrom, NEVER, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, ConnectionClosedError, HandshakeError } from '../../src/client';
import { audioAppends } from '../../src/operators';
import { toPcm16Mono24k } from '../../src/audio/wav';
import { encodeMuLaw } from '../../src/audio/g711';
import { float32ToPcm16, pcm16ToFloat32, pcm16ToInt16 } from '../../src/audio/pcm';
import { resample } from '../../src/audio/resample';
import type { ClientEvent, Dialect, ServerMessage } from '../../src/protocol';
import { startEmulator } from '../../src/testing';
import { fixture, live, unknownOrInvalid, type Live } from './harness';

const opened: Live[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});
const start = async (...args: Parameters<typeof live>) => {
  const l = await live(...args);
  opened.push(l);
  return l;
};
const userText = (text: string): ClientEvent => ({
  type: 'conversation.item.create',
  event_id: 'evt_item',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});
const is = (type: string) => (e: ServerMessage) => e.type === type;
const names = {
  preview: {
    item: ['conversation.item.created'],
    audio: 'response.audio',
    transcript: 'response.audio_transcript',
    text: 'response.text',
  },
  ga: {
    item: ['conversation.item.added', 'conversation.item.done'],
    audio: 'response.output_audio',
    transcript: 'response.output_audio_transcript',
    text: 'response.output_text',
  },
};

describe.each(['preview', 'ga'] as Dialect[])('the emulator speaking %s', (dialect) => {
  const n = names[dialect];
  const textSession =
    dialect === 'preview' ? { modalities: ['text'] } : { type: 'realtime', output_modalities: ['text'] };

  it('starts with session.created, answers session.update with the merged session', async () => {
    const s = await start(dialect);
    await s.next(is('session.created'));
    s.send({ type: 'session.update', session: { ...textSession, instructions: 'Be brief.' } });
    const updated = (await s.next(is('session.updated'))) as { session: Record<string, unknown> };
    expect(updated.session['instructions']).toBe('Be brief.');
    expect(updated.session[dialect === 'preview' ? 'modalities' : 'output_modalities']).toEqual(
      dialect === 'preview' ? ['text'] : ['text'],
    );
    expect(updated.session[dialect === 'preview' ? 'voice' : 'audio']).toBeDefined(); // the rest of the session is kept
    expect(unknownOrInvalid(s.events, dialect)).toEqual([]);
  });

  it('answers a text turn with the events in the order of the protocol reference (§6)', async () => {
    const s = await start(dialect);
    s.send({ type: 'session.update', session: textSession }, userText('What is the capital of France?'), {
      type: 'response.create',
    });
    await s.next(is('rate_limits.updated'));
    const types = s.types().filter((t) => !t.endsWith('.delta'));
    expect(types).toEqual([
      'session.created',
      'session.updated',
      ...n.item,
      'response.created',
      'response.output_item.added',
      n.item[0],
      'response.content_part.added',
      `${n.text}.done`,
      'response.content_part.done',
      'response.output_item.done',
      ...(dialect === 'ga' ? ['conversation.item.done'] : []),
      'response.done',
      'rate_limits.updated',
    ]);
    const done = s.events.find(is(`${n.text}.done`)) as unknown as { text: string };
    expect(done.text).toBe(
      'You said: What is the capital of France?. This is the rx-realtime emulator answering.',
    );
    expect(
      s.events
        .filter(is(`${n.text}.delta`))
        .map((e) => (e as unknown as { delta: string }).delta)
        .join(''),
    ).toBe(done.text);
    expect(unknownOrInvalid(s.events, dialect)).toEqual([]);
  });

  it('runs a server-VAD audio turn on the speech fixture and answers with audio and transcript', async () => {
    const s = await start(dialect);
    const pcm = toPcm16Mono24k(fixture('hello.wav'));
    const appends = await lastValueFrom(audioAppends(pcm, { pace: 'fast' }).pipe(toArray()));
    s.send(...appends);
    const started = (await s.next(is('input_audio_buffer.speech_started'))) as unknown as {
      audio_start_ms: number;
      item_id: string;
    };
    const stopped = (await s.next(is('input_audio_buffer.speech_stopped'))) as unknown as {
      audio_end_ms: number;
      item_id: string;
    };
    const committed = (await s.next(is('input_audio_buffer.committed'))) as unknown as {
      item_id: string;
      previous_item_id: null;
    };
    // the speech starts ~0.5 s in (minus prefix padding) and ends ~3.9 s in (plus the silence waited for)
    expect(started.audio_start_ms).toBeGreaterThanOrEqual(0);
    expect(started.audio_start_ms).toBeLessThan(600);
    expect(stopped.audio_end_ms).toBeGreaterThan(3500);
    expect(stopped.audio_end_ms).toBeLessThan(5000);
    expect(committed.item_id).toBe(started.item_id);
    expect(committed.previous_item_id).toBeNull();
    const done = (await s.next(is('response.done'))) as unknown as {
      response: { status: string; output: { content: { transcript: string }[] }[] };
    };
    expect(done.response.status).toBe('completed');
    expect(done.response.output[0]!.content[0]!.transcript).toMatch(
      /^I heard about \d\.\d seconds of speech\./,
    );
    const audioBytes = s.events
      .filter(is(`${n.audio}.delta`))
      .reduce((sum, e) => sum + Buffer.from((e as unknown as { delta: string }).delta, 'base64').length, 0);
    expect(audioBytes).toBeGreaterThan(48000); // more than a second of spoken reply
    expect(s.types()).toContain(`${n.transcript}.done`);
    expect(unknownOrInvalid(s.events, dialect)).toEqual([]);
  });

  it('runs a function call round trip', async () => {
    const s = await start(dialect, {
      reply: [{ functionCall: { name: 'get_weather', arguments: { city: 'Paris' }, callId: 'call_42' } }],
    });
    s.send({ type: 'session.update', session: textSession }, userText('Weather in Paris?'), {
      type: 'response.create',
    });
    const args = (await s.next(is('response.function_call_arguments.done'))) as unknown as {
      arguments: string;
      call_id: string;
      name?: string;
    };
    expect(args.arguments).toBe('{"city":"Paris"}');
    expect(args.call_id).toBe('call_42');
    expect(args.name).toBe(dialect === 'ga' ? 'get_weather' : undefined);
    await s.next(is('response.done'));
    s.send(
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_42', output: '{"temperature":21}' },
      },
      { type: 'response.create' },
    );
    const text = (await s.next(is(`${n.text}.done`))) as unknown as { text: string };
    expect(text.text).toBe('The function returned {"temperature":21}. This is the rx-realtime emulator.');
    expect(unknownOrInvalid(s.events, dialect)).toEqual([]);
  });

  it('refuses a second response.create while one is active, and cancels on response.cancel', async () => {
    const s = await start(dialect, { pace: 'realtime' });
    s.send({ type: 'session.update', session: textSession }, userText('hi'), { type: 'response.create' });
    await s.next(is('response.created'));
    s.send({ type: 'response.create', event_id: 'evt_second' });
    const err = (await s.next(is('error'))) as unknown as { error: { code: string; event_id: string } };
    expect(err.error.code).toBe('conversation_already_has_active_response');
    expect(err.error.event_id).toBe('evt_second');
    s.send({ type: 'response.cancel' });
    const done = (await s.next(is('response.done'))) as unknown as {
      response: { status: string; status_details: unknown };
    };
    expect(done.response.status).toBe('cancelled');
    expect(done.response.status_details).toEqual({ type: 'cancelled', reason: 'client_cancelled' });
    s.send({ type: 'response.cancel', event_id: 'evt_cancel' });
    const none = (await s.next(is('error'))) as unknown as { error: { code: string; event_id: string } };
    expect(none.error).toMatchObject({ code: 'response_cancel_not_active', event_id: 'evt_cancel' });
  });

  it('cancels a response on barge-in with turn_detected and still sends the pending done events', async () => {
    const s = await start(dialect, {
      pace: 'realtime',
      reply: [{ text: 'This is a long answer that will be interrupted by the user speaking again.' }],
    });
    s.send(userText('tell me a story'), { type: 'response.create' });
    await s.next(is(`${n.audio}.delta`));
    const pcm = toPcm16Mono24k(fixture('hello.wav'));
    s.send(
      ...(await lastValueFrom(audioAppends(pcm.subarray(0, 48000 * 2), { pace: 'fast' }).pipe(toArray()))),
    );
    await s.next(is('input_audio_buffer.speech_started'));
    const done = (await s.next(is('response.done'))) as unknown as {
      response: { status: string; status_details: unknown; output: { status: string }[] };
    };
    expect(done.response.status).toBe('cancelled');
    expect(done.response.status_details).toEqual({ type: 'cancelled', reason: 'turn_detected' });
    expect(done.response.output[0]!.status).toBe('incomplete');
    const after = s.types().slice(s.types().indexOf('input_audio_buffer.speech_started'));
    expect(after.filter((t) => !t.endsWith('.delta') && t !== 'rate_limits.updated')).toEqual([
      'input_audio_buffer.speech_started',
      `${n.audio}.done`,
      `${n.transcript}.done`,
      'response.content_part.done',
      'response.output_item.done',
      ...(dialect === 'ga' ? ['conversation.item.done'] : []),
      'response.done',
    ]);
  });

  it('runs out-of-band responses side by side, told apart by metadata', async () => {
    const s = await start(dialect);
    s.send({ type: 'session.update', session: textSession });
    for (const topic of ['a', 'b']) {
      s.send({ type: 'response.create', response: { conversation: 'none', metadata: { topic }, input: [] } });
    }
    await s.next(is('response.done'));
    await s.next(is('response.done'));
    const created = s.events.filter(is('response.created')) as unknown as {
      response: { metadata: unknown; conversation_id: unknown };
    }[];
    expect(created.map((c) => c.response.metadata)).toEqual([{ topic: 'a' }, { topic: 'b' }]);
    expect(created.map((c) => c.response.conversation_id)).toEqual([null, null]);
    expect(s.types()).not.toContain(n.item[0]); // nothing entered the conversation
  });

  it('answers invalid client events with an error naming the event_id', async () => {
    const s = await start(dialect);
    s.send({
      type: 'conversation.item.truncate',
      event_id: 'evt_bad',
      item_id: 'nope',
      content_index: 0,
      audio_end_ms: 10,
    });
    s.send({ type: 'no.such.event', event_id: 'evt_unknown' } as unknown as ClientEvent);
    s.send({ type: 'input_audio_buffer.append', event_id: 'evt_shape', audio: 42 } as unknown as ClientEvent);
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++)
      errors.push(((await s.next(is('error'))) as unknown as { error: unknown }).error);
    expect(errors).toEqual([
      {
        type: 'invalid_request_error',
        code: 'item_not_found',
        message: "Item with item_id 'nope' not found.",
        param: 'item_id',
        event_id: 'evt_bad',
      },
      expect.objectContaining({
        type: 'invalid_request_error',
        code: 'invalid_event',
        event_id: 'evt_unknown',
        param: 'type',
      }),
      {
        type: 'invalid_request_error',
        code: 'invalid_event',
        message: 'Invalid client event: input_audio_buffer.append: expected string at audio, got 42',
        param: null,
        event_id: 'evt_shape',
      },
    ]);
  });

  it('retrieves, truncates and deletes items', async () => {
    const s = await start(dialect, { reply: [{ text: 'One two three four five six.' }] });
    s.send(userText('count'), { type: 'response.create' });
    const done = (await s.next(is('response.done'))) as unknown as { response: { output: { id: string }[] } };
    const itemId = done.response.output[0]!.id;
    s.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 100 });
    expect(await s.next(is('conversation.item.truncated'))).toMatchObject({
      item_id: itemId,
      content_index: 0,
      audio_end_ms: 100,
    });
    s.send({ type: 'conversation.item.retrieve', item_id: itemId });
    expect(
      ((await s.next(is('conversation.item.retrieved'))) as unknown as { item: { id: string } }).item.id,
    ).toBe(itemId);
    s.send({ type: 'conversation.item.delete', item_id: itemId });
    expect(await s.next(is('conversation.item.deleted'))).toMatchObject({ item_id: itemId });
    expect(unknownOrInvalid(s.events, dialect)).toEqual([]);
  });

  it('commits by hand when turn detection is off, and clears', async () => {
    const s = await start(dialect);
    const off =
      dialect === 'preview'
        ? { turn_detection: null }
        : { type: 'realtime', audio: { input: { turn_detection: null } } };
    s.send(
      { type: 'session.update', session: off },
      { type: 'input_audio_buffer.commit', event_id: 'evt_empty' },
    );
    const empty = (await s.next(is('error'))) as unknown as {
      error: { code: string; event_id: string; message: string };
    };
    expect(empty.error).toMatchObject({ code: 'input_audio_buffer_commit_empty', event_id: 'evt_empty' });
    expect(empty.error.message).toBe(
      'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has 0.00ms of audio.',
    );
    const pcm = toPcm16Mono24k(fixture('hello.wav'));
    s.send(...(await lastValueFrom(audioAppends(pcm, { pace: 'fast' }).pipe(toArray()))), {
      type: 'input_audio_buffer.commit',
    });
    const committed = (await s.next(is('input_audio_buffer.committed'))) as unknown as { item_id: string };
    const item = (await s.next(is(n.item[0]!))) as unknown as { item: { id: string; content: unknown } };
    expect(item.item.id).toBe(committed.item_id);
    expect(item.item.content).toEqual([{ type: 'input_audio', transcript: null }]);
    expect(s.types()).not.toContain('input_audio_buffer.speech_started'); // no VAD
    expect(s.types()).not.toContain('response.created'); // nothing until response.create (§6, manual mode)
    s.send(
      { type: 'input_audio_buffer.append', audio: Buffer.alloc(4800).toString('base64') },
      { type: 'input_audio_buffer.clear' },
    );
    await s.next(is('input_audio_buffer.cleared'));
    expect(unknownOrInvalid(s.events, dialect)).toEqual([]);
  });

  it('detects speech in G.711 µ-law input and transcribes with the pluggable transcriber', async () => {
    const s = await start(dialect, { transcriber: (_pcm, ms) => `about ${Math.round(ms / 1000)} seconds` });
    const pcm = toPcm16Mono24k(fixture('hello.wav'));
    const ulaw = encodeMuLaw(pcm16ToInt16(float32ToPcm16(resample(pcm16ToFloat32(pcm), 24000, 8000))));
    const session =
      dialect === 'preview'
        ? { input_audio_format: 'g711_ulaw', input_audio_transcription: { model: 'whisper-1' } }
        : {
            type: 'realtime',
            audio: { input: { format: { type: 'audio/pcmu' }, transcription: { model: 'whisper-1' } } },
          };
    s.send({ type: 'session.update', session });
    for (let o = 0; o < ulaw.length; o += 800) {
      s.send({
        type: 'input_audio_buffer.append',
        audio: Buffer.from(ulaw.subarray(o, o + 800)).toString('base64'),
      });
    }
    const stopped = (await s.next(is('input_audio_buffer.speech_stopped'))) as unknown as {
      audio_end_ms: number;
    };
    expect(stopped.audio_end_ms).toBeGreaterThan(3500); // ms counted at 8 kHz, not as bytes
    expect(stopped.audio_end_ms).toBeLessThan(5000);
    const done = (await s.next(is('conversation.item.input_audio_transcription.completed'))) as unknown as {
      transcript: string;
    };
    expect(done.transcript).toMatch(/^about \d seconds$/);
    expect(unknownOrInvalid(s.events, dialect)).toEqual([]);
  });

  it('ends the session with session_expired and a 1001 close', async () => {
    const s = await start(dialect, { maxSessionMs: 100 });
    const err = (await s.next(is('error'))) as unknown as { error: { code: string; event_id: null } };
    expect(err.error).toMatchObject({ code: 'session_expired', event_id: null });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.error()).toBeInstanceOf(ConnectionClosedError);
    expect((s.error() as ConnectionClosedError).code).toBe(1001);
    expect((s.error() as Error).message).toBe(
      'connection closed with 1001 (session expired) after server error session_expired',
    );
  });

  it('drops the socket where the script says, and the client sees 1006', async () => {
    const s = await start(dialect, { reply: [{ text: 'hello', dropAt: 'response.content_part.added' }] });
    s.send(userText('hi'), { type: 'response.create' });
    await s.next(is('response.output_item.added'));
    await new Promise((r) => setTimeout(r, 50));
    expect((s.error() as ConnectionClosedError).code).toBe(1006);
  });
});

describe('the emulator on the wire', () => {
  it('checks auth like Azure: 401 before upgrade for a wrong key, an api-version on GA, or an unknown bearer', async () => {
    const emulator = await startEmulator({ pace: 'fast', verifyToken: (t) => t === 'entra-token' });
    try {
      const fail = async (options: Parameters<typeof connect>[0]) => {
        const err = await lastValueFrom(connect({ pingIntervalMs: 0, ...options })(NEVER)).catch(
          (e: unknown) => e,
        );
        return err as HandshakeError;
      };
      const wrong = await fail({ endpoint: emulator.endpoint, deployment: 'd', apiKey: 'wrong' });
      expect(wrong.status).toBe(401);
      expect(wrong.message).toContain('Access denied due to invalid subscription key');
      const ga = await fail({
        url: `${emulator.endpoint.replace('http', 'ws')}/openai/v1/realtime?model=d&api-version=2025-04-01-preview`,
        apiKey: emulator.apiKey,
      });
      expect(ga.status).toBe(401);
      const bearer = await fail({ endpoint: emulator.endpoint, deployment: 'd', bearerToken: 'not-it' });
      expect(bearer.status).toBe(401);
      const notFound = await fail({
        url: `${emulator.endpoint.replace('http', 'ws')}/nothing/here`,
        apiKey: emulator.apiKey,
      });
      expect(notFound.status).toBe(404);
      const first = (options: Parameters<typeof connect>[0]) =>
        new Promise<string>((resolve, reject) => {
          const sub = connect({ pingIntervalMs: 0, ...options })(NEVER).subscribe({
            next: (e) => {
              resolve(e.type as string);
              sub.unsubscribe();
            },
            error: reject,
          });
        });
      expect(
        await first({
          endpoint: emulator.endpoint,
          deployment: 'd',
          apiKey: emulator.apiKey,
          apiKeyIn: 'query',
        }),
      ).toBe('session.created');
      expect(await first({ endpoint: emulator.endpoint, deployment: 'd', bearerToken: 'entra-token' })).toBe(
        'session.created',
      );
      expect(
        await first({
          endpoint: emulator.endpoint,
          deployment: 'd',
          dialect: 'ga',
          bearerToken: emulator.apiKey,
        }),
      ).toBe('session.created');
    } finally {
      await emulator.close();
    }
  });

  it('speaks TLS with a certificate it makes itself', async () => {
    const s = await start('ga', { tls: true });
    expect(s.emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(s.emulator.url).toMatch(
      /^wss:\/\/127\.0\.0\.1:\d+\/openai\/realtime\?api-version=2025-04-01-preview&deployment=emulator$/,
    );
    await s.next(is('session.created'));
  });

  it('sends conversation.created only when asked', async () => {
    const s = await start('preview', { sendConversationCreated: true });
    await s.next(is('conversation.created'));
    expect(s.types().slice(0, 2)).toEqual(['session.created', 'conversation.created']);
  });

  it('replays a recorded session and closes with 1000', async () => {
    const lines = readFileSync(
      new URL(
        '../fixtures/sessions/ga-openai-gpt-realtime-vad-turn.bravedigger-sip-gateway.jsonl',
        import.meta.url,
      ),
      'utf8',
    )
      .split('\n')
      .filter(Boolean);
    const emulator = await startEmulator({ replay: lines });
    try {
      const events = await lastValueFrom(
        connect({
          endpoint: emulator.endpoint,
          deployment: 'd',
          dialect: 'ga',
          apiKey: emulator.apiKey,
          sessionCreatedTimeoutMs: 0,
          pingIntervalMs: 0,
        })(NEVER).pipe(toArray()),
      );
      expect(events.map((e) => e.type)).toEqual(lines.map((l) => JSON.parse(l).type));
    } finally {
      await emulator.close();
    }
  });
});
