/**
 * Codecs of the shared resources carried inside events: content parts, conversation items, responses, usage,
 * sessions (both dialects), rate limits and errors.
 *
 * Every nested codec is open and lenient, as the published payloads require: the beta
 * `RealtimeResponse`, `RealtimeSession` and `RealtimeConversationItem` schemas have no required fields, templates
 * omit nearly everything, and real servers send `null` where the specs say string or object. Enums are
 * {@link OpenEnum}s. Nothing is required here unless the library routes by it.
 */
// source: protocol README §9.2, §9.3, §9.4
import * as t from 'io-ts';
import { AnyObject, Int, nullable, openEnum, type OpenEnum } from './codec';

// -------------------------------------------------------------------------------------
// enums (§3)
// -------------------------------------------------------------------------------------

/** Content part types of both dialects: GA items say `output_text`/`output_audio`, GA parts keep `text`/`audio`. */
// source: protocol README §5, §9.4
export type ContentType = OpenEnum<
  | 'input_text'
  | 'input_audio'
  | 'input_image'
  | 'item_reference'
  | 'text'
  | 'audio'
  | 'output_text'
  | 'output_audio'
>;
export const ContentType = openEnum<
  | 'input_text'
  | 'input_audio'
  | 'input_image'
  | 'item_reference'
  | 'text'
  | 'audio'
  | 'output_text'
  | 'output_audio'
>('ContentType');

/** Item types; GA adds the MCP ones. */
export type ItemType = OpenEnum<
  | 'message'
  | 'function_call'
  | 'function_call_output'
  | 'mcp_call'
  | 'mcp_list_tools'
  | 'mcp_approval_request'
  | 'mcp_approval_response'
>;
export const ItemType = openEnum<
  | 'message'
  | 'function_call'
  | 'function_call_output'
  | 'mcp_call'
  | 'mcp_list_tools'
  | 'mcp_approval_request'
  | 'mcp_approval_response'
>('ItemType');

/** `in_progress` is real on beta items though the beta spec omits it. */
// source: protocol README §3
export const ItemStatus = openEnum<'in_progress' | 'completed' | 'incomplete'>('ItemStatus');
export const Role = openEnum<'user' | 'assistant' | 'system'>('Role');
/** `in_progress` is real on beta responses though the beta spec omits it. */
// source: protocol README §3
export const ResponseStatus = openEnum<'in_progress' | 'completed' | 'cancelled' | 'failed' | 'incomplete'>(
  'ResponseStatus',
);
export const StatusReason = openEnum<
  'turn_detected' | 'client_cancelled' | 'max_output_tokens' | 'content_filter'
>('StatusReason');
/**
 * The voices of the realtime models: the preview dialect's eight, and the two GA adds. Later voices keep arriving,
 * so the codecs stay open; the emulator and `sessionUpdate` check against these lists.
 */
// source: protocol README §3 "Modalities and voices"
export const VOICES = {
  preview: ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse'],
  ga: ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'],
} as const;
/** The audio formats: preview names, and GA's `format.type` values, in the same order (PCM16 24 kHz, µ-law, A-law). */
// source: protocol README §1 "Audio formats"
export const AUDIO_FORMATS = {
  preview: ['pcm16', 'g711_ulaw', 'g711_alaw'],
  ga: ['audio/pcm', 'audio/pcmu', 'audio/pcma'],
} as const;
/** A voice name (open: `marin`, `cedar` and later ones), or GA's custom voice `{ id }`. */
// source: protocol README §3, §9.4
export const Voice = t.union(
  [openEnum<(typeof VOICES.ga)[number]>('VoiceName'), t.type({ id: t.string }, 'CustomVoice')],
  'Voice',
);
/** `int(1–4096) | "inf"`, and `null` as real session payloads send it. */
// source: protocol README §3, §9.5
export const MaxTokens = nullable(t.union([t.number, t.literal('inf')], 'MaxTokens'));
export const BetaAudioFormat = openEnum<(typeof AUDIO_FORMATS.preview)[number]>('BetaAudioFormat');
export const GaAudioFormat = t.partial(
  {
    type: openEnum<(typeof AUDIO_FORMATS.ga)[number]>('GaAudioFormatType'),
    rate: t.number,
  },
  'GaAudioFormat',
);
export interface GaAudioFormat extends t.TypeOf<typeof GaAudioFormat> {}

