/**
 * The emulated session's configuration: what `session.created` starts with, how `session.update` changes it (after
 * `validate.ts` has checked it as the service does), and the effective settings the rest of the emulator reads.
 *
 * The configuration is kept in the wire shape of the session's dialect, because
 * `session.updated` must echo the full effective session in that shape.
 */
// source: protocol README §4
import type { Dialect } from '../protocol';
import { SESSION_READ_ONLY_FIELDS } from '../protocol/resources';
import { validateSession, type ConfigError, type Json } from './validate';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

// the types validate.ts checks against live there, so that the two files do not import each other
export type { ConfigError, Json } from './validate';

export type AudioFormat = 'pcm16' | 'g711_ulaw' | 'g711_alaw';

/** Turn detection as the VAD and the session read it; `null` is manual commit. */
export interface TurnSettings {
  readonly type: 'server_vad' | 'semantic_vad';
  readonly threshold: number;
  readonly prefixPaddingMs: number;
  readonly silenceDurationMs: number;
  readonly createResponse: boolean;
  readonly interruptResponse: boolean;
  /** GA `idle_timeout_ms`: silence after a response before `input_audio_buffer.timeout_triggered`; null = off. */
  readonly idleTimeoutMs: number | null;
}

/** What the emulator needs to know of a session, whatever its dialect. */
export interface Effective {
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;
  readonly voice: string;
  /** `speed` (preview) / `audio.output.speed` (GA); default 1. */
  readonly speed: number;
  readonly audioOut: boolean;
  readonly turn: TurnSettings | null;
  readonly transcription: { readonly model: string } | null;
  readonly instructions: string;
  readonly tools: readonly Json[];
  readonly toolChoice: unknown;
  readonly maxOutputTokens: number | 'inf';
  /** Preview only (GA removed it); default 0.8. */
  readonly temperature: number;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Server VAD as a new session has it: the values of real `session.created` payloads. */
// source: protocol README §3, §4; Azure: 200 ms
export function serverVad(dialect: Dialect): Json {
  return {
    type: 'server_vad',
    threshold: 0.5,
    prefix_padding_ms: 300,
    silence_duration_ms: 200,
    ...(dialect === 'ga' ? { idle_timeout_ms: null } : {}),
    create_response: true,
    interrupt_response: true,
  };
}

function semanticVad(): Json {
  return { type: 'semantic_vad', eagerness: 'auto', create_response: true, interrupt_response: true };
}

/**
 * The session the service starts with, in the key order of the recorded `session.created` payloads (Azure preview
 * how-to capture; GA: [rec-GA]); `id`, `object`, `expires_at` are added by {@link sessionView}.
 */
export function defaultSession(dialect: Dialect, model: string): Json {
  if (dialect === 'preview') {
    return {
      model,
      modalities: ['audio', 'text'],
      instructions: '',
      voice: 'alloy',
      turn_detection: serverVad('preview'),
      input_audio_format: 'pcm16',
      output_audio_format: 'pcm16',
      input_audio_transcription: null,
      input_audio_noise_reduction: null,
      tool_choice: 'auto',
      temperature: 0.8,
      max_response_output_tokens: 'inf',
      tools: [],
    };
  }
  return {
    type: 'realtime',
    model,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: serverVad('ga'),
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1.0 },
    },
    include: null,
  };
}

