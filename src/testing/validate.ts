/**
 * What the service refuses in `session.update` and `response.create`, in its words: unknown fields (the other
 * dialect's among them: "Unknown parameter: 'session.input_audio_format'."), missing ones ("Missing required
 * parameter: 'session.type'."), values outside an enum ("Invalid value: 'x'. Supported values are: 'a', 'b', and
 * 'c'.") or a range ("Invalid 'session.temperature': decimal below minimum value. …"), and the modality
 * combinations each dialect allows.
 */
// source: protocol README §3, §4
import type { Dialect } from '../protocol';
import {
  AUDIO_FORMATS,
  BetaResponseCreateParams,
  BetaSession,
  GaResponseCreateParams,
  GaSession,
  SESSION_READ_ONLY_FIELDS,
  TurnDetection,
  VOICES,
} from '../protocol/resources';

/** A session (or part of one) in the wire shape of its dialect. */
export type Json = Record<string, unknown>;

/** An `invalid_request_error` to send back for the offending client event. */
export interface ConfigError {
  readonly code: string;
  readonly message: string;
  readonly param: string | null;
}

// -------------------------------------------------------------------------------------
// constants (protocol README §3)
// -------------------------------------------------------------------------------------

const BETA_VOICES: readonly string[] = VOICES.preview;
const GA_VOICES: readonly string[] = VOICES.ga;
const BETA_FORMATS: readonly string[] = AUDIO_FORMATS.preview;
const GA_FORMATS: readonly string[] = AUDIO_FORMATS.ga;
const TURN_TYPES = ['server_vad', 'semantic_vad'];
const EAGERNESS = ['low', 'medium', 'high', 'auto'];
const TOOL_CHOICES = ['auto', 'none', 'required'];

/** Fields of `session.update.session`, per dialect: its session codec's (with the read-only ones, see below). */
// source: protocol README §4
const SESSION_FIELDS: Record<Dialect, readonly string[]> = {
  preview: Object.keys(BetaSession.props),
  ga: Object.keys(GaSession.props),
};
const GA_AUDIO = GaSession.props.audio.props;
const GA_AUDIO_FIELDS = Object.keys(GA_AUDIO);
const GA_AUDIO_INPUT = Object.keys(GA_AUDIO.input.props);
const GA_AUDIO_OUTPUT = Object.keys(GA_AUDIO.output.props);
const TURN_FIELDS: Record<Dialect, readonly string[]> = {
  // one codec decodes both dialects' turn detection; idle_timeout_ms is GA's only (§3)
  preview: Object.keys(TurnDetection.props).filter((k) => k !== 'idle_timeout_ms'),
  ga: Object.keys(TurnDetection.props),
};

/** Fields of `response.create.response`, per dialect. */
// source: protocol README §5
export const RESPONSE_FIELDS: Record<Dialect, readonly string[]> = {
  preview: Object.keys(BetaResponseCreateParams.props),
  ga: Object.keys(GaResponseCreateParams.props),
};

// -------------------------------------------------------------------------------------
// validation
// -------------------------------------------------------------------------------------

/**
 * Fields of a transcription session's update (`transcription_session.update` in preview, `session.update` with
 * `type: "transcription"` in GA; shapes.md `RealtimeTranscriptionSessionCreateRequest`, `…GA`). By hand: no codec
 * models a transcription session (`transcription_session.update` decodes with the realtime `Session`).
 */
const TRANSCRIPTION_FIELDS: Record<Dialect, readonly string[]> = {
  preview: [
    'modalities',
    'input_audio_format',
    'input_audio_transcription',
    'turn_detection',
    'input_audio_noise_reduction',
    'include',
  ],
  ga: ['type', 'audio', 'include'],
};

/**
 * Checks `session.update.session` (or `transcription_session.update.session`) as the service does; the first
 * problem found, or undefined. `kind` is what the session was opened as (`?intent=transcription`): its type cannot
 * change afterwards.
 */
export function validateSession(
  dialect: Dialect,
  s: Json,
  kind: 'realtime' | 'transcription' = 'realtime',
): ConfigError | undefined {
  if (kind === 'transcription') return validateTranscriptionSession(dialect, s);
  const unknown = unknownField('session', s, [...SESSION_FIELDS[dialect], ...SESSION_READ_ONLY_FIELDS]);
  if (unknown) return unknown;
  if (dialect === 'ga') {
    if (s['type'] === undefined) return missing('session.type');
    if (s['type'] !== 'realtime') {
      if (s['type'] === 'transcription') return typeFixed('realtime', 'transcription');
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
      const unknownAudio = unknownField('session.audio', audio, GA_AUDIO_FIELDS);
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
  const mod = checkModalities('session.modalities', s['modalities']);
  if (mod) return mod;
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

/** A transcription session's update: its own fields only, each checked as in a realtime session. */
function validateTranscriptionSession(dialect: Dialect, s: Json): ConfigError | undefined {
  const unknown = unknownField('session', s, [...TRANSCRIPTION_FIELDS[dialect], ...SESSION_READ_ONLY_FIELDS]);
  if (unknown) return unknown;
  if (dialect === 'preview') return validateSession('preview', s);
  if (s['type'] === undefined) return missing('session.type');
  if (s['type'] === 'realtime') return typeFixed('transcription', 'realtime');
  if (s['type'] !== 'transcription') return oneOf('session.type', s['type'], ['realtime', 'transcription']);
  if (isObject(s['audio'])) {
    // by hand, as above: a transcription session has no audio output
    const u = unknownField('session.audio', s['audio'], ['input']);
    if (u) return u;
  }
  return validateSession('ga', { ...s, type: 'realtime' });
}

/** A session opened as one type cannot become the other (`?intent=transcription` decides it). */
// source: protocol README §1
function typeFixed(is: string, asked: string): ConfigError {
  return {
    code: 'invalid_value',
    message: `Invalid 'session.type': this is a ${is} session and cannot become a ${asked} session (a transcription session is opened with ?intent=transcription on the URL).`,
    param: 'session.type',
  };
}

/** Checks `response.create.response` (unknown fields, ranges, `conversation`); undefined when it is fine. */
export function validateResponse(dialect: Dialect, r: Json): ConfigError | undefined {
  const unknown = unknownField('response', r, RESPONSE_FIELDS[dialect]);
  if (unknown) return unknown;
  if (r['conversation'] !== undefined && r['conversation'] !== 'auto' && r['conversation'] !== 'none')
    return oneOf('response.conversation', r['conversation'], ['auto', 'none']);
  if (dialect === 'preview') {
    const mod = checkModalities('response.modalities', r['modalities']);
    if (mod) return mod;
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

/** Beta `modalities`: `['text']` or text with audio. Azure: "You can't enable only audio". */
// source: protocol README §3
function checkModalities(param: string, value: unknown): ConfigError | undefined {
  if (value === undefined) return undefined;
  const m = [...new Set(value as unknown[])];
  const ok =
    (m.length === 1 && m[0] === 'text') || (m.length === 2 && m.includes('text') && m.includes('audio'));
  if (ok) return undefined;
  return {
    code: 'invalid_value',
    message: `Invalid modalities: ${pyList(value as unknown[])}. Supported combinations are: ['text'] and ['audio', 'text'].`,
    param,
  };
}
