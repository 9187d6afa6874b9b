// Transcription-only sessions (`?intent=transcription`, protocol README §1, §5): the preview
// `transcription_session.*` events and GA `session.type: "transcription"`, server VAD turns transcribed by the
// emulator's transcriber, and never a response.
import { describe, expect, it } from 'vitest';
import type { ClientEvent, Dialect } from '../../src/protocol';
import { appends, handshake, hello, silence, useSessions, type Ev } from './harness';

const start = useSessions();
const SAID = 'Hello, what is the weather like in Paris today?';

/** The update a transcription session takes, in its dialect's shape (§5). */
function transcriptionUpdate(dialect: Dialect, model = 'gpt-4o-transcribe'): ClientEvent {
  const transcription = { model, language: 'en' };
  const turn_detection = { type: 'server_vad', silence_duration_ms: 500 };
  return (
    dialect === 'preview'
      ? {
          type: 'transcription_session.update',
          event_id: 'evt_update',
          session: { input_audio_transcription: transcription, turn_detection },
        }
      : {
          type: 'session.update',
          event_id: 'evt_update',
          session: { type: 'transcription', audio: { input: { transcription, turn_detection } } },
        }
  ) as ClientEvent;
}

describe.each(['preview', 'ga'] as const)('a transcription session (%s)', (dialect) => {
  const created = dialect === 'preview' ? 'transcription_session.created' : 'session.created';
  const updated = dialect === 'preview' ? 'transcription_session.updated' : 'session.updated';

  it('starts with its created event, takes its update, and transcribes each VAD turn of a WAV, never answering', async () => {
    const heard: number[] = [];
    const s = await start(
      dialect,
      {
        transcriber: (pcm, ms) => {
          heard.push(pcm.byteLength, ms);
          return SAID;
        },
      },
      { intent: 'transcription' },
    );
    const first = await s.next(created);
    const session = first['session'] as Record<string, unknown>;
    expect(session['object']).toBe('realtime.transcription_session');
    if (dialect === 'ga') expect(session['type']).toBe('transcription');
    else expect(session['input_audio_transcription']).toMatchObject({ model: 'test-deployment' });

    s.send(transcriptionUpdate(dialect));
    const echoed = (await s.next(updated))['session'] as Record<string, unknown>;
    const transcription =
      dialect === 'preview'
        ? echoed['input_audio_transcription']
        : ((echoed['audio'] as Record<string, Record<string, unknown>>)['input']![
            'transcription'
          ] as unknown);
    expect(transcription).toMatchObject({ model: 'gpt-4o-transcribe', language: 'en' });

    s.send(...appends(hello()));
    const started = await s.next('input_audio_buffer.speech_started');
    await s.next('input_audio_buffer.speech_stopped');
    const committed = await s.next('input_audio_buffer.committed');
    expect(committed['item_id']).toBe(started['item_id']);
    const completed = await s.next('conversation.item.input_audio_transcription.completed');
    expect(completed).toMatchObject({ item_id: started['item_id'], content_index: 0, transcript: SAID });
    expect(completed['usage']).toMatchObject({ type: 'tokens' });
    const deltas = s.events
      .filter((e) => e.type === 'conversation.item.input_audio_transcription.delta')
      .map((e) => e as unknown as Ev);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((d) => d['item_id'] === started['item_id'])).toBe(true);
    expect(deltas.map((d) => d['delta']).join('')).toBe(SAID);
    // the transcriber got the turn's audio: about the spoken question of hello.wav (3.45 s), as 24 kHz PCM16
    expect(heard[1]).toBeGreaterThan(2000);
    expect(heard[0]).toBe(Math.round(heard[1]! * 48) & ~1);

    // a second turn, and a barrier: by the time its transcript and the clear's answer arrive, no response came
    s.send(...appends(hello()), ...appends(silence(500)), { type: 'input_audio_buffer.clear' });
    await s.next('conversation.item.input_audio_transcription.completed');
    await s.next('input_audio_buffer.cleared');
    const order = s.milestones().filter((t) => !t.startsWith('conversation.item.added'));
    expect(order.filter((t) => t.startsWith('response.'))).toEqual([]);
    expect(
      order.filter((t) => t.startsWith('input_audio_buffer.') || t.includes('transcription.completed')),
    ).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.input_audio_transcription.completed',
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.input_audio_transcription.completed',
      'input_audio_buffer.cleared',
    ]);
  });

  it('sends whisper-1 transcripts at once (no deltas), with duration usage', async () => {
    const s = await start(dialect, { transcriber: () => SAID }, { intent: 'transcription' });
    await s.next(created);
    s.send(transcriptionUpdate(dialect, 'whisper-1'), ...appends(hello()));
    const completed = await s.next('conversation.item.input_audio_transcription.completed');
    expect(completed['transcript']).toBe(SAID);
    expect(completed['usage']).toMatchObject({ type: 'duration' });
    expect(s.types()).not.toContain('conversation.item.input_audio_transcription.delta');
  });

  it('refuses response and conversation events, and a change of session type, with invalid_request_error', async () => {
    const s = await start(dialect, {}, { intent: 'transcription' });
    await s.next(created);
    s.send({ type: 'response.create', event_id: 'evt_resp' });
    const refused = await s.next('error');
    expect(refused['error']).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'type',
      event_id: 'evt_resp',
    });
    expect(String((refused['error'] as Ev)['message'])).toMatch(/not supported in transcription sessions/);
    s.send({
      type: 'conversation.item.create',
      event_id: 'evt_item',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    });
    expect((await s.next('error'))['error']).toMatchObject({ event_id: 'evt_item', param: 'type' });
    if (dialect === 'ga') {
      s.send({ type: 'session.update', event_id: 'evt_type', session: { type: 'realtime' } } as ClientEvent);
      expect((await s.next('error'))['error']).toMatchObject({ event_id: 'evt_type', param: 'session.type' });
    } else {
      s.send({ type: 'session.update', event_id: 'evt_su', session: { instructions: 'x' } } as ClientEvent);
      expect((await s.next('error'))['error']).toMatchObject({ event_id: 'evt_su', param: 'type' });
    }
    // a manual commit still works: the refusals lost nothing
    s.send(
      { type: 'input_audio_buffer.append', audio: '' },
      { type: 'input_audio_buffer.commit', event_id: 'c' },
    );
    expect((await s.next('error'))['error']).toMatchObject({ code: 'input_audio_buffer_commit_empty' });
    expect(s.types().filter((t) => t.startsWith('response.'))).toEqual([]);
  });

  it('an unknown field of a transcription session is refused in the service wording', async () => {
    const s = await start(dialect, {}, { intent: 'transcription' });
    await s.next(created);
    const update =
      dialect === 'preview'
        ? { type: 'transcription_session.update', event_id: 'e', session: { voice: 'alloy' } }
        : { type: 'session.update', event_id: 'e', session: { type: 'transcription', instructions: 'x' } };
    s.send(update as ClientEvent);
    const field = dialect === 'preview' ? 'voice' : 'instructions';
    expect((await s.next('error'))['error']).toMatchObject({
      code: 'unknown_parameter',
      message: `Unknown parameter: 'session.${field}'.`,
      param: `session.${field}`,
    });
  });

  it('a realtime session refuses to become a transcription session', async () => {
    const s = await start(dialect);
    await s.next('session.created');
    s.send(
      (dialect === 'preview'
        ? { type: 'transcription_session.update', event_id: 'e1', session: {} }
        : { type: 'session.update', event_id: 'e1', session: { type: 'transcription' } }) as ClientEvent,
    );
    const e = (await s.next('error'))['error'] as Ev;
    expect(e).toMatchObject({ type: 'invalid_request_error', event_id: 'e1' });
    expect(String(e['message'])).toMatch(/intent=transcription/);
  });
});

