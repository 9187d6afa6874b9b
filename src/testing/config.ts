/**
 * The emulated session's configuration: what `session.created` starts with, how `session.update` changes it, which
 * values the service refuses, and the effective settings the rest of the emulator reads.
 *
 * The configuration is kept in the wire shape of the session's dialect (protocol README §4), because
 * `session.updated` must echo the full effective session in that shape. Errors use the wording of the service's
 * `invalid_request_error`s ("Unknown parameter: 'session.x'.", "Missing required parameter: 'session.type'.",
 * "Invalid value: 'x'. Supported values are: …").
 */
import type { Dialect } from '../protocol';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A session (or part of one) in the wire shape of its dialect. */
export type Json = Record<string, unknown>;

/** An `invalid_request_error` to send back for the offending client event. */
export interface ConfigError {
  readonly code: string;
  readonly message: string;
  readonly param: string | null;
}

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
// constants (protocol README §3)
// -------------------------------------------------------------------------------------

const BETA_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse'];
const GA_VOICES = [...BETA_VOICES, 'marin', 'cedar'];
const BETA_FORMATS = ['pcm16', 'g711_ulaw', 'g711_alaw'];
const GA_FORMATS = ['audio/pcm', 'audio/pcmu', 'audio/pcma'];
const TURN_TYPES = ['server_vad', 'semantic_vad'];
const EAGERNESS = ['low', 'medium', 'high', 'auto'];
const TOOL_CHOICES = ['auto', 'none', 'required'];

/** Fields a client may send in `session.update`, per dialect (§4). */
const SESSION_FIELDS: Record<Dialect, readonly string[]> = {
  preview: [
    'model',
    'modalities',
    'instructions',
    'voice',
    'input_audio_format',
    'output_audio_format',
    'input_audio_transcription',
    'input_audio_noise_reduction',
    'turn_detection',
    'tools',
    'tool_choice',
    'temperature',
    'max_response_output_tokens',
    'speed',
    'tracing',
    'include',
  ],
  ga: [
    'type',
    'model',
    'output_modalities',
    'instructions',
    'audio',
    'tools',
    'tool_choice',
    'max_output_tokens',
    'tracing',
    'prompt',
    'include',
    'truncation',
  ],
};
/** Read-only fields a client may echo back from `session.created`: ignored, as the service ignores them. */
const READ_ONLY = ['id', 'object', 'expires_at', 'client_secret'];
const GA_AUDIO_INPUT = ['format', 'transcription', 'noise_reduction', 'turn_detection'];
const GA_AUDIO_OUTPUT = ['format', 'voice', 'speed'];
const TURN_FIELDS: Record<Dialect, readonly string[]> = {
  preview: [
    'type',
    'threshold',
    'prefix_padding_ms',
    'silence_duration_ms',
    'create_response',
    'interrupt_response',
    'eagerness',
  ],
  ga: [
    'type',
    'threshold',
    'prefix_padding_ms',
    'silence_duration_ms',
    'create_response',
    'interrupt_response',
    'eagerness',
    'idle_timeout_ms',
  ],
};

/** Fields of `response.create.response`, per dialect (§5). */
export const RESPONSE_FIELDS: Record<Dialect, readonly string[]> = {
  preview: [
    'conversation',
    'metadata',
    'input',
    'instructions',
    'tools',
    'tool_choice',
    'modalities',
    'voice',
    'output_audio_format',
    'temperature',
    'max_response_output_tokens',
    // the beta `response.create` example sends it although the schema says max_response_output_tokens (§3)
    'max_output_tokens',
  ],
  ga: [
    'conversation',
    'metadata',
    'input',
    'instructions',
    'tools',
    'tool_choice',
    'output_modalities',
    'audio',
    'max_output_tokens',
    'prompt',
  ],
};

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Server VAD as a new session has it: the values of real `session.created` payloads (§3, §4; Azure: 200 ms). */
function serverVad(dialect: Dialect): Json {
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

/** The session as `session.created` / `session.updated` show it (§4: GA sends `type`, `object`, `id` first). */
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
 * `threshold`). `hasAssistantAudio`: the voice can no longer change (§3).
 */
