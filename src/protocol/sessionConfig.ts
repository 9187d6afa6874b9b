// `SessionConfig`, one dialect-neutral session configuration, and `sessionUpdate(config, dialect)`, the
// `session.update` client event that says it in the wire shape of a dialect.
//
// Every wire name here comes from ../shared/protocol/README.md (§3 enumerations, §4 "Session object, beta vs GA",
// §5 "Beta → GA mapping") and shapes.md beside it (`RealtimeSessionCreateRequest`, `RealtimeSessionCreateRequestGA`).
// Doc comments (which ship in the .d.ts) cite the official specs instead; the § citations are in line comments.
//
// Sections: model (the config types), errors, constructors (`sessionUpdate`), utils (the two wire writers).
import type { SessionUpdate } from './clientEvents';
import type { Dialect } from './dialect';
import type { AUDIO_FORMATS, VOICES } from './resources';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The type of a field that the dialect `D` does not have. Nothing is assignable to it, so setting the field in a
 * `SessionConfig<D>` is a type error whose text names the field and the dialect.
 */
export interface NotInDialect<D extends Dialect, Field extends string> {
  readonly 'rx-realtime: this SessionConfig field does not exist in the dialect': `${Field} is not in ${D}`;
}

/** `T` when the field exists in `D` (or `D` is not known yet), else {@link NotInDialect}. */
type Only<D extends Dialect, In extends Dialect, Field extends string, T> = [D] extends [Exclude<Dialect, In>]
  ? NotInDialect<D, Field>
  : T;

// §3 "Modalities and voices"
/** The 8 voices of the realtime models on the preview dialect (the ones Azure's realtime reference lists). */
export type PreviewVoiceName = (typeof VOICES.preview)[number];
/** GA adds `marin` and `cedar`, and later voices keep arriving: any string is accepted. */
export type GaVoiceName = (typeof VOICES.ga)[number] | (string & {});
/** A voice: a name, or GA's custom voice `{ id }` (`VoiceIdsOrCustomVoice` in the GA OpenAPI spec). */
export type VoiceConfig<D extends Dialect = Dialect> = [D] extends ['preview']
  ? PreviewVoiceName
  : GaVoiceName | { readonly id: string };

/**
 * An audio format by its preview name: 16-bit PCM at 24 kHz mono, or 8 kHz G.711 µ-law /
 * A-law. On GA it becomes `{ type: "audio/pcm", rate: 24000 }`, `{ type: "audio/pcmu" }`, `{ type: "audio/pcma" }`.
 */
export type AudioFormatName = (typeof AUDIO_FORMATS.preview)[number];

/** What the model answers with. Audio always comes with its transcript. */
export type OutputModality = 'text' | 'audio';

// §3 "Turn detection"
/**
 * Server VAD: `threshold` 0–1 (default 0.5), `prefixPaddingMs` (300), `silenceDurationMs`
 * (Azure 200, the beta spec 500), `createResponse` and `interruptResponse` (both default true). `idleTimeoutMs`
 * (5000–30000 or null) exists only on GA.
 */
export interface ServerVadConfig<D extends Dialect = Dialect> {
  readonly type: 'server_vad';
  readonly threshold?: number | undefined;
  readonly prefixPaddingMs?: number | undefined;
  readonly silenceDurationMs?: number | undefined;
  readonly createResponse?: boolean | undefined;
  readonly interruptResponse?: boolean | undefined;
  readonly idleTimeoutMs?: Only<D, 'ga', 'turnDetection.idleTimeoutMs', number | null> | undefined;
}

/** Semantic VAD: `eagerness` `low | medium | high | auto` (auto means medium). */
export interface SemanticVadConfig {
  readonly type: 'semantic_vad';
  readonly eagerness?: 'low' | 'medium' | 'high' | 'auto' | undefined;
  readonly createResponse?: boolean | undefined;
  readonly interruptResponse?: boolean | undefined;
}