/** The session as `session.created` / `session.updated` show it (GA sends `type`, `object`, `id` first). */
// source: protocol README §4
export function sessionView(dialect: Dialect, config: Json, id: string, expiresAt: number): Json {
  if (dialect === 'ga') {
    const { type, ...rest } = config;
    const { audio, include, ...head } = rest;
    return { type, object: 'realtime.session', id, ...head, expires_at: expiresAt, audio, include };
  }
  const { model, ...rest } = config;
  return { id, object: 'realtime.session', model, expires_at: expiresAt, ...rest };
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Applies `session.update`: validates it like the service, then merges it into `current`. Plain fields are
 * replaced; GA `audio`, `audio.input` and `audio.output` merge field by field; `turn_detection` merges onto the
 * current one of the same type and gets the defaults of its type otherwise (a new `semantic_vad` has no
 * `threshold`). `hasAssistantAudio`: the voice can no longer change. `kind`: a transcription session takes
 * only its own fields (`transcription.ts`).
 */
// source: protocol README §3
export function updateSession(
  dialect: Dialect,
  current: Json,
  update: Json,
  hasAssistantAudio: boolean,
  kind: 'realtime' | 'transcription' = 'realtime',
): { config: Json } | { error: ConfigError } {
  const problem = validateSession(dialect, update, kind);
  if (problem) return { error: problem };
  const next: Json = structuredClone(current);
  for (const [key, value] of Object.entries(update)) {
    if (SESSION_READ_ONLY_FIELDS.includes(key)) continue; // echoes of session.created: ignored, as the service does
    if (key === 'turn_detection') next[key] = mergeTurn(dialect, current[key], value);
    else if (key === 'audio' && dialect === 'ga') {
      const audio = (next['audio'] ?? {}) as Json;
      const given = value as Json;
      for (const side of ['input', 'output'] as const) {
        if (!isObject(given[side])) continue;
        const merged = { ...((audio[side] as Json | undefined) ?? {}) };
        for (const [k, v] of Object.entries(given[side])) {
          if (k === 'turn_detection') merged[k] = mergeTurn(dialect, merged[k], v);
          else if (k === 'format') merged[k] = fullFormat(v as Json);
          else merged[k] = v;
        }
        audio[side] = merged;
      }
      next['audio'] = audio;
    } else next[key] = value;
  }
  if (hasAssistantAudio && voiceOf(dialect, next) !== voiceOf(dialect, current)) {
    return {
      error: {
        code: 'cannot_update_voice',
        message: "Cannot update a conversation's voice if assistant audio is present.",
        param: dialect === 'ga' ? 'session.audio.output.voice' : 'session.voice',
      },
    };
  }
  return { config: next };
}

/** The settings the emulator acts on, read from a session of either dialect. */
export function effective(dialect: Dialect, config: Json): Effective {
  if (dialect === 'preview') {
    return {
      inputFormat: (config['input_audio_format'] as AudioFormat | undefined) ?? 'pcm16',
      outputFormat: (config['output_audio_format'] as AudioFormat | undefined) ?? 'pcm16',
      voice: voiceOf(dialect, config),
      speed: typeof config['speed'] === 'number' ? config['speed'] : 1,
      audioOut: ((config['modalities'] as string[] | undefined) ?? ['audio']).includes('audio'),
      turn: turnSettings(config['turn_detection']),
      transcription: transcriptionOf(config['input_audio_transcription']),
      instructions: String(config['instructions'] ?? ''),
      tools: (config['tools'] as Json[] | undefined) ?? [],
      toolChoice: config['tool_choice'] ?? 'auto',
      maxOutputTokens: maxTokens(config['max_response_output_tokens']),
      temperature: typeof config['temperature'] === 'number' ? config['temperature'] : 0.8,
    };
  }
  const input = ((config['audio'] as Json | undefined)?.['input'] ?? {}) as Json;
  const output = ((config['audio'] as Json | undefined)?.['output'] ?? {}) as Json;
  return {
    inputFormat: gaFormat(input['format']),
    outputFormat: gaFormat(output['format']),
    voice: voiceOf(dialect, config),
    speed: typeof output['speed'] === 'number' ? output['speed'] : 1,
    audioOut: ((config['output_modalities'] as string[] | undefined) ?? ['audio']).includes('audio'),
    turn: turnSettings(input['turn_detection']),
    transcription: transcriptionOf(input['transcription']),
    instructions: String(config['instructions'] ?? ''),
    tools: (config['tools'] as Json[] | undefined) ?? [],
    toolChoice: config['tool_choice'] ?? 'auto',
    maxOutputTokens: maxTokens(config['max_output_tokens']),
    temperature: 0.8,
  };
}

/** The GA format object of an internal format name (for `response.audio.output.format`). */
export function gaFormatObject(format: AudioFormat): Json {
  return format === 'pcm16'
    ? { type: 'audio/pcm', rate: 24000 }
    : { type: format === 'g711_ulaw' ? 'audio/pcmu' : 'audio/pcma' };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function mergeTurn(dialect: Dialect, current: unknown, update: unknown): unknown {
  if (update === null || (isObject(update) && update['type'] === 'none')) return null;
  const given = update as Json;
  const type = given['type'] ?? (isObject(current) ? current['type'] : 'server_vad');
  const base = isObject(current) && current['type'] === type ? current : undefined;
  const defaults = type === 'semantic_vad' ? semanticVad() : serverVad(dialect);
  return { ...defaults, ...(base ?? {}), ...given, type };
}

function fullFormat(format: Json): Json {
  return format['type'] === 'audio/pcm' ? { type: 'audio/pcm', rate: 24000 } : { type: format['type'] };
}

function turnSettings(td: unknown): TurnSettings | null {
  if (!isObject(td) || td['type'] === 'none') return null;
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  // semantic_vad has no threshold or timings: it behaves as server_vad with its defaults (documented)
  return {
    type: td['type'] === 'semantic_vad' ? 'semantic_vad' : 'server_vad',
    threshold: num(td['threshold'], 0.5),
    prefixPaddingMs: num(td['prefix_padding_ms'], 300),
    silenceDurationMs: num(td['silence_duration_ms'], semanticSilence(td['eagerness'])),
    createResponse: td['create_response'] !== false,
    interruptResponse: td['interrupt_response'] !== false,
    idleTimeoutMs: typeof td['idle_timeout_ms'] === 'number' ? td['idle_timeout_ms'] : null,
  };
}

/** `semantic_vad` eagerness as a silence length: high answers sooner, low waits longer (auto = medium). */
// source: protocol README §3
function semanticSilence(eagerness: unknown): number {
  return eagerness === 'high' ? 200 : eagerness === 'low' ? 1000 : 500;
}

function transcriptionOf(t: unknown): { model: string } | null {
  return isObject(t) ? { model: String(t['model'] ?? '') } : null;
}

function maxTokens(v: unknown): number | 'inf' {
  return typeof v === 'number' ? v : 'inf';
}

function gaFormat(f: unknown): AudioFormat {
  const type = isObject(f) ? f['type'] : undefined;
  return type === 'audio/pcmu' ? 'g711_ulaw' : type === 'audio/pcma' ? 'g711_alaw' : 'pcm16';
}

function voiceOf(dialect: Dialect, config: Json): string {
  const v =
    dialect === 'ga'
      ? ((config['audio'] as Json | undefined)?.['output'] as Json | undefined)?.['voice']
      : config['voice'];
  return typeof v === 'string' ? v : isObject(v) ? String(v['id']) : 'alloy';
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