describe('the intent=transcription URL', () => {
  it('opens a transcription session on OpenAI /v1/realtime without a model, preview with the beta header', async () => {
    const s = await start('ga');
    const base = s.emulator.endpoint.replace(/^http/, 'ws');
    const auth = { Authorization: `Bearer ${s.emulator.apiKey}` };
    const ga = await handshake(`${base}/v1/realtime?intent=transcription`, { headers: auth });
    expect(ga).toMatchObject({ first: { type: 'session.created', session: { type: 'transcription' } } });
    const beta = await handshake(`${base}/v1/realtime?intent=transcription`, {
      headers: { ...auth, 'OpenAI-Beta': 'realtime=v1' },
    });
    expect(beta).toMatchObject({
      first: { type: 'transcription_session.created', session: { object: 'realtime.transcription_session' } },
    });
    const azure = await handshake(
      `${base}/openai/realtime?api-version=2025-04-01-preview&deployment=my-transcribe&intent=transcription`,
      { headers: { 'api-key': s.emulator.apiKey } },
    );
    expect(azure).toMatchObject({
      first: {
        type: 'transcription_session.created',
        session: { input_audio_transcription: { model: 'my-transcribe' } },
      },
    });
  });

  it('refuses an intent it does not know with 400, before the upgrade', async () => {
    const s = await start('ga');
    const base = s.emulator.endpoint.replace(/^http/, 'ws');
    const refused = await handshake(`${base}/openai/v1/realtime?model=m&intent=chat`, {
      headers: { 'api-key': s.emulator.apiKey },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { param: 'intent', code: 'invalid_value' } },
    });
  });
});
