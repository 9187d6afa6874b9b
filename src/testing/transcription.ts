/**
 * Input transcription: what a committed user turn becomes in text, and the transcription-only session (opened with
 * `?intent=transcription`) that does nothing else.
 *
 * ```text
 * committed turn ──► transcriber ──► input_audio_transcription.delta* ──► .completed {transcript, usage}
 *                                └─ throws ──► .failed {error}
 * ```
 *
 * A transcription session starts with `transcription_session.created` (preview) or `session.created` with
 * `session.type: "transcription"` (GA), is changed with `transcription_session.update` (preview) or `session.update`
 * (GA), and never answers: no `response.*` event is ever sent in one.
 */
// source: protocol README §1, §5, §6
import type { ConversationItem, Dialect } from '../protocol';
import type { Json } from './config';
import type { Transcriber } from './replies';
import type { EmitServerEvent } from './serverEvent';

/** What a session is for: a conversation with responses, or transcription only (`?intent=transcription`). */
export type SessionKind = 'realtime' | 'transcription';

// -------------------------------------------------------------------------------------
// the transcription session's configuration
// -------------------------------------------------------------------------------------

/**
 * The transcription session the service starts with, in the wire shape of its dialect: server VAD on and transcription by `model` (on Azure, the deployment).
 */
// source: protocol README §4 (shapes.md `RealtimeTranscriptionSession*`), §8
export function defaultTranscriptionSession(dialect: Dialect, model: string, turnDetection: Json): Json {
  const transcription = { model, language: null, prompt: '' };
  if (dialect === 'preview') {
    return {
      modalities: ['text'],
      input_audio_format: 'pcm16',
      input_audio_transcription: transcription,
      turn_detection: turnDetection,
      input_audio_noise_reduction: null,
      include: null,
    };
  }
  return {
    type: 'transcription',
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription,
        noise_reduction: null,
        turn_detection: turnDetection,
      },
    },
    include: null,
  };
}

/** The transcription session as its created / updated events show it (object `realtime.transcription_session`). */
// source: protocol README §2
export function transcriptionSessionView(
  dialect: Dialect,
  config: Json,
  id: string,
  expiresAt: number,
): Json {
  if (dialect === 'ga') {
    const { type, ...rest } = config;
    return { type, object: 'realtime.transcription_session', id, expires_at: expiresAt, ...rest };
  }
  // the REST example of a transcription session has `client_secret: null` (§8)
  return {
    id,
    object: 'realtime.transcription_session',
    expires_at: expiresAt,
    ...config,
    client_secret: null,
  };
}

/** The name of the event a transcription session's config arrives in / is echoed with, per dialect. */
// source: protocol README §5
export const TRANSCRIPTION_EVENTS: Record<
  Dialect,
  {
    readonly update: string;
    readonly created: 'transcription_session.created' | 'session.created';
    readonly updated: 'transcription_session.updated' | 'session.updated';
  }
> = {
  preview: {
    update: 'transcription_session.update',
    created: 'transcription_session.created',
    updated: 'transcription_session.updated',
  },
  ga: { update: 'session.update', created: 'session.created', updated: 'session.updated' },
};

// -------------------------------------------------------------------------------------
// transcribing one turn
// -------------------------------------------------------------------------------------

/**
 * Transcribes one committed turn and sends its events; resolves with the transcript, or undefined when it failed
 * or the session closed meanwhile. Asynchronous relative to the response events, as on the service.
 */
// source: protocol README §9.9
export async function transcribeTurn(
  emit: EmitServerEvent,
  isClosed: () => boolean,
  transcriber: Transcriber,
  item: ConversationItem,
  pcm: Uint8Array,
  ms: number,
  model: string,
): Promise<string | undefined> {
  const ref = { item_id: item.id!, content_index: 0 };
  let transcript: string;
  try {
    transcript = await transcriber(pcm, ms);
  } catch (err) {
    if (isClosed()) return undefined;
    const e = err as { message?: unknown; code?: unknown };
    emit('conversation.item.input_audio_transcription.failed', {
      ...ref,
      error: {
        type: 'transcription_error',
        code: typeof e.code === 'string' ? e.code : null,
        message: typeof e.message === 'string' ? e.message : String(err),
        param: null,
      },
    });
    return undefined;
  }
  if (isClosed()) return undefined;
  const whisper = /whisper/i.test(model);
  // whisper-1 sends the transcript at once; the gpt-4o transcribe models stream deltas first
  if (!whisper) {
    for (const delta of transcript.split(/(?<=\s)/).filter(Boolean))
      emit('conversation.item.input_audio_transcription.delta', { ...ref, delta });
  }
  const usage = whisper
    ? { type: 'duration', seconds: Math.round(ms / 100) / 10 }
    : {
        type: 'tokens',
        input_tokens: Math.ceil(ms / 100),
        output_tokens: Math.ceil(transcript.length / 4),
        total_tokens: Math.ceil(ms / 100) + Math.ceil(transcript.length / 4),
        input_token_details: { text_tokens: 0, audio_tokens: Math.ceil(ms / 100) },
      };
  emit('conversation.item.input_audio_transcription.completed', { ...ref, transcript, usage });
  const part = item.content?.[0];
  if (part) part.transcript = transcript;
  return transcript;
}
