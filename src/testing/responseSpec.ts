/**
 * What one response will be, decided when it is created: the request's parameters where it gives them, else the
 * session's, with the token estimates its usage reports.
 */
// source: protocol README §5 for the field names per dialect
import type { Dialect, ResponseCreateParams } from '../protocol';
import type { AudioFormat, Effective, Json } from './config';
import type { Conversation, StoredItem } from './conversation';

/** The effective parameters of one response (the request's, else the session's). */
export interface ResponseSpec {
  readonly outOfBand: boolean;
  readonly metadata: Record<string, unknown> | null;
  readonly conversationId: string | null;
  readonly audio: boolean;
  /** The modalities to echo: beta `modalities`, GA `output_modalities`. */
  readonly modalities: readonly string[];
  /** The voice name to speak with. */
  readonly voice: string;
  /** The voice as the wire shows it (a GA custom voice is `{ id }`). */
  readonly voiceEcho: unknown;
  readonly speed: number;
  readonly outputFormat: AudioFormat;
  readonly temperature: number;
  readonly maxOutputTokens: number | 'inf';
  /** Estimated input tokens (the context the response reads). */
  readonly inputTokens: { readonly text: number; readonly audio: number };
}

/** Token estimates: ~4 characters a text token, one audio token per 50 ms of output audio. */
export const textTokens = (s: string) => Math.ceil(s.length / 4);
export const audioTokens = (ms: number) => Math.ceil(ms / 50);

/** What {@link responseSpecOf} reads from the session. */
export interface SpecInput {
  readonly dialect: Dialect;
  readonly config: Json;
  readonly settings: Effective;
  readonly conversation: Conversation;
  readonly conversationId: string;
  readonly request: ResponseCreateParams | undefined;
  readonly outOfBand: boolean;
}

/** The parameters of a response: the request's where it gives them, else the session's. */
export function responseSpecOf(input: SpecInput): ResponseSpec {
  const { dialect, config, settings: s, request, outOfBand } = input;
  const ga = dialect === 'ga';
  const modalities = ga
    ? (request?.output_modalities ?? (config['output_modalities'] as string[]))
    : (request?.modalities ?? (config['modalities'] as string[]));
  const requestFormat = ga ? request?.audio?.output?.format : undefined;
  const outputFormat: AudioFormat = ga
    ? requestFormat
      ? requestFormat.type === 'audio/pcmu'
        ? 'g711_ulaw'
        : requestFormat.type === 'audio/pcma'
          ? 'g711_alaw'
          : 'pcm16'
      : s.outputFormat
    : ((request?.output_audio_format as AudioFormat | undefined) ?? s.outputFormat);
  const voice = ga ? request?.audio?.output?.voice : request?.voice;
  const max = ga
    ? request?.max_output_tokens
    : (request?.max_response_output_tokens ?? request?.max_output_tokens);
  return {
    outOfBand,
    metadata: (request?.metadata as Record<string, unknown> | null | undefined) ?? null,
    conversationId: outOfBand ? null : input.conversationId,
    audio: modalities.includes('audio'),
    modalities,
    voice: typeof voice === 'string' ? voice : (voice?.id ?? s.voice),
    voiceEcho:
      voice ??
      (ga
        ? ((config['audio'] as Json | undefined)?.['output'] as Json | undefined)?.['voice']
        : config['voice']) ??
      'alloy',
    speed: s.speed,
    outputFormat,
    temperature: request?.temperature ?? s.temperature,
    maxOutputTokens: typeof max === 'number' ? max : max === 'inf' ? 'inf' : s.maxOutputTokens,
    inputTokens: inputTokens(input),
  };
}

/** Estimated tokens of what the response reads: instructions and conversation (or the request's input). */
function inputTokens({ request, outOfBand, settings, conversation }: SpecInput) {
  let text = Math.ceil((request?.instructions ?? settings.instructions).length / 4);
  let audio = 0;
  const items: readonly StoredItem[] =
    outOfBand || request?.input ? (request?.input ?? []).map((item) => ({ item })) : conversation.all();
  for (const s of items) {
    for (const c of s.item.content ?? []) text += Math.ceil((c.text ?? c.transcript ?? '').length / 4);
    text += Math.ceil(((s.item.arguments ?? '') + (s.item.output ?? '')).length / 4);
    audio += Math.ceil((s.inputAudioMs ?? 0) / 100) + Math.ceil((s.audioMs ?? 0) / 50);
  }
  return { text, audio };
}

/** `usage` in the shape of the dialect: GA adds image tokens and cached details ([rec-GA]). */
export function usageOf(
  dialect: Dialect,
  { text, audio }: ResponseSpec['inputTokens'],
  outText: number,
  outAudio: number,
) {
  const input = text + audio;
  const output = outText + outAudio;
  return {
    total_tokens: input + output,
    input_tokens: input,
    output_tokens: output,
    input_token_details:
      dialect === 'ga'
        ? {
            text_tokens: text,
            audio_tokens: audio,
            image_tokens: 0,
            cached_tokens: 0,
            cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
          }
        : { cached_tokens: 0, text_tokens: text, audio_tokens: audio },
    output_token_details: { text_tokens: outText, audio_tokens: outAudio },
  };
}
