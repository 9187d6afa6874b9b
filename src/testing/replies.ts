/**
 * What the emulator answers: the reply policy it asks for every response, the default policy (a real sentence
 * about what it heard or read, since there is no language model), scripted replies for tests, and the
 * input-transcription hook with its deterministic default.
 */
import type { ConversationItem, Dialect, ResponseCreateParams } from '../protocol';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What the reply policy is told about the response it answers. */
export interface ReplyContext {
  readonly dialect: Dialect;
  /**
   * The input it answers: the text of the last user message, or the last audio turn (its duration, and its
   * transcript when input transcription is on). For an out-of-band response with `input`, that input.
   */
  readonly input: {
    readonly kind: 'text' | 'audio' | 'none';
    readonly text?: string | undefined;
    readonly audioMs?: number | undefined;
  };
  /** The `response` object of `response.create` (undefined for a response that server VAD started). */
  readonly request: ResponseCreateParams | undefined;
  /** The effective instructions (the request's, else the session's). */
  readonly instructions: string;
  /** The function names declared as tools (the request's, else the session's). */
  readonly tools: readonly string[];
  /** Those tools as declared (`{ type, name, description, parameters }`). */
  readonly toolDefinitions: readonly { readonly name?: string; readonly parameters?: unknown }[];
  /** The effective `tool_choice` (`'auto'`, `'none'`, `'required'` or a named function). */
  readonly toolChoice: unknown;
  /** The `function_call_output` items added since the previous response. */
  readonly functionOutputs: readonly { readonly callId: string; readonly output: string }[];
  /** How many responses this session produced before this one. */
  readonly responseCount: number;
  /**
   * The items the session's conversation holds when the response starts, oldest first, as the server would list
   * them (copies: changing them changes nothing). A test reads what a reconnected session was replayed.
   */
  readonly conversation: readonly ConversationItem[];
}

/** One answer: a message (text, or speech with its transcript), a function call, a failure, or an error. */
export interface Reply {
  /** The text of the answer, or the transcript of its speech. */
  readonly text?: string | undefined;
  /**
   * The speech to send instead of synthesising `text` (24 kHz mono PCM16; converted when the session's output
   * format is G.711). `text` stays its transcript.
   */
  readonly audio?: Uint8Array | undefined;
  /** A function call (after the message when `text` is given too). `arguments`: a JSON string or an object. */
  readonly functionCall?: {
    readonly name: string;
    readonly arguments: string | object;
    readonly callId?: string | undefined;
  };
  /** Answer with an `error` event instead of a response (like a refused request). */
  readonly error?: {
    readonly type?: string | undefined;
    readonly code: string;
    readonly message: string;
    readonly param?: string | undefined;
  };
  /** A response that fails: `response.done` with `status: "failed"` and `status_details.error`. */
  readonly failure?: { readonly type?: string; readonly code: string; readonly message?: string } | undefined;
  /** Milliseconds to wait before `response.created` (kept under `pace: 'fast'` too). */
  readonly delayMs?: number | undefined;
  /** Drop the socket (no close frame, the client sees 1006) just before the first event of this type. */
  readonly dropAt?: string | undefined;
  /** Close the socket with this code and reason after `response.done`. */
  readonly closeAfter?: { readonly code: number; readonly reason?: string } | undefined;
}

/** Decides every response: `(context) => Reply`, sync or async. */
export type ReplyPolicy = (context: ReplyContext) => Reply | Promise<Reply>;

/** Turns the audio of a committed user turn (24 kHz mono PCM16) into its transcript; a throw is `.failed`. */
export type Transcriber = (pcm16At24k: Uint8Array, durationMs: number) => string | Promise<string>;

// -------------------------------------------------------------------------------------
// defaults
// -------------------------------------------------------------------------------------

/**
 * The default policy: a sentence about what it heard or read, that says it is the emulator. With
 * `tool_choice: "required"` or a named function it calls that function (the first tool for `"required"`), with
 * arguments made from the tool's JSON Schema, since the protocol says the model must call one.
 *
 * @example
 * ```ts
 * import { startEmulator, defaultReply } from 'rx-realtime/testing';
 * const emulator = await startEmulator({ reply: (ctx) => (ctx.responseCount === 0 ? { text: 'Hi!' } : defaultReply(ctx)) });
 * ```
 */
export const defaultReply: ReplyPolicy = (context) => {
  const forced = forcedFunction(context);
  if (forced && context.functionOutputs.length === 0) {
    const tool = toolSchema(context, forced);
    return { functionCall: { name: forced, arguments: exampleOf(tool) as object } };
  }
  if (context.functionOutputs.length > 0) {
    return {
      text: `The function returned ${context.functionOutputs.map((o) => o.output).join(', ')}. This is the rx-realtime emulator.`,
    };
  }
  const input = context.input;
  if (input.kind === 'text')
    return { text: `You said: ${input.text}. This is the rx-realtime emulator answering.` };
  if (input.kind === 'audio') {
    const seconds = ((input.audioMs ?? 0) / 1000).toFixed(1);
    return {
      text: `I heard about ${seconds} seconds of speech. This is the rx-realtime emulator answering.`,
    };
  }
  return { text: 'Hello from the rx-realtime emulator.' };
};

/**
 * The default transcriber: deterministic, and it says it is not a transcription:
 * `"[emulator: 2.1 s of speech, not transcribed]"`.
 */
export const placeholderTranscriber: Transcriber = (_pcm, ms) =>
  `[emulator: ${(ms / 1000).toFixed(1)} s of speech, not transcribed]`;

/**
 * A policy that answers with `replies` in turn, then with `fallback` (default {@link defaultReply}). The list is
 * copied: every emulator (and every call) has its own turn.
 *
 * @example
 * ```ts
 * import { startEmulator, scriptedReplies } from 'rx-realtime/testing';
 * const emulator = await startEmulator({
 *   reply: scriptedReplies([{ functionCall: { name: 'get_weather', arguments: { city: 'Paris' } } }, { text: 'Sunny.' }]),
 * });
 * ```
 */
export function scriptedReplies(
  replies: readonly Reply[],
  fallback: ReplyPolicy = defaultReply,
): ReplyPolicy {
  const queue = [...replies];
  return (context) => queue.shift() ?? fallback(context);
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function forcedFunction(context: ReplyContext): string | undefined {
  const choice = context.toolChoice;
  if (choice === 'required') return context.tools[0];
  if (typeof choice === 'object' && choice !== null) {
    // OpenAI `{type:"function", name}`, Azure `{type:"function", function:{name}}` (§3)
    const c = choice as { name?: unknown; function?: { name?: unknown } };
    const name = c.name ?? c.function?.name;
    return typeof name === 'string' ? name : undefined;
  }
  return undefined;
}

function toolSchema(context: ReplyContext, name: string): unknown {
  return context.toolDefinitions.find((t) => t.name === name)?.parameters;
}

/** A value that satisfies a (simple) JSON Schema: required properties, first enum value, typed placeholders. */
export function exampleOf(schema: unknown, depth = 0): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 8) return {};
  const s = schema as {
    type?: string | string[] | undefined;
    enum?: unknown[] | undefined;
    const?: unknown | undefined;
    default?: unknown | undefined;
    properties?: Record<string, unknown> | undefined;
    required?: string[] | undefined;
    items?: unknown | undefined;
    minimum?: number | undefined;
  };
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type ?? (s.properties ? 'object' : undefined)) {
    case 'string':
      return 'emulator';
    case 'integer':
    case 'number':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = exampleOf(s.properties?.[key], depth + 1);
      return out;
    }
    default:
      return null;
  }
}
