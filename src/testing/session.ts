/**
 * One emulated Realtime session: the per-connection state machine behind `startEmulator`.
 *
 * It follows `../shared/protocol/README.md`: §6 for the order of events (connect, audio/text/function-call
 * responses, server VAD turns, barge-in, cancel, out-of-band responses), §3/§4 for session shapes per dialect,
 * §1 for limits and session expiry. Every client event is validated with the library's own codecs.
 */
import { randomBytes } from 'node:crypto';
import { either as E } from 'fp-ts';
import { base64ToBytes, bytesToBase64 } from '../audio/base64';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '../audio/g711';
import { int16ToPcm16, pcm16ToFloat32, pcm16ToInt16, float32ToPcm16 } from '../audio/pcm';
import { resample } from '../audio/resample';
import {
  decodeClientEvent,
  isUnknownEvent,
  unknownEventType,
  wireName,
  type ClientEvent,
  type ConversationItem,
  type Dialect,
  type NeutralEventName,
  type ResponseCreateParams,
} from '../protocol';
import { synthesize } from './speech';
import { VoiceActivityDetector } from './vad';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What the reply policy is told about the turn it answers. */
export interface ReplyContext {
  readonly dialect: Dialect;
  /** The last user input: text of the last user message, or the duration of the last audio turn. */
  readonly input: {
    readonly kind: 'text' | 'audio' | 'none';
    readonly text?: string;
    readonly audioMs?: number;
  };
  /** The `response` object of `response.create` (undefined for a VAD-started response). */
  readonly request: ResponseCreateParams | undefined;
  /** The function names the session (or the request) declares as tools. */
  readonly tools: readonly string[];
  /** The latest `function_call_output` items since the previous reply. */
  readonly functionOutputs: readonly { callId: string; output: string }[];
  /** How many responses this session has produced before this one. */
  readonly responseCount: number;
}

/** A scripted reply (or the default policy's answer). */
export interface Reply {
  /** The text (or spoken transcript) of the answer. */
  readonly text?: string;
  /** A function call instead of (or, with `text`, after) the message. */
  readonly functionCall?: {
    readonly name: string;
    readonly arguments: string | object;
    readonly callId?: string;
  };
  /** Answer with an `error` event instead of a response. */
  readonly error?: {
    readonly type?: string;
    readonly code: string;
    readonly message: string;
    readonly param?: string;
  };
  /** Milliseconds to wait before `response.created`. */
  readonly delayMs?: number;
  /** Drop the socket (no close frame) just before sending the first event of this type. */
  readonly dropAt?: string;
  /** Close the socket with this code and reason after `response.done`. */
  readonly closeAfter?: { readonly code: number; readonly reason?: string };
}

export type ReplyPolicy = (context: ReplyContext) => Reply | Promise<Reply>;

/** Turns the audio of a committed user turn into its transcript (input transcription). */
export type Transcriber = (pcm16At24k: Uint8Array, durationMs: number) => string | Promise<string>;

export interface SessionOptions {
  readonly dialect: Dialect;
  readonly model: string;
  readonly pace: 'realtime' | 'fast';
  readonly reply: ReplyPolicy;
  readonly transcriber: Transcriber;
  readonly maxSessionMs: number;
  readonly sendConversationCreated: boolean;
  readonly speech: 'auto' | 'builtin';
  /** Sends a frame; the session never touches the socket otherwise. */
  readonly send: (frame: string) => void;
  /** Drops the socket without a close frame. */
  readonly drop: () => void;
  /** Closes the socket with a close frame. */
  readonly close: (code: number, reason: string) => void;
}

/** Conversation items kept per session: the oldest are forgotten past this (memory stays flat). */
const MAX_ITEMS = 500;
/** Audio of the current user turn kept for the transcriber (60 s); beyond it only the duration counts. */
const MAX_TURN_BYTES = 60 * 48000;

const id = (prefix: string) =>
  `${prefix}_${randomBytes(16)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 21)}`;

// -------------------------------------------------------------------------------------
// the session
// -------------------------------------------------------------------------------------

interface ActiveResponse {
  readonly id: string;
  readonly outOfBand: boolean;
  cancelled?: 'turn_detected' | 'client_cancelled';
  /** Wakes a paced wait early when the response is cancelled. */
  wake?: () => void;
}