export function updateSession(
  dialect: Dialect,
  current: Json,
  update: Json,
  hasAssistantAudio: boolean,
): { config: Json } | { error: ConfigError } {
  const problem = validateSession(dialect, update);
  if (problem) return { error: problem };
  const next: Json = structuredClone(current);
  for (const [key, value] of Object.entries(update)) {
    if (READ_ONLY.includes(key)) continue;
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
// validation
// -------------------------------------------------------------------------------------

/** Checks `session.update.session` as the service does; the first problem found, or undefined. */
export function validateSession(dialect: Dialect, s: Json): ConfigError | undefined {
  const unknown = unknownField('session', s, [...SESSION_FIELDS[dialect], ...READ_ONLY]);
  if (unknown) return unknown;
  if (dialect === 'ga') {
    if (s['type'] === undefined) return missing('session.type');
    if (s['type'] !== 'realtime') {
      if (s['type'] === 'transcription') {
        return {
          code: 'invalid_value',
          message:
            "The rx-realtime emulator does not serve transcription sessions (session.type 'transcription').",
          param: 'session.type',
        };
      }
      return oneOf('session.type', s['type'], ['realtime', 'transcription']);
    }
    if (s['output_modalities'] !== undefined) {
      const m = s['output_modalities'] as unknown[];
      if (!(m.length === 1 && (m[0] === 'audio' || m[0] === 'text'))) {
        return {
          code: 'invalid_value',
          message: `Invalid modalities: ${pyList(m)}. Supported combinations are: ['text'] and ['audio'].`,
          param: 'session.output_modalities',
        };
      }
    }
    const audio = s['audio'];
    if (audio !== undefined) {
      if (!isObject(audio)) return invalidType('session.audio', 'an object');
      const unknownAudio = unknownField('session.audio', audio, ['input', 'output']);
      if (unknownAudio) return unknownAudio;
      const input = audio['input'];
      if (isObject(input)) {
        const u = unknownField('session.audio.input', input, GA_AUDIO_INPUT);
        if (u) return u;
        const f = checkGaFormat('session.audio.input.format', input['format']);
        if (f) return f;
        const t = checkTurn(dialect, 'session.audio.input.turn_detection', input['turn_detection']);
        if (t) return t;
      }
      const output = audio['output'];
      if (isObject(output)) {
        const u = unknownField('session.audio.output', output, GA_AUDIO_OUTPUT);
        if (u) return u;
        const f = checkGaFormat('session.audio.output.format', output['format']);
        if (f) return f;
        const v = checkVoice('session.audio.output.voice', output['voice'], GA_VOICES);
        if (v) return v;
        const sp = range('session.audio.output.speed', output['speed'], 0.25, 1.5, false);
        if (sp) return sp;
      }
    }
    return checkCommon('session', s, s['max_output_tokens'], 'max_output_tokens');
  }
  if (s['modalities'] !== undefined) {
    const m = [...new Set(s['modalities'] as unknown[])];
    const ok =
      (m.length === 1 && m[0] === 'text') || (m.length === 2 && m.includes('text') && m.includes('audio'));
    // Azure: "You can't enable only audio" (protocol README §3)
    if (!ok) {
      return {
        code: 'invalid_value',
        message: `Invalid modalities: ${pyList(s['modalities'] as unknown[])}. Supported combinations are: ['text'] and ['audio', 'text'].`,
        param: 'session.modalities',
      };
    }
  }
  for (const field of ['input_audio_format', 'output_audio_format']) {
    if (s[field] !== undefined && !BETA_FORMATS.includes(s[field] as string))
      return oneOf(`session.${field}`, s[field], BETA_FORMATS);
  }
  const v = checkVoice('session.voice', s['voice'], BETA_VOICES);
  if (v) return v;
  const t = checkTurn(dialect, 'session.turn_detection', s['turn_detection']);
  if (t) return t;
  const temp = range('session.temperature', s['temperature'], 0.6, 1.2, false);
  if (temp) return temp;
  const sp = range('session.speed', s['speed'], 0.25, 1.5, false);
  if (sp) return sp;
  return checkCommon('session', s, s['max_response_output_tokens'], 'max_response_output_tokens');
}

/** Checks `response.create.response` (unknown fields, ranges, `conversation`); undefined when it is fine. */
export function validateResponse(dialect: Dialect, r: Json): ConfigError | undefined {
  const unknown = unknownField('response', r, RESPONSE_FIELDS[dialect]);
  if (unknown) return unknown;
  if (r['conversation'] !== undefined && r['conversation'] !== 'auto' && r['conversation'] !== 'none')
    return oneOf('response.conversation', r['conversation'], ['auto', 'none']);
  if (dialect === 'preview') {
    if (r['modalities'] !== undefined) {
      const m = [...new Set(r['modalities'] as unknown[])];
      const ok =
        (m.length === 1 && m[0] === 'text') || (m.length === 2 && m.includes('text') && m.includes('audio'));
      if (!ok) {
        return {
          code: 'invalid_value',
          message: `Invalid modalities: ${pyList(r['modalities'] as unknown[])}. Supported combinations are: ['text'] and ['audio', 'text'].`,
          param: 'response.modalities',
        };
      }
    }
    const v = checkVoice('response.voice', r['voice'], BETA_VOICES);
    if (v) return v;
    if (r['output_audio_format'] !== undefined && !BETA_FORMATS.includes(r['output_audio_format'] as string))
      return oneOf('response.output_audio_format', r['output_audio_format'], BETA_FORMATS);
    const temp = range('response.temperature', r['temperature'], 0.6, 1.2, false);
    if (temp) return temp;
    const max = r['max_response_output_tokens'] ?? r['max_output_tokens'];
    return checkCommon('response', r, max, 'max_response_output_tokens');
  }
  if (r['output_modalities'] !== undefined) {
    const m = r['output_modalities'] as unknown[];
    if (!(m.length === 1 && (m[0] === 'audio' || m[0] === 'text'))) {
      return {
        code: 'invalid_value',
        message: `Invalid modalities: ${pyList(m)}. Supported combinations are: ['text'] and ['audio'].`,
        param: 'response.output_modalities',
      };
    }
  }
  const output = isObject(r['audio']) ? r['audio']['output'] : undefined;
  if (isObject(output)) {
    const f = checkGaFormat('response.audio.output.format', output['format']);
    if (f) return f;
    const v = checkVoice('response.audio.output.voice', output['voice'], GA_VOICES);
    if (v) return v;
  }
  return checkCommon('response', r, r['max_output_tokens'], 'max_output_tokens');
}

function checkCommon(prefix: string, s: Json, max: unknown, maxName: string): ConfigError | undefined {
  if (max !== undefined && max !== 'inf' && max !== null) {
    const m = range(`${prefix}.${maxName}`, max, 1, 4096, true);
    if (m) return m;
  }
  const choice = s['tool_choice'];
  if (typeof choice === 'string' && !TOOL_CHOICES.includes(choice))
    return oneOf(`${prefix}.tool_choice`, choice, TOOL_CHOICES);
  const tools = (s['tools'] as Json[] | undefined) ?? [];
  for (const [i, tool] of tools.entries()) {
    if ((tool['type'] ?? 'function') === 'function' && typeof tool['name'] !== 'string')
      return missing(`${prefix}.tools[${i}].name`);
  }
  return undefined;
}

function checkTurn(dialect: Dialect, param: string, td: unknown): ConfigError | undefined {
  if (td === undefined || td === null) return undefined;
  if (!isObject(td)) return invalidType(param, 'an object');
  const unknown = unknownField(param, td, TURN_FIELDS[dialect]);
  if (unknown) return unknown;
  if (td['type'] !== undefined && td['type'] !== 'none' && !TURN_TYPES.includes(td['type'] as string))
    return oneOf(`${param}.type`, td['type'], TURN_TYPES);
  if (td['eagerness'] !== undefined && !EAGERNESS.includes(td['eagerness'] as string))
    return oneOf(`${param}.eagerness`, td['eagerness'], EAGERNESS);
  return (
    range(`${param}.threshold`, td['threshold'], 0, 1, false) ??
    range(`${param}.prefix_padding_ms`, td['prefix_padding_ms'], 0, 10_000, true) ??
    range(`${param}.silence_duration_ms`, td['silence_duration_ms'], 0, 10_000, true) ??
    (td['idle_timeout_ms'] === null
      ? undefined
      : range(`${param}.idle_timeout_ms`, td['idle_timeout_ms'], 5000, 30_000, true))
  );
}

function checkGaFormat(param: string, format: unknown): ConfigError | undefined {
  if (format === undefined) return undefined;
  if (!isObject(format)) return invalidType(param, 'an object');
  if (!GA_FORMATS.includes(format['type'] as string))
    return oneOf(`${param}.type`, format['type'], GA_FORMATS);
  // "the only PCM rate allowed is 24000" (§1)
  if (format['type'] === 'audio/pcm' && format['rate'] !== undefined && format['rate'] !== 24000)
    return oneOf(`${param}.rate`, format['rate'], [24000]);
  return undefined;
}

function checkVoice(param: string, voice: unknown, voices: readonly string[]): ConfigError | undefined {
  if (voice === undefined) return undefined;
  if (isObject(voice) && typeof voice['id'] === 'string' && voices === GA_VOICES) return undefined; // custom voice
  return voices.includes(voice as string) ? undefined : oneOf(param, voice, voices);
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

/** `semantic_vad` eagerness as a silence length: high answers sooner, low waits longer (auto = medium, §3). */
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

function unknownField(prefix: string, o: Json, known: readonly string[]): ConfigError | undefined {
  const extra = Object.keys(o).find((k) => !known.includes(k));
  return extra === undefined
    ? undefined
    : {
        code: 'unknown_parameter',
        message: `Unknown parameter: '${prefix}.${extra}'.`,
        param: `${prefix}.${extra}`,
      };
}

function missing(param: string): ConfigError {
  return { code: 'missing_required_parameter', message: `Missing required parameter: '${param}'.`, param };
}

function invalidType(param: string, expected: string): ConfigError {
  return {
    code: 'invalid_type',
    message: `Invalid type for '${param}': expected ${expected}.`,
    param,
  };
}

/** "Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'." */
export function oneOf(param: string, value: unknown, values: readonly unknown[]): ConfigError {
  const q = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
  const list =
    values.length === 1
      ? q(values[0])
      : values.length === 2
        ? `${q(values[0])} and ${q(values[1])}`
        : `${values.slice(0, -1).map(q).join(', ')}, and ${q(values.at(-1))}`;
  return {
    code: 'invalid_value',
    message: `Invalid value: ${q(value)}. Supported values are: ${list}.`,
    param,
  };
}

function range(
  param: string,
  v: unknown,
  min: number,
  max: number,
  integer: boolean,
): ConfigError | undefined {
  if (v === undefined) return undefined;
  const kind = integer ? 'integer' : 'decimal';
  if (typeof v !== 'number' || (integer && !Number.isInteger(v)))
    return invalidType(param, integer ? 'an integer' : 'a number');
  if (v < min) {
    return {
      code: `${kind}_below_min_value`,
      message: `Invalid '${param}': ${kind} below minimum value. Expected a value >= ${min}, but got ${v} instead.`,
      param,
    };
  }
  if (v > max) {
    return {
      code: `${kind}_above_max_value`,
      message: `Invalid '${param}': ${kind} above maximum value. Expected a value <= ${max}, but got ${v} instead.`,
      param,
    };
  }
  return undefined;
}

/** Python-style list, as the service prints modalities: `['audio']`. */
function pyList(values: readonly unknown[]): string {
  return `[${values.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))).join(', ')}]`;
}
