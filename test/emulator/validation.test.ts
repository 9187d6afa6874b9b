// Client events the service refuses: each gets an `error` (invalid_request_error) naming the offending event_id,
// and the session goes on.
import { describe, expect, it } from 'vitest';
import type { ClientEvent, Dialect } from '../../src/protocol';
import {
  BetaResponseCreateParams,
  BetaSession,
  GaResponseCreateParams,
  GaSession,
  TurnDetection,
} from '../../src/protocol/resources';
import { SESSION_READ_ONLY_FIELDS } from '../../src/protocol/resources';
import { validateResponse, validateSession } from '../../src/testing/validate';
import { textSession, useSessions, userText, type Live } from './harness';

const start = useSessions();

/** Sends a raw event (any shape) and returns the `error` object it got. */
async function refused(s: Live, event: Record<string, unknown>): Promise<Record<string, unknown>> {
  s.send({ ...event, event_id: 'evt_x' } as unknown as ClientEvent);
  return (await s.next('error'))['error'] as Record<string, unknown>;
}

describe.each(['preview', 'ga'] as Dialect[])('invalid client events in %s', (dialect) => {
  const supported =
    dialect === 'preview'
      ? "'session.update', 'transcription_session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'output_audio_buffer.clear', 'conversation.item.create', 'conversation.item.retrieve', 'conversation.item.truncate', 'conversation.item.delete', 'response.create', and 'response.cancel'"
      : "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'output_audio_buffer.clear', 'conversation.item.create', 'conversation.item.retrieve', 'conversation.item.truncate', 'conversation.item.delete', 'response.create', and 'response.cancel'";

  it('answers an unknown type, a missing type and a wrong shape with the offending event_id', async () => {
    const s = await start(dialect);
    expect(await refused(s, { type: 'no.such.event' })).toEqual({
      type: 'invalid_request_error',
      code: 'invalid_value',
      message: `Invalid value: 'no.such.event'. Supported values are: ${supported}.`,
      param: 'type',
      event_id: 'evt_x',
    });
    expect(await refused(s, {})).toEqual({
      type: 'invalid_request_error',
      code: 'invalid_event',
      message: "The 'type' field is missing.", // the spec's own example (corpus)
      param: null,
      event_id: 'evt_x',
    });
    expect(await refused(s, { type: 'input_audio_buffer.append', audio: 42 })).toEqual({
      type: 'invalid_request_error',
      code: 'invalid_event',
      message: 'Invalid client event: input_audio_buffer.append: expected string at audio, got 42',
      param: null,
      event_id: 'evt_x',
    });
    expect(await refused(s, { type: 'input_audio_buffer.append', audio: 'not base64!' })).toMatchObject({
      code: 'invalid_value',
      param: 'audio',
      event_id: 'evt_x',
    });
    // the session goes on
    s.send(textSession(dialect));
    await s.next('session.updated');
  });

  it('refuses unknown session fields, the other dialect’s fields and bad values, as the service words them', async () => {
    const s = await start(dialect);
    const session = (fields: Record<string, unknown>) => ({
      type: 'session.update',
      session: dialect === 'ga' ? { type: 'realtime', ...fields } : fields,
    });
    // a field of the other dialect (the classic GA migration error)
    expect(
      await refused(
        s,
        session(dialect === 'ga' ? { input_audio_format: 'pcm16' } : { output_modalities: ['text'] }),
      ),
    ).toEqual({
      type: 'invalid_request_error',
      code: 'unknown_parameter',
      message: `Unknown parameter: 'session.${dialect === 'ga' ? 'input_audio_format' : 'output_modalities'}'.`,
      param: `session.${dialect === 'ga' ? 'input_audio_format' : 'output_modalities'}`,
      event_id: 'evt_x',
    });
    const voice = await refused(
      s,
      session(dialect === 'ga' ? { audio: { output: { voice: 'robot' } } } : { voice: 'robot' }),
    );
    expect(voice).toMatchObject({
      code: 'invalid_value',
      param: dialect === 'ga' ? 'session.audio.output.voice' : 'session.voice',
      message:
        dialect === 'ga'
          ? "Invalid value: 'robot'. Supported values are: 'alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', and 'cedar'."
          : "Invalid value: 'robot'. Supported values are: 'alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', and 'verse'.",
    });
    const td =
      dialect === 'ga'
        ? { audio: { input: { turn_detection: { type: 'server_vad', threshold: 2 } } } }
        : { turn_detection: { type: 'server_vad', threshold: 2 } };
    const prefix = dialect === 'ga' ? 'session.audio.input.turn_detection' : 'session.turn_detection';
    expect(await refused(s, session(td))).toEqual({
      type: 'invalid_request_error',
      code: 'decimal_above_max_value',
      message: `Invalid '${prefix}.threshold': decimal above maximum value. Expected a value <= 1, but got 2 instead.`,
      param: `${prefix}.threshold`,
      event_id: 'evt_x',
    });
    const modalities = await refused(
      s,
      session(dialect === 'ga' ? { output_modalities: ['audio', 'text'] } : { modalities: ['audio'] }),
    );
    expect(modalities['message']).toBe(
      dialect === 'ga'
        ? "Invalid modalities: ['audio', 'text']. Supported combinations are: ['text'] and ['audio']."
        : "Invalid modalities: ['audio']. Supported combinations are: ['text'] and ['audio', 'text'].",
    );
    const max = dialect === 'ga' ? 'max_output_tokens' : 'max_response_output_tokens';
    expect((await refused(s, session({ [max]: 5000 })))['message']).toBe(
      `Invalid 'session.${max}': integer above maximum value. Expected a value <= 4096, but got 5000 instead.`,
    );
    // nothing was applied
    s.send(session({}) as ClientEvent);
    const updated = (await s.next('session.updated'))['session'] as Record<string, unknown>;
    expect(
      dialect === 'ga' ? (updated['audio'] as { output: { voice: string } }).output.voice : updated['voice'],
    ).toBe('alloy');
  });

  it('fills the defaults of a new turn_detection type and keeps the rest on a partial update', async () => {
    const s = await start(dialect);
    const set = (td: unknown) =>
      s.send({
        type: 'session.update',
        session:
          dialect === 'ga'
            ? { type: 'realtime', audio: { input: { turn_detection: td } } }
            : { turn_detection: td },
      } as ClientEvent);
    const read = async () => {
      const session = (await s.next('session.updated'))['session'] as Record<string, unknown>;
      return dialect === 'ga'
        ? (session['audio'] as { input: { turn_detection: unknown } }).input.turn_detection
        : session['turn_detection'];
    };
    set({ silence_duration_ms: 800 });
    expect(await read()).toEqual({
      type: 'server_vad',
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 800,
      ...(dialect === 'ga' ? { idle_timeout_ms: null } : {}),
      create_response: true,
      interrupt_response: true,
    });
    set({ type: 'semantic_vad', eagerness: 'high' });
    expect(await read()).toEqual({
      type: 'semantic_vad',
      eagerness: 'high',
      create_response: true,
      interrupt_response: true,
    });
    set(null);
    expect(await read()).toBeNull();
  });

  it('refuses a voice change once assistant audio is in the conversation', async () => {
    const s = await start(dialect, { reply: [{ text: 'Hi.' }] });
    s.send(userText('hi'), { type: 'response.create' });
    await s.next('response.done');
    s.send({
      event_id: 'evt_voice',
      type: 'session.update',
      session:
        dialect === 'ga' ? { type: 'realtime', audio: { output: { voice: 'coral' } } } : { voice: 'coral' },
    } as ClientEvent);
    expect((await s.next('error'))['error']).toEqual({
      type: 'invalid_request_error',
      code: 'cannot_update_voice',
      message: "Cannot update a conversation's voice if assistant audio is present.",
      param: dialect === 'ga' ? 'session.audio.output.voice' : 'session.voice',
      event_id: 'evt_voice',
    });
  });

  it('refuses bad conversation items, unknown previous items, truncating what is not assistant audio', async () => {
    const s = await start(dialect);
    expect(
      await refused(s, {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', output: '1' },
      }),
    ).toEqual({
      type: 'invalid_request_error',
      code: 'missing_required_parameter',
      message: "Missing required parameter: 'item.call_id'.",
      param: 'item.call_id',
      event_id: 'evt_x',
    });
    expect(await refused(s, { ...(userText('hi') as object), previous_item_id: 'item_nope' })).toMatchObject({
      code: 'invalid_value',
      param: 'previous_item_id',
      event_id: 'evt_x',
    });
    s.send({
      ...(userText('hi') as object),
      item: { id: 'item_mine', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    } as ClientEvent);
    expect(
      await refused(s, {
        type: 'conversation.item.create',
        item: { id: 'item_mine', type: 'message', role: 'user', content: [] },
      }),
    ).toMatchObject({
      message: "Item with item_id 'item_mine' already exists.",
    });
    expect(
      await refused(s, {
        type: 'conversation.item.truncate',
        item_id: 'item_mine',
        content_index: 0,
        audio_end_ms: 10,
      }),
    ).toMatchObject({
      param: 'content_index',
      event_id: 'evt_x',
    });
    expect(await refused(s, { type: 'conversation.item.delete', item_id: 'nope' })).toEqual({
      type: 'invalid_request_error',
      code: 'item_not_found',
      message: "Item with item_id 'nope' not found.",
      param: 'item_id',
      event_id: 'evt_x',
    });
  });

  it('refuses response parameters of the other dialect and a conversation other than auto or none', async () => {
    const s = await start(dialect);
    const other = dialect === 'ga' ? 'modalities' : 'output_modalities';
    expect(await refused(s, { type: 'response.create', response: { [other]: ['text'] } })).toMatchObject({
      code: 'unknown_parameter',
      message: `Unknown parameter: 'response.${other}'.`,
    });
    expect(await refused(s, { type: 'response.create', response: { conversation: 'other' } })).toMatchObject({
      message: "Invalid value: 'other'. Supported values are: 'auto' and 'none'.",
      param: 'response.conversation',
    });
    expect(s.types()).not.toContain('response.created');
  });

  it('refuses output_audio_buffer.clear over WebSocket (WebRTC and SIP only)', async () => {
    const s = await start(dialect);
    expect(await refused(s, { type: 'output_audio_buffer.clear' })).toMatchObject({
      event_id: 'evt_x',
      param: 'type',
    });
  });
});

describe('the field lists the validator reads are the codecs’', () => {
  const unknownParam = (e: { code: string } | undefined) => e?.code === 'unknown_parameter';
  const sessions = { preview: BetaSession, ga: GaSession } as const;
  const responses = { preview: BetaResponseCreateParams, ga: GaResponseCreateParams } as const;
  const other = (d: Dialect): Dialect => (d === 'ga' ? 'preview' : 'ga');

  it.each(['preview', 'ga'] as Dialect[])(
    'accepts every field of the %s codecs and refuses the other dialect’s own',
    (dialect) => {
      const mine = Object.keys(sessions[dialect].props);
      for (const key of mine)
        expect(unknownParam(validateSession(dialect, { [key]: undefined }))).toBe(false);
      const theirs = Object.keys(sessions[other(dialect)].props).filter(
        (k) => !mine.includes(k) && !SESSION_READ_ONLY_FIELDS.includes(k), // echoes of session.created are ignored in both
      );
      expect(theirs.length).toBeGreaterThan(3);
      for (const key of theirs)
        expect(validateSession(dialect, { [key]: undefined })?.param).toBe(`session.${key}`);

      const mineR = Object.keys(responses[dialect].props);
      for (const key of mineR) expect(validateResponse(dialect, { [key]: undefined })).toBeUndefined();
      const theirsR = Object.keys(responses[other(dialect)].props).filter((k) => !mineR.includes(k));
      expect(theirsR.length).toBeGreaterThan(1);
      for (const key of theirsR)
        expect(validateResponse(dialect, { [key]: undefined })?.param).toBe(`response.${key}`);
    },
  );

  it('checks GA audio and turn detection fields against the nested codecs', () => {
    const audio = GaSession.props.audio.props;
    const session = (input: object, output: object) => ({ type: 'realtime', audio: { input, output } });
    for (const key of Object.keys(audio.input.props))
      expect(unknownParam(validateSession('ga', session({ [key]: undefined }, {})))).toBe(false);
    for (const key of Object.keys(audio.output.props))
      expect(unknownParam(validateSession('ga', session({}, { [key]: undefined })))).toBe(false);
    expect(validateSession('ga', session({ voice: 'alloy' }, {}))?.param).toBe('session.audio.input.voice');
    expect(validateSession('ga', { type: 'realtime', audio: { video: {} } })?.param).toBe(
      'session.audio.video',
    );
    const turn = (td: object) => session({ turn_detection: { type: 'server_vad', ...td } }, {});
    for (const key of Object.keys(TurnDetection.props))
      expect(unknownParam(validateSession('ga', turn({ [key]: undefined })))).toBe(false);
    // GA's own turn detection field, refused in preview
    expect(
      validateSession('preview', { turn_detection: { type: 'server_vad', idle_timeout_ms: 6000 } })?.param,
    ).toBe('session.turn_detection.idle_timeout_ms');
  });
});