export class EmulatedSession {
  private readonly sessionId = id('sess');
  private readonly conversationId = id('conv');
  private config: Record<string, unknown>;
  private readonly items: ConversationItem[] = [];
  private readonly responses = new Map<string, ActiveResponse>();
  private responseCount = 0;
  private functionOutputs: { callId: string; output: string }[] = [];
  private lastInput: ReplyContext['input'] = { kind: 'none' };
  // input audio buffer
  private bufferMs = 0; // in the uncommitted buffer
  private totalMs = 0; // written since the session started (audio_start_ms / audio_end_ms count this)
  private turnChunks: Uint8Array[] = [];
  private turnBytes = 0;
  private vad: VoiceActivityDetector | undefined;
  private vadLoading: Promise<void> | undefined;
  private speechItemId: string | undefined;
  private speechStartMs = 0;
  private closed = false;
  private expiry: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private dropAt: string | undefined;

  constructor(private readonly options: SessionOptions) {
    this.config = defaultConfig(options.dialect, options.model);
  }

  /** Sends `session.created` (and `conversation.created` when asked) and starts the session clock. */
  start(): void {
    this.emit('session.created', { session: this.sessionView() });
    if (this.options.sendConversationCreated) {
      this.emit('conversation.created', {
        conversation: { id: this.conversationId, object: 'realtime.conversation' },
      });
    }
    this.expiry = setTimeout(() => this.expire(), this.options.maxSessionMs);
    this.expiry.unref?.();
  }

  /** Handles one client frame. Frames are handled one after another (a response runs in the background). */
  receive(frame: string): void {
    this.queue = this.queue
      .then(() => this.handle(frame))
      .catch((err: unknown) => {
        this.error('server_error', null, `emulator failure: ${(err as Error).message}`, null, 'server_error');
      });
  }

  /** Stops timers and pending responses; called when the socket closes. */
  dispose(): void {
    this.closed = true;
    if (this.expiry) clearTimeout(this.expiry);
    for (const r of this.responses.values()) r.wake?.();
    this.responses.clear();
    this.vad?.dispose();
    this.vad = undefined;
    this.turnChunks = [];
  }

  // ---------------------------------------------------------------------------------
  // client events
  // ---------------------------------------------------------------------------------

  private async handle(frame: string): Promise<void> {
    if (this.closed) return;
    const decoded = decodeClientEvent(frame, this.options.dialect);
    const eventId = eventIdOf(frame);
    if (E.isLeft(decoded)) {
      this.error(
        'invalid_request_error',
        'invalid_event',
        `Invalid client event: ${decoded.left.message}`,
        eventId,
      );
      return;
    }
    const event = decoded.right;
    if (isUnknownEvent(event)) {
      this.error(
        'invalid_request_error',
        'invalid_event',
        `Invalid value: '${unknownEventType(event)}'. Supported values are: ${CLIENT_TYPES.join(', ')}.`,
        eventId,
        'type',
      );
      return;
    }
    await this.dispatch(event, eventId);
  }