// -------------------------------------------------------------------------------------
// content and items
// -------------------------------------------------------------------------------------

/** One content part of an item, or the `part` of `response.content_part.*`. */
export const ContentPart = t.partial(
  {
    type: ContentType,
    text: t.string,
    audio: t.string,
    /** `null` on user `input_audio` until transcribed. */
    // source: protocol README §9.2
    transcript: nullable(t.string),
    id: t.string,
    image_url: t.string,
    detail: t.string,
  },
  'ContentPart',
);
export interface ContentPart extends t.TypeOf<typeof ContentPart> {}

/** A conversation item: message, function_call, function_call_output (and GA's MCP items), all fields optional. */
export const ConversationItem = t.partial(
  {
    id: t.string,
    type: ItemType,
    object: t.string,
    status: ItemStatus,
    role: Role,
    content: t.array(ContentPart),
    call_id: t.string,
    name: t.string,
    arguments: t.string,
    /** A string on `function_call_output`; GA `mcp_call` items send `null` until there is output (shapes.md). */
    output: nullable(t.string),
  },
  'ConversationItem',
);
export interface ConversationItem extends t.TypeOf<typeof ConversationItem> {}

// -------------------------------------------------------------------------------------
// responses
// -------------------------------------------------------------------------------------

/** Client metadata (`metadata`): a map of any values, or `null`. */
// source: protocol README §9.2
export const Metadata = nullable(t.record(t.string, t.unknown, 'Metadata'));

const TokenCounts = { text_tokens: t.number, audio_tokens: t.number, image_tokens: t.number };

/**
 * Token usage on `response.done` (`null` on `response.created`). Counts are numbers, not checked against
 * each other: the spec's own example has more cached tokens than input tokens.
 */
// source: protocol README §3
export const Usage = t.partial(
  {
    total_tokens: t.number,
    input_tokens: t.number,
    output_tokens: t.number,
    input_token_details: t.partial(
      {
        cached_tokens: t.number,
        ...TokenCounts,
        cached_tokens_details: t.partial(TokenCounts, 'CachedTokensDetails'),
      },
      'InputTokenDetails',
    ),
    output_token_details: t.partial(TokenCounts, 'OutputTokenDetails'),
  },
  'Usage',
);
export interface Usage extends t.TypeOf<typeof Usage> {}

export const StatusDetails = t.partial(
  {
    type: ResponseStatus,
    reason: StatusReason,
    error: nullable(
      t.partial({ type: t.string, code: nullable(t.string), message: t.string }, 'StatusDetailsError'),
    ),
  },
  'StatusDetails',
);
export interface StatusDetails extends t.TypeOf<typeof StatusDetails> {}

/** The `realtime.response` object of `response.created` / `response.done`, both dialects. */
export const Response = t.partial(
  {
    id: t.string,
    object: t.string,
    status: ResponseStatus,
    status_details: nullable(StatusDetails),
    output: t.array(ConversationItem),
    /** Client metadata echoed back, how out-of-band responses are told apart. */
    // source: protocol README §6
    metadata: Metadata,
    /** `null` on `response.created`. */
    // source: protocol README §3
    usage: nullable(Usage),
    conversation_id: nullable(t.string),
    // beta
    modalities: t.array(t.string),
    voice: Voice,
    output_audio_format: BetaAudioFormat,
    temperature: t.number,
    max_output_tokens: MaxTokens,
    // GA
    output_modalities: t.array(t.string),
    audio: t.partial(
      { output: t.partial({ format: GaAudioFormat, voice: Voice }, 'ResponseAudioOutput') },
      'ResponseAudio',
    ),
  },
  'Response',
);
export interface Response extends t.TypeOf<typeof Response> {}