/** Turn detection: server VAD, semantic VAD, or none (`null` and `{ type: 'none' }` both send `null`). */
export type TurnDetectionConfig<D extends Dialect = Dialect> =
  ServerVadConfig<D> | SemanticVadConfig | { readonly type: 'none' };

/**
 * Input transcription: `model` (on Azure, your transcription deployment's name), `language`, `prompt`.
 * GA adds `languages`, `keywords` and `delay` (`AudioTranscription` in the GA OpenAPI spec).
 */
export interface InputTranscriptionConfig<D extends Dialect = Dialect> {
  readonly model: string;
  readonly language?: string | undefined;
  readonly prompt?: string | undefined;
  readonly languages?: Only<D, 'ga', 'inputTranscription.languages', readonly string[]> | undefined;
  readonly keywords?: Only<D, 'ga', 'inputTranscription.keywords', readonly string[]> | undefined;
  readonly delay?:
    Only<D, 'ga', 'inputTranscription.delay', 'minimal' | 'low' | 'medium' | 'high' | 'xhigh'> | undefined;
}

/** A function tool: `{ type: "function", name, description, parameters }`, flat, not nested under `function`. */
export interface FunctionToolConfig {
  readonly type?: 'function' | undefined;
  readonly name: string;
  readonly description?: string | undefined;
  /** A JSON Schema of the arguments, sent as is. */
  readonly parameters?: { readonly [key: string]: unknown } | undefined;
}

/** `auto | none | required`, or one named function the model must call. */
export type ToolChoiceConfig =
  'auto' | 'none' | 'required' | { readonly type: 'function'; readonly name: string };

/** GA `tracing`: `"auto"`, or a workflow name, group id and metadata; `null` turns it off. */
export type TracingConfig =
  | 'auto'
  | {
      readonly workflowName?: string | undefined;
      readonly groupId?: string | undefined;
      readonly metadata?: { readonly [key: string]: unknown } | undefined;
    };

/** GA `truncation` (`RealtimeTruncation` in the GA OpenAPI spec). */
export type TruncationConfig =
  | 'auto'
  | 'disabled'
  | {
      readonly type: 'retention_ratio';
      readonly retentionRatio: number;
      readonly tokenLimits?: { readonly postInstructions?: number } | undefined;
    };

/** GA `prompt`: a stored prompt by id. */
export interface PromptConfig {
  readonly id: string;
  readonly version?: string | null | undefined;
  readonly variables?: { readonly [key: string]: unknown } | null | undefined;
}

/**
 * One session configuration for both dialects; {@link sessionUpdate} writes it in a dialect's wire shape.
 *
 * `SessionConfig` (no type argument) has every field of both dialects: a field the chosen dialect lacks is then a
 * thrown {@link SessionConfigError}. `SessionConfig<'preview'>` / `SessionConfig<'ga'>` leave out the other
 * dialect's fields at the type level, and so does `sessionUpdate(config, 'ga')` with a literal dialect.
 *
 * | field | preview (`session.update.session`) | GA |
 * |---|---|---|
 * | `instructions` | `instructions` | `instructions` |
 * | `voice` | `voice` | `audio.output.voice` |
 * | `outputModalities` | `modalities` (`["text"]` or `["text","audio"]`) | `output_modalities` (`["text"]` or `["audio"]`) |
 * | `inputAudioFormat` | `input_audio_format` | `audio.input.format` |
 * | `outputAudioFormat` | `output_audio_format` | `audio.output.format` |
 * | `inputTranscription` | `input_audio_transcription` | `audio.input.transcription` |
 * | `inputNoiseReduction` | `input_audio_noise_reduction` | `audio.input.noise_reduction` |
 * | `turnDetection` | `turn_detection` | `audio.input.turn_detection` |
 * | `tools`, `toolChoice` | `tools`, `tool_choice` | `tools`, `tool_choice` |
 * | `maxOutputTokens` | `max_response_output_tokens` | `max_output_tokens` |
 * | `speed` | `speed` | `audio.output.speed` |
 * | `include` | `include` | `include` |
 * | `temperature` | `temperature` | — (removed) |
 * | `tracing`, `prompt`, `truncation` | — | `tracing`, `prompt`, `truncation` |
 */