  private async dispatch(event: ClientEvent, eventId: string | null): Promise<void> {
    switch (event.type) {
      case 'session.update':
        this.config = mergeConfig(this.config, event.session as Record<string, unknown>);
        this.emit('session.updated', { session: this.sessionView() });
        if (this.vad) {
          this.vad.dispose();
          this.vad = undefined;
        }
        return;
      case 'transcription_session.update':
        this.config = mergeConfig(this.config, event.session as Record<string, unknown>);
        this.emit('transcription_session.updated', { session: this.sessionView() });
        return;
      case 'input_audio_buffer.append':
        return this.append(event.audio, eventId);
      case 'input_audio_buffer.commit':
        if (this.bufferMs < 100) {
          this.error(
            'invalid_request_error',
            'input_audio_buffer_commit_empty',
            `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${this.bufferMs.toFixed(2)}ms of audio.`,
            eventId,
          );
          return;
        }
        await this.commit(id('item'));
        return;
      case 'input_audio_buffer.clear':
        this.resetBuffer();
        this.emit('input_audio_buffer.cleared', {});
        return;
      case 'output_audio_buffer.clear':
        // WebRTC/SIP only (§5): over WebSocket the service answers with an error
        this.error(
          'invalid_request_error',
          'invalid_event',
          'output_audio_buffer.clear is only supported for WebRTC and SIP',
          eventId,
        );
        return;
      case 'conversation.item.create': {
        const item = {
          ...event.item,
          id: event.item.id ?? id('item'),
          status: event.item.status ?? 'completed',
        };
        if (item.type === 'function_call_output' && item.call_id !== undefined) {
          this.functionOutputs.push({ callId: item.call_id, output: item.output ?? '' });
        }
        if (item.type === 'message' && item.role === 'user') {
          const text = (item.content ?? [])
            .map((c) => c.text ?? '')
            .join(' ')
            .trim();
          if (text) this.lastInput = { kind: 'text', text };
        }
        this.addItem(item, event.previous_item_id ?? undefined);
        return;
      }
      case 'conversation.item.retrieve': {
        const item = this.items.find((i) => i.id === event.item_id);
        if (!item) return this.notFound(event.item_id, eventId);
        this.emit('conversation.item.retrieved', { item: publicItem(item) });
        return;
      }
      case 'conversation.item.delete': {
        const index = this.items.findIndex((i) => i.id === event.item_id);
        if (index < 0) return this.notFound(event.item_id, eventId);
        this.items.splice(index, 1);
        this.emit('conversation.item.deleted', { item_id: event.item_id });
        return;
      }
      case 'conversation.item.truncate': {
        const item = this.items.find((i) => i.id === event.item_id);
        if (!item) return this.notFound(event.item_id, eventId);
        const part = item.content?.[event.content_index];
        const audioMs = (item as { _audioMs?: number })._audioMs;
        if (
          item.role !== 'assistant' ||
          !part ||
          !(part.type === 'audio' || part.type === 'output_audio') ||
          audioMs === undefined
        ) {
          this.error(
            'invalid_request_error',
            'invalid_value',
            `Item ${event.item_id} content ${event.content_index} is not assistant audio.`,
            eventId,
            'content_index',
          );
          return;
        }
        if (event.audio_end_ms > audioMs) {
          this.error(
            'invalid_request_error',
            'invalid_value',
            `Audio content of ${audioMs}ms is shorter than requested audio_end_ms of ${event.audio_end_ms}ms.`,
            eventId,
            'audio_end_ms',
          );
          return;
        }
        part.transcript = '';
        this.emit('conversation.item.truncated', {
          item_id: event.item_id,
          content_index: event.content_index,
          audio_end_ms: event.audio_end_ms,
        });
        return;
      }
      case 'response.create': {
        const outOfBand = event.response?.conversation === 'none';
        if (!outOfBand && [...this.responses.values()].some((r) => !r.outOfBand)) {
          const active = [...this.responses.values()].find((r) => !r.outOfBand)!;
          this.error(
            'invalid_request_error',
            'conversation_already_has_active_response',
            `Conversation already has an active response in progress: ${active.id}. Wait until the response is finished before creating a new one.`,
            eventId,
          );
          return;
        }
        void this.respond(event.response, outOfBand);
        return;
      }
      case 'response.cancel': {
        const target = event.response_id
          ? this.responses.get(event.response_id)
          : ([...this.responses.values()].find((r) => !r.outOfBand) ?? [...this.responses.values()][0]);
        if (!target) {
          this.error(
            'invalid_request_error',
            'response_cancel_not_active',
            'Cancellation failed: no active response found',
            eventId,
          );
          return;
        }
        this.cancel(target, 'client_cancelled');
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------------
  // input audio and server VAD
  // ---------------------------------------------------------------------------------

  private async append(audio: string, eventId: string | null): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(audio);
    } catch (err) {
      this.error(
        'invalid_request_error',
        'invalid_value',
        `Invalid 'audio': ${(err as Error).message}`,
        eventId,
        'audio',
      );
      return;
    }
    const format = this.inputFormat();
    let pcm24: Uint8Array;
    let ms: number;
    if (format === 'pcm16') {
      pcm24 = bytes.byteLength % 2 === 0 ? bytes : bytes.subarray(0, bytes.byteLength - 1);
      ms = pcm24.byteLength / 48;
    } else {
      const samples = format === 'g711_ulaw' ? decodeMuLaw(bytes) : decodeALaw(bytes);
      ms = samples.length / 8;
      pcm24 = float32ToPcm16(resample(pcm16ToFloat32(int16ToPcm16(samples)), 8000, 24000));
    }
    const startMs = this.totalMs;
    this.bufferMs += ms;
    this.totalMs += ms;
    if (this.turnBytes + pcm24.byteLength <= MAX_TURN_BYTES) {
      this.turnChunks.push(pcm24);
      this.turnBytes += pcm24.byteLength;
    }
    const turn = this.turnDetection();
    if (!turn) return;
    if (!this.vad) {
      this.vadLoading ??= VoiceActivityDetector.create({
        threshold: num(turn['threshold']),
        prefixPaddingMs: num(turn['prefix_padding_ms']),
        silenceDurationMs: num(turn['silence_duration_ms']) ?? 500,
      }).then((vad) => {
        vad.reset(startMs);
        this.vad = vad;
        this.vadLoading = undefined;
      });
      await this.vadLoading;
      if (this.closed || !this.vad) return;
    }
    for (const e of this.vad.push(pcm16ToFloat32(pcm24))) {
      if (e.type === 'start') {
        this.speechItemId = id('item');
        this.speechStartMs = Math.round(e.audioMs);
        this.emit('input_audio_buffer.speech_started', {
          audio_start_ms: this.speechStartMs,
          item_id: this.speechItemId,
        });
        // barge-in (§6): a speech start during a response cancels it when interrupt_response is on
        if (turn['interrupt_response'] !== false) {
          for (const r of this.responses.values()) if (!r.outOfBand) this.cancel(r, 'turn_detected');
        }
      } else {
        const itemId = this.speechItemId ?? id('item');
        this.speechItemId = undefined;
        this.emit('input_audio_buffer.speech_stopped', {
          audio_end_ms: Math.round(e.audioMs),
          item_id: itemId,
        });
        const heardMs = Math.round(e.audioMs) - this.speechStartMs;
        await this.commit(itemId, heardMs);
        if (turn['create_response'] !== false) void this.respond(undefined, false);
      }
    }
  }

  private async commit(itemId: string, speechMs?: number): Promise<void> {
    const previous = this.items.at(-1)?.id ?? null;
    this.emit('input_audio_buffer.committed', { previous_item_id: previous, item_id: itemId });
    const item: ConversationItem = {
      id: itemId,
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    this.addItem(item, previous ?? undefined);
    const durationMs = speechMs ?? Math.round(this.bufferMs);
    this.lastInput = { kind: 'audio', audioMs: durationMs };
    const audio = joinChunks(this.turnChunks, this.turnBytes);
    this.resetBuffer();
    this.vad?.reset(this.totalMs);
    const transcription = this.transcription();
    if (transcription) {
      // asynchronous relative to the response events (§9.9)
      void Promise.resolve(this.options.transcriber(audio, durationMs)).then((transcript) => {
        if (this.closed) return;
        this.emit('conversation.item.input_audio_transcription.completed', {
          item_id: itemId,
          content_index: 0,
          transcript,
          ...(this.options.dialect === 'ga'
            ? { usage: { type: 'duration', seconds: Math.ceil(durationMs / 1000) } }
            : {}),
        });
        this.lastInput = { kind: 'audio', audioMs: durationMs, text: transcript };
      });
    }
  }

  private resetBuffer(): void {
    this.bufferMs = 0;
    this.turnChunks = [];
    this.turnBytes = 0;
  }

  // ---------------------------------------------------------------------------------
  // responses
  // ---------------------------------------------------------------------------------

  private async respond(request: ResponseCreateParams | undefined, outOfBand: boolean): Promise<void> {
    const response: ActiveResponse = { id: id('resp'), outOfBand };
    this.responses.set(response.id, response);
    const context: ReplyContext = {
      dialect: this.options.dialect,
      input: this.lastInput,
      request,
      tools: toolNames(request?.tools ?? (this.config['tools'] as unknown[] | undefined)),
      functionOutputs: this.functionOutputs,
      responseCount: this.responseCount++,
    };
    this.functionOutputs = [];
    let reply: Reply;
    try {
      reply = await this.options.reply(context);
    } catch (err) {
      this.responses.delete(response.id);
      this.error('server_error', null, `reply policy failed: ${(err as Error).message}`, null);
      return;
    }
    this.dropAt = reply.dropAt;
    if (reply.delayMs) await this.wait(response, reply.delayMs);
    if (reply.error) {
      this.responses.delete(response.id);
      this.error(
        reply.error.type ?? 'invalid_request_error',
        reply.error.code,
        reply.error.message,
        null,
        reply.error.param ?? null,
      );
      return;
    }
    const modalities = this.outputModalities(request);
    const audio = modalities.includes('audio');
    const metadata = (request?.metadata as Record<string, unknown> | undefined) ?? null;
    const base = {
      object: 'realtime.response',
      id: response.id,
      conversation_id: outOfBand ? null : this.conversationId,
      metadata,
      ...(this.options.dialect === 'ga'
        ? {
            output_modalities: modalities,
            audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: this.voice() } },
            max_output_tokens: 'inf',
          }
        : {
            modalities,
            voice: this.voice(),
            output_audio_format: this.outputFormat(),
            temperature: 0.8,
            max_output_tokens: 'inf',
          }),
    };
    this.emit('response.created', {
      response: { ...base, status: 'in_progress', status_details: null, output: [], usage: null },
    });
    const output: ConversationItem[] = [];
    let outputTokens = 0;
    const text = reply.text ?? (reply.functionCall ? undefined : '');
    if (text !== undefined && !response.cancelled) {
      const item = await this.messageItem(response, output.length, text, audio, outOfBand);
      output.push(item.item);
      outputTokens += item.tokens;
    }
    if (reply.functionCall && !response.cancelled) {
      output.push(await this.functionCallItem(response, output.length, reply.functionCall, outOfBand));
      outputTokens += 10;
    }
    if (this.closed) return;
    const status = response.cancelled ? 'cancelled' : 'completed';
    this.responses.delete(response.id);
    this.emit('response.done', {
      response: {
        ...base,
        status,
        status_details: response.cancelled ? { type: 'cancelled', reason: response.cancelled } : null,
        output,
        usage: {
          total_tokens: 20 + outputTokens,
          input_tokens: 20,
          output_tokens: outputTokens,
          input_token_details: { cached_tokens: 0, text_tokens: 20, audio_tokens: 0 },
          output_token_details: {
            text_tokens: audio ? 0 : outputTokens,
            audio_tokens: audio ? outputTokens : 0,
          },
        },
      },
    });
    this.emit('rate_limits.updated', {
      rate_limits: [
        { name: 'requests', limit: 1000, remaining: 999, reset_seconds: 0.06 },
        { name: 'tokens', limit: 40000, remaining: 40000 - outputTokens - 20, reset_seconds: 0.03 },
      ],
    });
    if (reply.closeAfter) this.options.close(reply.closeAfter.code, reply.closeAfter.reason ?? '');
  }