// -------------------------------------------------------------------------------------
// sessions (§4)
// -------------------------------------------------------------------------------------

export const TurnDetection = t.partial(
  {
    /** `server_vad`, `semantic_vad`, and Azure's `none`. */
    // source: protocol README §3, §9.4
    type: openEnum<'server_vad' | 'semantic_vad' | 'none'>('TurnDetectionType'),
    threshold: t.number,
    prefix_padding_ms: t.number,
    silence_duration_ms: t.number,
    create_response: t.boolean,
    interrupt_response: t.boolean,
    eagerness: openEnum<'low' | 'medium' | 'high' | 'auto'>('Eagerness'),
    idle_timeout_ms: nullable(t.number),
  },
  'TurnDetection',
);
export interface TurnDetection extends t.TypeOf<typeof TurnDetection> {}

/** Input transcription settings: beta `input_audio_transcription`, GA `audio.input.transcription`. */
// source: protocol README §3
export const Transcription = t.partial(
  { model: t.string, language: nullable(t.string), prompt: t.string },
  'Transcription',
);
/** `{ type: "near_field" | "far_field" }`. */
// source: protocol README §3
export const NoiseReduction = t.partial({ type: t.string }, 'NoiseReduction');
/**
 * A tool: `{ type: "function", name, description, parameters }` (flat), or GA's `{ type: "mcp", server_label, … }`.
 * `type` is optional as in the spec's `RealtimeFunctionTool`; nested objects require nothing.
 */
// source: protocol README shapes.md, §3, §9.3
export const Tool = t.partial(
  {
    type: openEnum<'function' | 'mcp'>('ToolType'),
    name: t.string,
    description: t.string,
    parameters: AnyObject,
  },
  'Tool',
);
export interface Tool extends t.TypeOf<typeof Tool> {}
/** `"auto" | "none" | "required"`, or a named function / MCP tool object. */
// source: protocol README §3
export const ToolChoice = t.union([t.string, AnyObject], 'ToolChoice');

/**
 * The session fields only the server writes (in `session.created` / `session.updated`): a `session.update` that
 * echoes them back has them ignored. By hand: the session codecs decode the server's sessions too, so they cannot
 * say which fields these are. Internal (the emulator's validation and `session()`'s replay read it).
 */
// source: protocol README §4 (the session object's `id`, `object`, `expires_at`; preview's `client_secret`)
export const SESSION_READ_ONLY_FIELDS: readonly string[] = ['id', 'object', 'expires_at', 'client_secret'];

/** Beta session: `session.update.session`, `session.created/updated.session`. Flat fields. */
// source: protocol README §4
export const BetaSession = t.partial(
  {
    id: t.string,
    object: t.string,
    model: t.string,
    expires_at: t.number,
    modalities: t.array(t.string),
    instructions: t.string,
    voice: Voice,
    input_audio_format: BetaAudioFormat,
    output_audio_format: BetaAudioFormat,
    input_audio_transcription: nullable(Transcription),
    input_audio_noise_reduction: nullable(NoiseReduction),
    turn_detection: nullable(TurnDetection),
    tools: t.array(Tool),
    tool_choice: ToolChoice,
    temperature: t.number,
    max_response_output_tokens: MaxTokens,
    speed: t.number,
    tracing: nullable(t.unknown),
    include: nullable(t.array(t.string)),
    client_secret: nullable(t.partial({ value: t.string, expires_at: t.number }, 'ClientSecret')),
  },
  'BetaSession',
);
export interface BetaSession extends t.TypeOf<typeof BetaSession> {}