export interface SessionConfig<D extends Dialect = Dialect> {
  /** The system instructions. */
  readonly instructions?: string | undefined;
  readonly voice?: VoiceConfig<D> | undefined;
  /**
   * `['text']` for text only; any list with `'audio'` for speech with its transcript (preview
   * `["text","audio"]`, GA `["audio"]`: GA audio output always includes a transcript). Not empty.
   */
  readonly outputModalities?: readonly OutputModality[] | undefined;
  readonly inputAudioFormat?: AudioFormatName | undefined;
  readonly outputAudioFormat?: AudioFormatName | undefined;
  /** `null` turns input transcription off. */
  readonly inputTranscription?: InputTranscriptionConfig<D> | null | undefined;
  /** `null` turns noise reduction off. */
  readonly inputNoiseReduction?: 'near_field' | 'far_field' | null | undefined;
  /** `null` (or `{ type: 'none' }`): manual turns, commit and `response.create` yourself. */
  readonly turnDetection?: TurnDetectionConfig<D> | null | undefined;
  readonly tools?: readonly FunctionToolConfig[] | undefined;
  readonly toolChoice?: ToolChoiceConfig | undefined;
  /** 1–4096, or `'inf'`. */
  readonly maxOutputTokens?: number | 'inf' | undefined;
  /** Speech speed (default 1). */
  readonly speed?: number | undefined;
  /** Extra fields on server events: `['item.input_audio_transcription.logprobs']`. */
  readonly include?: readonly string[] | undefined;
  /** Preview only: 0.6–1.2, default 0.8. GA removed it. */
  readonly temperature?: Only<D, 'preview', 'temperature', number> | undefined;
  /** GA only. `null` turns tracing off. */
  readonly tracing?: Only<D, 'ga', 'tracing', TracingConfig | null> | undefined;
  /** GA only. */
  readonly prompt?: Only<D, 'ga', 'prompt', PromptConfig | null> | undefined;
  /** GA only. */
  readonly truncation?: Only<D, 'ga', 'truncation', TruncationConfig> | undefined;
}

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

/**
 * A {@link SessionConfig} that cannot be said in the dialect asked for: a field of the other dialect, an unknown
 * field, or a value outside what the config allows. Thrown by {@link sessionUpdate} instead of sending a payload
 * the service would refuse ("Unknown parameter: 'session.temperature'.").
 */