  private async messageItem(
    response: ActiveResponse,
    outputIndex: number,
    text: string,
    audio: boolean,
    outOfBand: boolean,
  ): Promise<{ item: ConversationItem; tokens: number }> {
    const ga = this.options.dialect === 'ga';
    const itemId = id('item');
    const item: ConversationItem & { _audioMs?: number } = {
      id: itemId,
      ...(ga ? {} : { object: 'realtime.item' }),
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    const ref = { response_id: response.id, item_id: itemId, output_index: outputIndex, content_index: 0 };
    this.emit('response.output_item.added', {
      response_id: response.id,
      output_index: outputIndex,
      item: publicItem(item),
    });
    if (!outOfBand)
      this.emit(this.name('itemAdded'), {
        previous_item_id: this.items.at(-1)?.id ?? null,
        item: publicItem(item),
      });
    this.emit('response.content_part.added', {
      ...ref,
      part: audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' },
    });
    const words = text.split(/(?<=\s)/).filter((w) => w.length > 0);
    let sent = '';
    let audioMs = 0;
    if (audio) {
      const { pcm } = await synthesize(text, { engine: this.options.speech });
      const encoded = this.encodeOutput(pcm);
      const bytesPerChunk = this.outputFormat() === 'pcm16' ? 4800 : 800; // 100 ms
      const chunks = Math.max(1, Math.ceil(encoded.byteLength / bytesPerChunk));
      await this.wait(response, 200); // time to first audio
      for (let i = 0; i < chunks && !response.cancelled && !this.closed; i++) {
        const wordsDue = Math.ceil(((i + 1) * words.length) / chunks);
        while (sent.length < text.length && words.slice(0, wordsDue).join('').length > sent.length) {
          const word = words[countWords(sent, words)]!;
          this.emit(this.name('transcriptDelta'), { ...ref, delta: word });
          sent += word;
        }
        const chunk = encoded.subarray(i * bytesPerChunk, (i + 1) * bytesPerChunk);
        this.emit(this.name('audioDelta'), { ...ref, delta: bytesToBase64(chunk) });
        audioMs += this.outputFormat() === 'pcm16' ? chunk.byteLength / 48 : chunk.byteLength / 8;
        await this.wait(response, 50); // 100 ms of audio every 50 ms: twice real time, as the service streams
      }
      if (this.closed) return { item, tokens: 0 };
      item._audioMs = Math.round(audioMs);
      this.emit(this.name('audioDone'), ref);
      this.emit(this.name('transcriptDone'), { ...ref, transcript: sent });
      this.emit('response.content_part.done', { ...ref, part: { type: 'audio', transcript: sent } });
      item.content = [{ type: ga ? 'output_audio' : 'audio', transcript: sent }];
    } else {
      await this.wait(response, 150);
      for (const word of words) {
        if (response.cancelled || this.closed) break;
        this.emit(this.name('textDelta'), { ...ref, delta: word });
        sent += word;
        await this.wait(response, 30);
      }
      if (this.closed) return { item, tokens: 0 };
      this.emit(this.name('textDone'), { ...ref, text: sent });
      this.emit('response.content_part.done', { ...ref, part: { type: 'text', text: sent } });
      item.content = [{ type: ga ? 'output_text' : 'text', text: sent }];
    }
    item.status = response.cancelled ? 'incomplete' : 'completed';
    this.emit('response.output_item.done', {
      response_id: response.id,
      output_index: outputIndex,
      item: publicItem(item),
    });
    if (!outOfBand) {
      if (ga)
        this.emit('conversation.item.done', {
          previous_item_id: this.items.at(-1)?.id ?? null,
          item: publicItem(item),
        });
      this.remember(item);
    }
    return {
      item: publicItem(item),
      tokens: Math.ceil(sent.length / 4) + (audio ? Math.ceil(audioMs / 50) : 0),
    };
  }

  private async functionCallItem(
    response: ActiveResponse,
    outputIndex: number,
    call: NonNullable<Reply['functionCall']>,
    outOfBand: boolean,
  ): Promise<ConversationItem> {
    const ga = this.options.dialect === 'ga';
    const itemId = id('item');
    const callId = call.callId ?? id('call');
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    const item: ConversationItem = {
      id: itemId,
      ...(ga ? {} : { object: 'realtime.item' }),
      type: 'function_call',
      status: 'in_progress',
      name: call.name,
      call_id: callId,
      arguments: '',
    };
    this.emit('response.output_item.added', {
      response_id: response.id,
      output_index: outputIndex,
      item: { ...item },
    });
    if (!outOfBand)
      this.emit(this.name('itemAdded'), {
        previous_item_id: this.items.at(-1)?.id ?? null,
        item: { ...item },
      });
    const ref = { response_id: response.id, item_id: itemId, output_index: outputIndex, call_id: callId };
    for (let i = 0; i < args.length && !response.cancelled && !this.closed; i += 12) {
      this.emit('response.function_call_arguments.delta', { ...ref, delta: args.slice(i, i + 12) });
      await this.wait(response, 10);
    }
    if (this.closed) return item;
    this.emit('response.function_call_arguments.done', {
      ...ref,
      arguments: args,
      ...(ga ? { name: call.name } : {}),
    });
    const done = { ...item, arguments: args, status: response.cancelled ? 'incomplete' : 'completed' };
    this.emit('response.output_item.done', {
      response_id: response.id,
      output_index: outputIndex,
      item: done,
    });
    if (!outOfBand) {
      if (ga)
        this.emit('conversation.item.done', { previous_item_id: this.items.at(-1)?.id ?? null, item: done });
      this.remember(done);
    }
    return done;
  }

  private cancel(response: ActiveResponse, reason: 'turn_detected' | 'client_cancelled'): void {
    if (response.cancelled) return;
    response.cancelled = reason;
    response.wake?.();
  }

  /** A paced pause; `'fast'` pacing only yields to the event loop. Cancellation ends it early. */
  private wait(response: ActiveResponse, ms: number): Promise<void> {
    if (this.options.pace === 'fast' || response.cancelled || this.closed)
      return new Promise((r) => setImmediate(r));
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        response.wake = undefined;
        resolve();
      }
      response.wake = done;
    });
  }

  private expire(): void {
    const minutes = Math.round(this.options.maxSessionMs / 60000);
    // §1 "Session length": an error with code session_expired, then the socket closes (1001 reported)
    this.error(
      'invalid_request_error',
      'session_expired',
      minutes >= 1
        ? `Your session hit the maximum duration of ${minutes} minutes.`
        : `Your session hit the maximum duration of ${this.options.maxSessionMs} ms.`,
      null,
    );
    this.options.close(1001, 'session expired');
  }

  // ---------------------------------------------------------------------------------
  // utils
  // ---------------------------------------------------------------------------------

  private addItem(item: ConversationItem, previous: string | undefined): void {
    const previousId = previous ?? this.items.at(-1)?.id ?? null;
    this.remember(item);
    if (this.options.dialect === 'ga') {
      this.emit('conversation.item.added', { previous_item_id: previousId, item });
      this.emit('conversation.item.done', { previous_item_id: previousId, item });
    } else {
      this.emit('conversation.item.created', {
        previous_item_id: previousId,
        item: { object: 'realtime.item', ...item },
      });
    }
  }

  private remember(item: ConversationItem): void {
    this.items.push(item);
    if (this.items.length > MAX_ITEMS) this.items.shift();
  }

  private notFound(itemId: string, eventId: string | null): void {
    this.error(
      'invalid_request_error',
      'item_not_found',
      `Item with item_id '${itemId}' not found.`,
      eventId,
      'item_id',
    );
  }

  private error(
    type: string,
    code: string | null,
    message: string,
    eventId: string | null,
    param: string | null = null,
  ): void {
    this.emit('error', { error: { type, code, message, param, event_id: eventId } });
  }

  private emit(type: string, fields: object): void {
    if (this.closed) return;
    if (this.dropAt !== undefined && type === this.dropAt) {
      this.closed = true;
      this.options.drop();
      return;
    }
    this.options.send(JSON.stringify({ type, event_id: id('event'), ...fields }));
  }

  private name(neutral: NeutralEventName): string {
    return wireName(neutral, this.options.dialect);
  }

  private sessionView(): Record<string, unknown> {
    return {
      ...this.config,
      id: this.sessionId,
      object: 'realtime.session',
      expires_at: Math.floor((Date.now() + this.options.maxSessionMs) / 1000),
    };
  }

  private turnDetection(): Record<string, unknown> | undefined {
    const td = (
      this.options.dialect === 'ga'
        ? (this.config['audio'] as Record<string, Record<string, unknown>> | undefined)?.['input']?.[
            'turn_detection'
          ]
        : this.config['turn_detection']
    ) as Record<string, unknown> | null | undefined;
    if (!td || td['type'] === 'none') return undefined;
    return td; // server_vad; semantic_vad behaves as server_vad here (documented)
  }

  private transcription(): unknown {
    return this.options.dialect === 'ga'
      ? (this.config['audio'] as Record<string, Record<string, unknown>> | undefined)?.['input']?.[
          'transcription'
        ]
      : this.config['input_audio_transcription'];
  }

  private inputFormat(): 'pcm16' | 'g711_ulaw' | 'g711_alaw' {
    if (this.options.dialect === 'preview') return (this.config['input_audio_format'] as 'pcm16') ?? 'pcm16';
    const type = (
      this.config['audio'] as Record<string, Record<string, Record<string, unknown>>> | undefined
    )?.['input']?.['format']?.['type'] as string | undefined;
    return type === 'audio/pcmu' ? 'g711_ulaw' : type === 'audio/pcma' ? 'g711_alaw' : 'pcm16';
  }

  private outputFormat(): 'pcm16' | 'g711_ulaw' | 'g711_alaw' {
    if (this.options.dialect === 'preview') return (this.config['output_audio_format'] as 'pcm16') ?? 'pcm16';
    const type = (
      this.config['audio'] as Record<string, Record<string, Record<string, unknown>>> | undefined
    )?.['output']?.['format']?.['type'] as string | undefined;
    return type === 'audio/pcmu' ? 'g711_ulaw' : type === 'audio/pcma' ? 'g711_alaw' : 'pcm16';
  }

  private encodeOutput(pcm24: Uint8Array): Uint8Array {
    const format = this.outputFormat();
    if (format === 'pcm16') return pcm24;
    const at8k = pcm16ToInt16(float32ToPcm16(resample(pcm16ToFloat32(pcm24), 24000, 8000)));
    return format === 'g711_ulaw' ? encodeMuLaw(at8k) : encodeALaw(at8k);
  }

  private voice(): string {
    const v =
      this.options.dialect === 'ga'
        ? (this.config['audio'] as Record<string, Record<string, unknown>> | undefined)?.['output']?.['voice']
        : this.config['voice'];
    return typeof v === 'string' ? v : 'alloy';
  }

  private outputModalities(request: ResponseCreateParams | undefined): string[] {
    if (this.options.dialect === 'ga') {
      return (
        request?.output_modalities ??
        (this.config['output_modalities'] as string[] | undefined) ?? ['audio']
      ).includes('audio')
        ? ['audio']
        : ['text'];
    }
    const m = request?.modalities ?? (this.config['modalities'] as string[] | undefined) ?? ['text', 'audio'];
    return m.includes('audio') ? ['text', 'audio'] : ['text'];
  }
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const CLIENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'conversation.item.delete',
  'response.create',
  'response.cancel',
];