/** GA session: `type: "realtime" | "transcription"`, audio settings nested under `audio.input` / `audio.output`. */
// source: protocol README §4
export const GaSession = t.partial(
  {
    type: openEnum<'realtime' | 'transcription'>('GaSessionType'),
    id: t.string,
    object: t.string,
    model: t.string,
    expires_at: t.number,
    output_modalities: t.array(t.string),
    instructions: t.string,
    audio: t.partial(
      {
        input: t.partial(
          {
            format: GaAudioFormat,
            transcription: nullable(Transcription),
            noise_reduction: nullable(NoiseReduction),
            turn_detection: nullable(TurnDetection),
          },
          'GaSessionAudioInput',
        ),
        output: t.partial({ format: GaAudioFormat, voice: Voice, speed: t.number }, 'GaSessionAudioOutput'),
      },
      'GaSessionAudio',
    ),
    tools: t.array(Tool),
    tool_choice: ToolChoice,
    max_output_tokens: MaxTokens,
    tracing: nullable(t.unknown),
    prompt: nullable(t.unknown),
    include: nullable(t.array(t.string)),
    truncation: t.unknown,
  },
  'GaSession',
);
export interface GaSession extends t.TypeOf<typeof GaSession> {}

/** A session as either dialect sends it: the union of both open shapes (their field names do not collide). */
export const Session = t.intersection([BetaSession, GaSession], 'Session');
export interface Session extends t.TypeOf<typeof Session> {}

// -------------------------------------------------------------------------------------
// rate limits and errors
// -------------------------------------------------------------------------------------

/** One entry of `rate_limits.updated`; `reset_seconds` is fractional, the array may be empty. */
// source: protocol README §3, §9.6
export const RateLimit = t.partial(
  {
    name: openEnum<'requests' | 'tokens'>('RateLimitName'),
    limit: t.number,
    remaining: t.number,
    reset_seconds: t.number,
  },
  'RateLimit',
);
export interface RateLimit extends t.TypeOf<typeof RateLimit> {}

/**
 * The `error` object. The spec requires `type` and `message`, but Azure's transcription-failed template has no
 * `type`, so only `message` is required... and even that is lenient: nested objects require nothing.
 */
// source: protocol README §3, §9.3
export const ErrorDetails = t.partial(
  {
    type: t.string,
    code: nullable(t.string),
    message: t.string,
    param: nullable(t.string),
    /** The `event_id` of the client event that caused it. */
    event_id: nullable(t.string),
  },
  'ErrorDetails',
);
export interface ErrorDetails extends t.TypeOf<typeof ErrorDetails> {}

/** `response.create.response` in the beta protocol (all optional). */
// source: protocol README §5
export const BetaResponseCreateParams = t.partial(
  {
    conversation: t.string,
    metadata: Metadata,
    input: t.array(ConversationItem),
    instructions: t.string,
    tools: t.array(Tool),
    tool_choice: ToolChoice,
    modalities: t.array(t.string),
    voice: Voice,
    output_audio_format: BetaAudioFormat,
    temperature: t.number,
    max_response_output_tokens: MaxTokens,
    // the beta `response.create` example sends it although the schema says max_response_output_tokens (§3)
    max_output_tokens: MaxTokens,
  },
  'BetaResponseCreateParams',
);

/** `response.create.response` in GA (all optional): modalities and audio settings renamed as in the session. */
// source: protocol README §5
export const GaResponseCreateParams = t.partial(
  {
    conversation: t.string,
    metadata: Metadata,
    input: t.array(ConversationItem),
    instructions: t.string,
    tools: t.array(Tool),
    tool_choice: ToolChoice,
    output_modalities: t.array(t.string),
    audio: t.partial(
      { output: t.partial({ format: GaAudioFormat, voice: Voice }, 'ResponseAudioOutput') },
      'ResponseAudio',
    ),
    max_output_tokens: MaxTokens,
    prompt: nullable(t.unknown),
  },
  'GaResponseCreateParams',
);

/** The response parameters of `response.create` (both dialects' names, all optional). */
export const ResponseCreateParams = t.partial(
  { ...BetaResponseCreateParams.props, ...GaResponseCreateParams.props },
  'ResponseCreateParams',
);
export interface ResponseCreateParams extends t.TypeOf<typeof ResponseCreateParams> {}

export { Int };