export class SessionConfigError extends Error {
  override readonly name = 'SessionConfigError';
  constructor(
    message: string,
    /** The config field, dotted (`temperature`, `turnDetection.idleTimeoutMs`). */
    readonly field: string,
    readonly dialect: Dialect,
  ) {
    super(message);
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The `session.update` client event that sets `config` in `dialect`'s wire shape.
 *
 * It's like writing the `session` object by hand, but one config serves both dialects: the beta → GA renames of
 * the session object are done for you (`modalities` → `output_modalities`, `input_audio_format` →
 * `audio.input.format`, `turn_detection` → `audio.input.turn_detection`, `voice` → `audio.output.voice` …), GA's
 * required `session.type: "realtime"` is set, and a field the dialect lacks is a type error (with a literal
 * dialect) or a {@link SessionConfigError} naming the field and the dialect, never a frame the service refuses.
 * Fields left out are left out of the event (the server keeps its current value). The config is not mutated.
 *
 * Typing: an object literal with a literal dialect is checked as `SessionConfig<'preview'>` /
 * `SessionConfig<'ga'>`; a config declared as plain `SessionConfig` (which may hold either dialect's fields), or a
 * `Dialect`-typed dialect, is checked at run time.
 *
 * ```text
 * { outputModalities: ['text'], turnDetection: null }
 *   preview → { type: 'session.update', session: { modalities: ['text'], turn_detection: null } }
 *   ga      → { type: 'session.update', session: { type: 'realtime', output_modalities: ['text'],
 *                                                  audio: { input: { turn_detection: null } } } }
 * ```
 *
 * @throws {SessionConfigError} for a field of the other dialect, an unknown field, an empty or unknown
 *   `outputModalities`, or an unknown `turnDetection.type`.
 *
 * @example
 * ```ts
 * import { sessionUpdate } from 'rx-realtime';
 *
 * const update = sessionUpdate(
 *   {
 *     instructions: 'Answer in one sentence.',
 *     outputModalities: ['text'],
 *     turnDetection: { type: 'server_vad', silenceDurationMs: 400 },
 *     tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
 *   },
 *   'ga',
 * );
 * ```
 */
export function sessionUpdate<D extends Dialect>(config: SessionConfig<D>, dialect: D): SessionUpdate {
  if (dialect !== 'preview' && dialect !== 'ga') {
    throw new SessionConfigError(
      `sessionUpdate: unknown dialect ${JSON.stringify(dialect)} (expected 'preview' or 'ga').`,
      'dialect',
      dialect,
    );
  }
  const c = config as SessionConfig;
  check(c, dialect);
  return { type: 'session.update', session: dialect === 'ga' ? gaSession(c) : previewSession(c) };
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const COMMON = [
  'instructions',
  'voice',
  'outputModalities',
  'inputAudioFormat',
  'outputAudioFormat',
  'inputTranscription',
  'inputNoiseReduction',
  'turnDetection',
  'tools',
  'toolChoice',
  'maxOutputTokens',
  'speed',
  'include',
];
// Fields one dialect has and the other lacks, with why (§3 tables, §4 "Session object, beta vs GA").
const ONLY: Record<string, { readonly in: Dialect; readonly why: string }> = {
  temperature: { in: 'preview', why: 'the GA protocol removed temperature' },
  tracing: { in: 'ga', why: 'tracing is a GA session field' },
  prompt: { in: 'ga', why: 'prompt is a GA session field' },
  truncation: { in: 'ga', why: 'truncation is a GA session field' },
  'turnDetection.idleTimeoutMs': { in: 'ga', why: 'idle_timeout_ms is a GA turn detection field' },
  'inputTranscription.languages': { in: 'ga', why: 'GA input transcription added languages' },
  'inputTranscription.keywords': { in: 'ga', why: 'GA input transcription added keywords' },
  'inputTranscription.delay': { in: 'ga', why: 'GA input transcription added delay' },
};
const TURN_FIELDS: Record<string, readonly string[]> = {
  server_vad: [
    'type',
    'threshold',
    'prefixPaddingMs',
    'silenceDurationMs',
    'createResponse',
    'interruptResponse',
    'idleTimeoutMs',
  ],
  semantic_vad: ['type', 'eagerness', 'createResponse', 'interruptResponse'],
  none: ['type'],
};
const TRANSCRIPTION_FIELDS = ['model', 'language', 'prompt', 'languages', 'keywords', 'delay'];
const TOOL_FIELDS = ['type', 'name', 'description', 'parameters'];
/** GA-only voices: a preview session refuses them. */
// source: protocol README §3
const GA_ONLY_VOICES = ['marin', 'cedar'];

/** Throws the first field `config` cannot say in `dialect`. Fields set to `undefined` count as absent. */
function check(config: SessionConfig, dialect: Dialect): void {
  const fail = (field: string, message: string): never => {
    throw new SessionConfigError(`sessionUpdate(config, '${dialect}'): ${message}`, field, dialect);
  };
  const fields = (prefix: string, o: object, known: readonly string[]) => {
    for (const [key, value] of Object.entries(o)) {
      if (value === undefined) continue;
      const field = prefix === '' ? key : `${prefix}.${key}`;
      const only = ONLY[field];
      if (only && only.in !== dialect)
        fail(
          field,
          `'${field}' exists only in the ${only.in} dialect: ${only.why}. Remove it for '${dialect}'.`,
        );
      if (!known.includes(key)) fail(field, `unknown SessionConfig field '${field}'.`);
    }
  };
  fields('', config, [...COMMON, ...Object.keys(ONLY).filter((k) => !k.includes('.'))]);
  const modalities = config.outputModalities;
  if (modalities !== undefined) {
    if (modalities.length === 0)
      fail('outputModalities', "'outputModalities' is empty: give ['text'] or ['audio'].");
    const bad = modalities.find((m) => m !== 'text' && m !== 'audio');
    if (bad !== undefined)
      fail(
        'outputModalities',
        `unknown output modality ${JSON.stringify(bad)} (expected 'text' or 'audio').`,
      );
  }
  const voice = config.voice as unknown;
  if (dialect === 'preview' && voice !== undefined) {
    if (typeof voice !== 'string')
      fail('voice', "a custom voice { id } exists only in the ga dialect. Use a voice name for 'preview'.");
    if (GA_ONLY_VOICES.includes(voice as string))
      fail('voice', `the voice '${voice as string}' exists only in the ga dialect.`);
  }
  const td = config.turnDetection;
  if (td !== undefined && td !== null) {
    const known = TURN_FIELDS[td.type];
    if (!known)
      fail(
        'turnDetection.type',
        `unknown turn detection type ${JSON.stringify(td.type)} (expected 'server_vad', 'semantic_vad' or 'none').`,
      );
    fields('turnDetection', td, known!);
  }
  const tr = config.inputTranscription;
  if (tr !== undefined && tr !== null) fields('inputTranscription', tr, TRANSCRIPTION_FIELDS);
  for (const [i, tool] of (config.tools ?? []).entries()) {
    fields(`tools[${i}]`, tool, TOOL_FIELDS);
    if (typeof tool.name !== 'string' || tool.name === '')
      fail(`tools[${i}].name`, `a function tool needs a name (tools[${i}].name).`);
    if (tool.type !== undefined && tool.type !== 'function')
      fail(
        `tools[${i}].type`,
        `only function tools are supported here (type 'function'), got ${JSON.stringify(tool.type)}.`,
      );
  }
}

/** Assigns only the defined values, in order: a field left out of the config stays out of the event. */
function defined(entries: readonly (readonly [string, unknown])[]): Json {
  const out: Json = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = value;
  return out;
}
const nonEmpty = (o: Json): Json | undefined => (Object.keys(o).length === 0 ? undefined : o);

const hasAudio = (m: readonly OutputModality[]) => m.includes('audio');

/** Beta `turn_detection`: the same snake_case fields in both dialects, `null` for off. */
// source: protocol README §3
function turnDetection(td: TurnDetectionConfig | null | undefined): Json | null | undefined {
  if (td === undefined) return undefined;
  if (td === null || td.type === 'none') return null;
  if (td.type === 'semantic_vad') {
    return defined([
      ['type', 'semantic_vad'],
      ['eagerness', td.eagerness],
      ['create_response', td.createResponse],
      ['interrupt_response', td.interruptResponse],
    ]);
  }
  return defined([
    ['type', 'server_vad'],
    ['threshold', td.threshold],
    ['prefix_padding_ms', td.prefixPaddingMs],
    ['silence_duration_ms', td.silenceDurationMs],
    ['create_response', td.createResponse],
    ['interrupt_response', td.interruptResponse],
    ['idle_timeout_ms', td.idleTimeoutMs],
  ]);
}

function transcription(tr: InputTranscriptionConfig | null | undefined): Json | null | undefined {
  if (tr === undefined || tr === null) return tr;
  return defined([
    ['model', tr.model],
    ['language', tr.language],
    ['prompt', tr.prompt],
    ['languages', tr.languages],
    ['keywords', tr.keywords],
    ['delay', tr.delay],
  ]);
}

const noiseReduction = (nr: SessionConfig['inputNoiseReduction']) =>
  nr === undefined || nr === null ? nr : { type: nr };

const tools = (list: SessionConfig['tools']) =>
  list?.map((tool) =>
    defined([
      ['type', 'function'],
      ['name', tool.name],
      ['description', tool.description],
      ['parameters', tool.parameters],
    ]),
  );

/** GA audio formats are objects; PCM's only rate is 24000. */
// source: protocol README §1 "Audio formats"
const GA_FORMAT: Record<AudioFormatName, Json> = {
  pcm16: { type: 'audio/pcm', rate: 24000 },
  g711_ulaw: { type: 'audio/pcmu' },
  g711_alaw: { type: 'audio/pcma' },
};

/** The flat beta session. */
// source: protocol README §4, shapes.md `RealtimeSessionCreateRequest`
function previewSession(c: SessionConfig): Json {
  const choice = c.toolChoice;
  return defined([
    // "modalities: ["text"] | ["text","audio"]" ... "You can't enable only audio" (§3)
    ['modalities', c.outputModalities && (hasAudio(c.outputModalities) ? ['text', 'audio'] : ['text'])],
    ['instructions', c.instructions],
    ['voice', c.voice],
    ['input_audio_format', c.inputAudioFormat],
    ['output_audio_format', c.outputAudioFormat],
    ['input_audio_transcription', transcription(c.inputTranscription)],
    ['input_audio_noise_reduction', noiseReduction(c.inputNoiseReduction)],
    ['turn_detection', turnDetection(c.turnDetection)],
    ['tools', tools(c.tools)],
    // a named function: Azure documents `{type:"function", function:{name}}` for the preview protocol (§3)
    [
      'tool_choice',
      typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice,
    ],
    ['temperature', c.temperature],
    ['max_response_output_tokens', c.maxOutputTokens],
    ['speed', c.speed],
    ['include', c.include],
  ]);
}

/** The GA session: `type: "realtime"` (required), audio settings under `audio.input` / `audio.output`. */
// source: protocol README §4
function gaSession(c: SessionConfig): Json {
  const input = defined([
    ['format', c.inputAudioFormat && GA_FORMAT[c.inputAudioFormat]],
    ['transcription', transcription(c.inputTranscription)],
    ['noise_reduction', noiseReduction(c.inputNoiseReduction)],
    ['turn_detection', turnDetection(c.turnDetection)],
  ]);
  const output = defined([
    ['format', c.outputAudioFormat && GA_FORMAT[c.outputAudioFormat]],
    ['voice', c.voice],
    ['speed', c.speed],
  ]);
  const choice = c.toolChoice;
  const tracing = c.tracing as TracingConfig | null | undefined;
  const truncation = c.truncation as TruncationConfig | undefined;
  return defined([
    ['type', 'realtime'],
    // GA: `output_modalities: ["audio"] | ["text"]`; audio output always includes a transcript (§3)
    ['output_modalities', c.outputModalities && (hasAudio(c.outputModalities) ? ['audio'] : ['text'])],
    ['instructions', c.instructions],
    [
      'audio',
      nonEmpty(
        defined([
          ['input', nonEmpty(input)],
          ['output', nonEmpty(output)],
        ]),
      ),
    ],
    ['tools', tools(c.tools)],
    // GA: `{type:"function", name}` (§3)
    ['tool_choice', typeof choice === 'object' ? { type: 'function', name: choice.name } : choice],
    ['max_output_tokens', c.maxOutputTokens],
    ['include', c.include],
    [
      'tracing',
      typeof tracing === 'object' && tracing !== null
        ? defined([
            ['workflow_name', tracing.workflowName],
            ['group_id', tracing.groupId],
            ['metadata', tracing.metadata],
          ])
        : tracing,
    ],
    ['prompt', c.prompt],
    [
      'truncation',
      typeof truncation === 'object'
        ? defined([
            ['type', 'retention_ratio'],
            ['retention_ratio', truncation.retentionRatio],
            [
              'token_limits',
              truncation.tokenLimits &&
                defined([['post_instructions', truncation.tokenLimits.postInstructions]]),
            ],
          ])
        : truncation,
    ],
  ]);
}