/** The session the service starts with, per dialect (shapes of §4; values as real `session.created` show). */
function defaultConfig(dialect: Dialect, model: string): Record<string, unknown> {
  const turnDetection = {
    type: 'server_vad',
    threshold: 0.5,
    prefix_padding_ms: 300,
    silence_duration_ms: 200,
    create_response: true,
    interrupt_response: true,
  };
  if (dialect === 'preview') {
    return {
      model,
      modalities: ['audio', 'text'],
      instructions: '',
      voice: 'alloy',
      input_audio_format: 'pcm16',
      output_audio_format: 'pcm16',
      input_audio_transcription: null,
      input_audio_noise_reduction: null,
      turn_detection: turnDetection,
      tools: [],
      tool_choice: 'auto',
      temperature: 0.8,
      max_response_output_tokens: 'inf',
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
    prompt: null,
    include: null,
    truncation: 'auto',
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: { ...turnDetection, idle_timeout_ms: null },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1.0 },
    },
  };
}

/** `session.update` merges into the effective session: objects field by field, everything else replaced. */
function mergeConfig(
  base: Record<string, unknown>,
  update: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const current = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
        ? mergeConfig(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function toolNames(tools: unknown[] | undefined): string[] {
  return (tools ?? []).flatMap((t) =>
    typeof (t as { name?: unknown })?.name === 'string' ? [(t as { name: string }).name] : [],
  );
}

function eventIdOf(frame: string): string | null {
  try {
    const v = (JSON.parse(frame) as { event_id?: unknown })?.event_id;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function joinChunks(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/** The item as the wire shows it (without the emulator's private bookkeeping). */
function publicItem(item: ConversationItem & { _audioMs?: number }): ConversationItem {
  const { _audioMs, ...rest } = item;
  void _audioMs;
  return { ...rest, content: [...(rest.content ?? [])] };
}

function countWords(sent: string, words: readonly string[]): number {
  let n = 0;
  let len = 0;
  while (n < words.length && len < sent.length) len += words[n++]!.length;
  return n;
}
