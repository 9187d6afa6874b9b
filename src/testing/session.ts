/**
 * One emulated Realtime session: the per-connection state machine behind `startEmulator`.
 *
 * It follows `../shared/protocol/README.md`: §6 for the order of events (connect, server VAD turns, manual commits,
 * barge-in, cancel, out-of-band responses), §3/§4 for session shapes per dialect, §1 for limits and session expiry.
 * Every client event is validated with the library's own codecs, then as the service validates values.
 *
 * ```text
 * open ──► session.created ──► (client events, one at a time; responses stream beside them) ──► closed
 *                                   │ session_expired at maxSessionMs ─► close 1001
 * ```
 *
 * Client frames are handled strictly in arrival order (a queue), so events caused by one frame come before those of
 * the next. Responses run concurrently with that queue, as on the service (a barge-in can cancel one mid-stream).
 */
import { base64ToBytes } from '../audio/base64';
import { pcm16ToFloat32 } from '../audio/pcm';
import {
  wireName,
  type ClientEvent,
  type ConversationItem,
  type Dialect,
  type ResponseCreateParams,
} from '../protocol';
import { defaultSession, effective, sessionView, updateSession, type Effective, type Json } from './config';
import { checkClientFrame } from './clientFrames';
import { Conversation, inputOf, itemProblem } from './conversation';
import { newId } from './ids';
import { InputAudioBuffer, InputDecoder } from './inputAudio';
import type { FaultAction } from './faults';
import type { Reply, ReplyContext, ReplyPolicy, Transcriber } from './replies';
import { ResponseRun, responseSpecOf, type CancelReason, type ResponsePort } from './response';
import { validateResponse } from './validate';
import { VoiceActivityDetector } from './vad';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface SessionOptions {
  readonly dialect: Dialect;
  readonly model: string;
  readonly pace: 'realtime' | 'fast';
  readonly reply: ReplyPolicy;
  readonly transcriber: Transcriber;
  readonly maxSessionMs: number;
  readonly sendConversationCreated: boolean;
  readonly speech: 'auto' | 'builtin';
  /** Conversation items kept (oldest forgotten beyond). */
  readonly maxItems: number;
  /** Input audio kept for the transcriber, per turn (ms). */
  readonly maxTurnAudioMs: number;
  /** The clock for `expires_at` (ms since the epoch). */
  readonly now: () => number;
  /** Sends a frame; the session never touches the socket otherwise. */
  readonly send: (frame: string) => void;
  /** Drops the socket without a close frame (the client sees 1006). */
  readonly drop: () => void;
  /** Closes the socket with a close frame. */
  readonly close: (code: number, reason: string) => void;
  /** Stops reading from the socket for good and sends nothing more (a stall fault: no data, no close). */
  readonly stall: () => void;
  /** Asked before every event sent or handled: a fault to act on instead. Default: none. */
  readonly fault?: (type: string) => FaultAction | undefined;
  /** Stops / restarts reading from the socket: backpressure when client frames come faster than handled. */
  readonly pause: () => void;
  readonly resume: () => void;
}

/** The largest audio one `input_audio_buffer.append` may carry (§1: 15 MiB). */
const MAX_APPEND_BYTES = 15 * 1024 * 1024;
/** The least audio a commit needs (the service's `input_audio_buffer_commit_empty`). */
const MIN_COMMIT_MS = 100;
/** Client frames waiting to be handled: above HIGH the socket is paused, below LOW it reads again. */
const BACKLOG_HIGH = 64;
const BACKLOG_LOW = 16;
/** `function_call_output` items remembered for the next reply (a client may add many without asking for one). */
const MAX_FUNCTION_OUTPUTS = 64;

// -------------------------------------------------------------------------------------
// the session
// -------------------------------------------------------------------------------------

export class EmulatedSession {
  private readonly sessionId = newId('sess');
  private readonly conversationId = newId('conv');
  private readonly expiresAt: number;
  private config: Json;
  private settings: Effective;
  private readonly conversation: Conversation;
  private readonly audio: InputAudioBuffer;
  private readonly responses = new Map<string, ResponseRun>();
  /** The response of the default conversation in progress (at most one, §6). */
  private active: ResponseRun | undefined;
  /** A server-VAD turn ended while a response was active: answer it when that one is done. */
  private autoPending = false;
  private responseCount = 0;
  private functionOutputs: { callId: string; output: string }[] = [];
  private lastInput: ReplyContext['input'] = { kind: 'none' };
  // input audio decoding
  private readonly decoder = new InputDecoder();
  // server VAD
  private vad: VoiceActivityDetector | undefined;
  private vadLoading: Promise<VoiceActivityDetector> | undefined;
  private vadInSync = false;
  private speech: { itemId: string; startMs: number } | undefined;
  /** GA idle timeout: audio time when the last response ended (armed), or undefined. */
  private idleSinceMs: number | undefined;
  // lifecycle
  private closed = false;
  private expiry: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private backlog = 0;
  private paused = false;
  private dropAt: string | undefined;
  private disposed = false;
  /** What a response may do to its session. */
  private readonly port: ResponsePort;

  constructor(private readonly options: SessionOptions) {
    this.port = {
      dialect: options.dialect,
      pace: options.pace,
      speech: options.speech,
      emit: (type, fields) => this.emit(type, fields),
      isClosed: () => this.closed,
      addItem: (stored) => {
        const placed = this.conversation.insert(stored)!;
        const fields = { previous_item_id: placed.previousId, item: structuredClone(stored.item) };
        this.emit(wireName('itemAdded', options.dialect), fields);
      },
      itemDone: (stored) => {
        if (options.dialect !== 'ga') return;
        const all = this.conversation.all();
        const index = all.indexOf(stored);
        const previous = index > 0 ? (all[index - 1]!.item.id ?? null) : null;
        this.emit('conversation.item.done', {
          previous_item_id: previous,
          item: structuredClone(stored.item),
        });
      },
    };
    this.config = defaultSession(options.dialect, options.model);
    this.settings = effective(options.dialect, this.config);
    this.conversation = new Conversation(options.maxItems);
    this.audio = new InputAudioBuffer(options.maxTurnAudioMs);
    this.expiresAt = Math.floor((options.now() + options.maxSessionMs) / 1000);
  }

  /** Sends `session.created` (and `conversation.created` when asked) and starts the session clock. */
  start(): void {
    this.emit('session.created', { session: this.view() });
    if (this.options.sendConversationCreated) {
      this.emit('conversation.created', {
        conversation: { id: this.conversationId, object: 'realtime.conversation' },
      });
    }
    this.expiry = setTimeout(() => this.expire(), this.options.maxSessionMs);
    this.expiry.unref?.();
  }

  /** Handles one client text frame, after every frame before it. */
  receive(frame: string): void {
    if (++this.backlog > BACKLOG_HIGH && !this.paused) {
      this.paused = true;
      this.options.pause();
    }
    this.queue = this.queue
      .then(() => this.handle(frame))
      .catch((err: unknown) => {
        this.error('server_error', null, `The emulator failed: ${(err as Error).message}`, null);
      })
      .finally(() => {
        if (--this.backlog < BACKLOG_LOW && this.paused && !this.closed) {
          this.paused = false;
          this.options.resume();
        }
      });
  }

  /** Answers a binary frame: the protocol has none (§1 Frames). */
  receiveBinary(): void {
    this.queue = this.queue.then(() =>
      this.error(
        'invalid_request_error',
        'invalid_event',
        'Binary frames are not supported: send each event as a JSON text frame.',
        null,
      ),
    );
  }

  /**
   * Ends the session as a fault: `'drop'` destroys the socket, `'close'` closes it with 1011, `'stall'` stops
   * reading and sending and leaves it open. Nothing more is sent either way.
   */
  hit(action: FaultAction): void {
    if (this.closed) return;
    this.closed = true;
    if (action === 'drop') this.options.drop();
    else if (action === 'close') this.options.close(1011, 'Internal server error');
    else this.options.stall();
  }

  /** Stops timers, responses and the VAD; called when the socket closes. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closed = true;
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = undefined;
    for (const r of this.responses.values()) r.dispose();
    this.responses.clear();
    this.active = undefined;
    this.vad?.dispose();
    this.vad = undefined;
    this.audio.clear();
  }

  // ---------------------------------------------------------------------------------
  // client events
  // ---------------------------------------------------------------------------------

  private async handle(frame: string): Promise<void> {
    if (this.closed) return;
    const checked = checkClientFrame(frame, this.options.dialect);
    if ('error' in checked) {
      const e = checked.error;
      return this.error('invalid_request_error', e.code, e.message, checked.eventId, e.param);
    }
    const fault = this.options.fault?.(checked.event.type);
    if (fault) return this.hit(fault);
    await this.dispatch(checked.event, checked.eventId);
  }

  private async dispatch(event: ClientEvent, eventId: string | null): Promise<void> {
    switch (event.type) {
      case 'session.update': {
        const result = updateSession(
          this.options.dialect,
          this.config,
          event.session as Json,
          this.conversation.hasAssistantAudio(),
        );
        if ('error' in result) {
          const e = result.error;
          return this.error('invalid_request_error', e.code, e.message, eventId, e.param);
        }
        this.config = result.config;
        this.settings = effective(this.options.dialect, this.config);
        this.emit('session.updated', { session: this.view() });
        const turn = this.settings.turn;
        if (turn && this.vad) this.vad.configure(this.vadSettings());
        if (!turn) {
          this.vadInSync = false;
          this.speech = undefined;
        }
        return;
      }
      case 'transcription_session.update':
        return this.error(
          'invalid_request_error',
          'invalid_value',
          'The rx-realtime emulator does not serve transcription sessions (transcription_session.update).',
          eventId,
          'type',
        );
      case 'input_audio_buffer.append':
        return this.append(event.audio, eventId);
      case 'input_audio_buffer.commit': {
        const ms = this.audio.bufferMs;
        if (ms < MIN_COMMIT_MS) {
          return this.error(
            'invalid_request_error',
            'input_audio_buffer_commit_empty',
            `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`,
            eventId,
          );
        }
        const itemId = this.speech?.itemId ?? newId('item');
        this.speech = undefined;
        this.vad?.reset();
        this.commitTurn(itemId, this.audio.commit(), Math.round(ms));
        return;
      }
      case 'input_audio_buffer.clear':
        this.audio.clear();
        this.vad?.reset();
        this.speech = undefined;
        this.emit('input_audio_buffer.cleared', {});
        return;
      case 'output_audio_buffer.clear':
        // WebRTC and SIP only (§5, §8): a WebSocket session has no output buffer on the server
        return this.error(
          'invalid_request_error',
          'invalid_value',
          'output_audio_buffer.clear is only supported for WebRTC and SIP sessions.',
          eventId,
          'type',
        );
      case 'conversation.item.create':
        return this.createItem(event.item, event.previous_item_id ?? undefined, eventId);
      case 'conversation.item.retrieve': {
        const stored = this.conversation.get(event.item_id);
        if (!stored) return this.notFound(event.item_id, eventId);
        this.emit('conversation.item.retrieved', { item: structuredClone(stored.item) });
        return;
      }
      case 'conversation.item.delete':
        if (!this.conversation.delete(event.item_id)) return this.notFound(event.item_id, eventId);
        this.emit('conversation.item.deleted', { item_id: event.item_id });
        return;
      case 'conversation.item.truncate':
        return this.truncate(event.item_id, event.content_index, event.audio_end_ms, eventId);
      case 'response.create': {
        const request = event.response;
        if (request) {
          const problem = validateResponse(this.options.dialect, request as Json);
          if (problem)
            return this.error('invalid_request_error', problem.code, problem.message, eventId, problem.param);
        }
        const outOfBand = request?.conversation === 'none';
        if (!outOfBand && this.active) {
          return this.error(
            'invalid_request_error',
            'conversation_already_has_active_response',
            `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`,
            eventId,
          );
        }
        this.startResponse(request, outOfBand);
        return;
      }
      case 'response.cancel': {
        const target = event.response_id ? this.responses.get(event.response_id) : this.active;
        if (!target || target.cancelReason) {
          return this.error(
            'invalid_request_error',
            'response_cancel_not_active',
            'Cancellation failed: no active response found',
            eventId,
          );
        }
        target.cancel('client_cancelled');
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------------
  // conversation items
  // ---------------------------------------------------------------------------------

  private createItem(given: ConversationItem, previous: string | undefined, eventId: string | null): void {
    const problem = itemProblem(given);
    if (problem)
      return this.error('invalid_request_error', problem.code, problem.message, eventId, problem.param);
    if (given.id !== undefined && this.conversation.has(given.id)) {
      return this.error(
        'invalid_request_error',
        'invalid_value',
        `Item with item_id '${given.id}' already exists.`,
        eventId,
        'item.id',
      );
    }
    const ga = this.options.dialect === 'ga';
    let inputAudioMs: number | undefined;
    const content = given.content?.map((part) => {
      if (part.type !== 'input_audio') return { ...part };
      // the audio is not echoed back (only its transcript, null until transcribed)
      const { audio, ...rest } = part;
      const bytesPerMs = this.settings.inputFormat === 'pcm16' ? 48 : 8;
      if (typeof audio === 'string') inputAudioMs = (inputAudioMs ?? 0) + (audio.length * 3) / 4 / bytesPerMs;
      return { ...rest, transcript: part.transcript ?? null };
    });
    const item: ConversationItem = {
      id: given.id ?? newId('item'),
      ...(ga ? {} : { object: 'realtime.item' }),
      ...given,
      ...(content ? { content } : {}),
      status: given.status ?? 'completed',
    };
    const placed = this.conversation.insert({ item, inputAudioMs }, previous);
    if (!placed) {
      return this.error(
        'invalid_request_error',
        'invalid_value',
        `Invalid 'previous_item_id': no item with id '${previous}' in the conversation.`,
        eventId,
        'previous_item_id',
      );
    }
    if (item.type === 'function_call_output' && item.call_id !== undefined) {
      this.functionOutputs.push({ callId: item.call_id, output: item.output ?? '' });
      if (this.functionOutputs.length > MAX_FUNCTION_OUTPUTS) this.functionOutputs.shift();
    }
    if (item.type === 'message' && item.role === 'user') {
      const text = (item.content ?? [])
        .map((c) => c.text ?? '')
        .join(' ')
        .trim();
      if (text) this.lastInput = { kind: 'text', text };
      else if (inputAudioMs !== undefined)
        this.lastInput = { kind: 'audio', audioMs: Math.round(inputAudioMs) };
    }
    this.announceItem(item, placed.previousId);
  }

  private truncate(itemId: string, contentIndex: number, audioEndMs: number, eventId: string | null): void {
    const stored = this.conversation.get(itemId);
    if (!stored) return this.notFound(itemId, eventId);
    const part = stored.item.content?.[contentIndex];
    if (stored.item.role !== 'assistant' || !part || stored.audioMs === undefined) {
      return this.error(
        'invalid_request_error',
        'invalid_value',
        `Invalid 'content_index': item ${itemId} has no assistant audio at content_index ${contentIndex}.`,
        eventId,
        'content_index',
      );
    }
    if (audioEndMs > stored.audioMs) {
      return this.error(
        'invalid_request_error',
        'invalid_value',
        `Audio content of ${stored.audioMs}ms is shorter than requested audio_end_ms of ${audioEndMs}ms.`,
        eventId,
        'audio_end_ms',
      );
    }
    // the service drops the transcript so that no text the user did not hear stays in context ([AZ-ref])
    part.transcript = '';
    stored.audioMs = audioEndMs;
    this.emit('conversation.item.truncated', {
      item_id: itemId,
      content_index: contentIndex,
      audio_end_ms: audioEndMs,
    });
  }

  /** Beta: `conversation.item.created`; GA: `conversation.item.added` then `.done` for a finished item (§5). */
  private announceItem(item: ConversationItem, previousId: string | null): void {
    const fields = { previous_item_id: previousId, item: structuredClone(item) };
    if (this.options.dialect === 'preview') return this.emit('conversation.item.created', fields);
    this.emit('conversation.item.added', fields);
    this.emit('conversation.item.done', structuredClone(fields));
  }

  // ---------------------------------------------------------------------------------
  // input audio and server VAD
  // ---------------------------------------------------------------------------------

  private async append(audio: string, eventId: string | null): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(audio);
    } catch (err) {
      return this.error(
        'invalid_request_error',
        'invalid_value',
        `Invalid 'audio': ${(err as Error).message}`,
        eventId,
        'audio',
      );
    }
    if (bytes.byteLength > MAX_APPEND_BYTES) {
      return this.error(
        'invalid_request_error',
        'invalid_value',
        `Invalid 'audio': one append may carry at most 15 MiB (15728640 bytes) of audio, got ${bytes.byteLength} bytes.`,
        eventId,
        'audio',
      );
    }
    const { pcm24, ms } = this.decoder.decode(bytes, this.settings.inputFormat);
    const startMs = this.audio.totalMs;
    this.audio.append(pcm24, ms);
    const turn = this.settings.turn;
    if (!turn) return;
    const vad = this.vad ?? (await this.loadVad(startMs));
    if (!vad || this.closed || !this.settings.turn) return;
    if (!this.vadInSync) {
      vad.resync(startMs);
      this.vadInSync = true;
    }
    for (const e of vad.push(pcm16ToFloat32(pcm24))) {
      if (this.closed) return;
      if (e.type === 'start') this.speechStarted(e.audioMs);
      else this.speechStopped(e.audioMs);
    }
    if (!this.speech) {
      // before speech only the prefix padding is needed (nothing unbounded)
      this.audio.forgetBefore(this.audio.totalMs - turn.prefixPaddingMs - 100);
      this.checkIdle();
    }
  }

  private speechStarted(atMs: number): void {
    const bufferStart = this.audio.totalMs - this.audio.bufferMs;
    const startMs = Math.max(0, bufferStart, Math.round(atMs));
    this.speech = { itemId: newId('item'), startMs };
    this.idleSinceMs = undefined;
    this.emit('input_audio_buffer.speech_started', { audio_start_ms: startMs, item_id: this.speech.itemId });
    // barge-in (§6): speech during a response cancels it when interrupt_response is on
    if (this.settings.turn?.interruptResponse && this.active) this.active.cancel('turn_detected');
  }

  private speechStopped(atMs: number): void {
    const speech = this.speech ?? {
      itemId: newId('item'),
      startMs: this.audio.totalMs - this.audio.bufferMs,
    };
    this.speech = undefined;
    const endMs = Math.round(atMs);
    this.emit('input_audio_buffer.speech_stopped', { audio_end_ms: endMs, item_id: speech.itemId });
    const pcm = this.audio.commit(speech.startMs, endMs);
    this.commitTurn(speech.itemId, pcm, endMs - speech.startMs);
    if (this.settings.turn?.createResponse) this.autoRespond();
  }

  /** GA `idle_timeout_ms`: after a response, that much audio without speech commits the silence and answers. */
  private checkIdle(): void {
    const idle = this.settings.turn?.idleTimeoutMs;
    if (idle == null || this.idleSinceMs === undefined || this.active || this.options.dialect !== 'ga')
      return;
    const now = this.audio.totalMs;
    if (now - this.idleSinceMs < idle) return;
    const itemId = newId('item');
    this.emit('input_audio_buffer.timeout_triggered', {
      audio_start_ms: Math.round(this.idleSinceMs),
      audio_end_ms: Math.round(now),
      item_id: itemId,
    });
    this.idleSinceMs = undefined;
    const ms = this.audio.bufferMs;
    this.commitTurn(itemId, this.audio.commit(), Math.round(ms));
    this.autoRespond();
  }

  /** `input_audio_buffer.committed`, then the user item; then input transcription when it is on (§6). */
  private commitTurn(itemId: string, pcm: Uint8Array, durationMs: number): void {
    const ga = this.options.dialect === 'ga';
    const item: ConversationItem = {
      id: itemId,
      ...(ga ? {} : { object: 'realtime.item' }),
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    const placed = this.conversation.insert({ item, inputAudioMs: durationMs })!;
    this.emit('input_audio_buffer.committed', { previous_item_id: placed.previousId, item_id: itemId });
    this.announceItem(item, placed.previousId);
    this.lastInput = { kind: 'audio', audioMs: durationMs };
    const transcription = this.settings.transcription;
    if (transcription) void this.transcribe(item, pcm, durationMs, transcription.model);
  }

  /** Asynchronous relative to the response events, as on the service (§9.9). */
  private async transcribe(
    item: ConversationItem,
    pcm: Uint8Array,
    ms: number,
    model: string,
  ): Promise<void> {
    const ref = { item_id: item.id!, content_index: 0 };
    let transcript: string;
    try {
      transcript = await this.options.transcriber(pcm, ms);
    } catch (err) {
      if (this.closed) return;
      const e = err as { message?: unknown; code?: unknown };
      this.emit('conversation.item.input_audio_transcription.failed', {
        ...ref,
        error: {
          type: 'transcription_error',
          code: typeof e.code === 'string' ? e.code : null,
          message: typeof e.message === 'string' ? e.message : String(err),
          param: null,
        },
      });
      return;
    }
    if (this.closed) return;
    // whisper-1 sends the transcript at once; the gpt-4o transcribe models stream deltas first
    if (!/whisper/i.test(model)) {
      for (const delta of transcript.split(/(?<=\s)/).filter(Boolean))
        this.emit('conversation.item.input_audio_transcription.delta', { ...ref, delta });
    }
    const usage = /whisper/i.test(model)
      ? { type: 'duration', seconds: Math.round(ms / 100) / 10 }
      : {
          type: 'tokens',
          input_tokens: Math.ceil(ms / 100),
          output_tokens: Math.ceil(transcript.length / 4),
          total_tokens: Math.ceil(ms / 100) + Math.ceil(transcript.length / 4),
          input_token_details: { text_tokens: 0, audio_tokens: Math.ceil(ms / 100) },
        };
    this.emit('conversation.item.input_audio_transcription.completed', { ...ref, transcript, usage });
    const part = item.content?.[0];
    if (part) part.transcript = transcript;
    if (this.lastInput.kind === 'audio' && this.lastInput.audioMs === ms)
      this.lastInput = { ...this.lastInput, text: transcript };
  }

  private async loadVad(startMs: number): Promise<VoiceActivityDetector | undefined> {
    this.vadLoading ??= VoiceActivityDetector.create(this.vadSettings(), startMs);
    const vad = await this.vadLoading;
    if (this.closed) {
      vad.dispose(); // the socket closed while the WASM loaded: nothing may outlive the session
      return undefined;
    }
    if (!this.vad) {
      this.vad = vad;
      this.vadInSync = true;
    }
    return this.vad;
  }

  private vadSettings() {
    const t = this.settings.turn;
    return {
      threshold: t?.threshold,
      prefixPaddingMs: t?.prefixPaddingMs,
      silenceDurationMs: t?.silenceDurationMs,
    };
  }

  // ---------------------------------------------------------------------------------
  // responses
  // ---------------------------------------------------------------------------------

  /** A response that server VAD asks for: now, or when the active one is done. */
  private autoRespond(): void {
    if (this.active) this.autoPending = true;
    else this.startResponse(undefined, false);
  }

  private startResponse(request: ResponseCreateParams | undefined, outOfBand: boolean): void {
    const run = new ResponseRun(
      this.port,
      responseSpecOf({
        dialect: this.options.dialect,
        config: this.config,
        settings: this.settings,
        conversation: this.conversation,
        conversationId: this.conversationId,
        request,
        outOfBand,
      }),
    );
    this.responses.set(run.id, run);
    if (!outOfBand) this.active = run;
    void this.respond(run, request)
      .catch((err: unknown) => {
        this.error('server_error', null, `The emulator failed: ${(err as Error).message}`, null);
      })
      .finally(() => {
        this.responses.delete(run.id);
        if (this.dropAt !== undefined && this.responses.size === 0) this.dropAt = undefined;
        if (this.active === run) {
          this.active = undefined;
          if (this.settings.turn) this.idleSinceMs = this.audio.totalMs;
          if (this.autoPending && !this.closed) {
            this.autoPending = false;
            this.startResponse(undefined, false);
          }
        }
      });
  }

  private async respond(run: ResponseRun, request: ResponseCreateParams | undefined): Promise<void> {
    const s = this.settings;
    const toolDefinitions = ((request?.tools ?? s.tools) as { name?: string; parameters?: unknown }[]).filter(
      (t) => typeof t.name === 'string',
    );
    const context: ReplyContext = {
      dialect: this.options.dialect,
      input: request?.input ? inputOf(request.input) : this.lastInput,
      request,
      instructions: request?.instructions ?? s.instructions,
      tools: toolDefinitions.map((t) => t.name!),
      toolDefinitions,
      toolChoice: request?.tool_choice ?? s.toolChoice,
      functionOutputs: run.spec.outOfBand ? [] : this.functionOutputs,
      responseCount: this.responseCount++,
      conversation: this.conversation.all().map((s) => structuredClone(s.item)),
    };
    if (!run.spec.outOfBand) this.functionOutputs = [];
    let reply: Reply;
    try {
      reply = await this.options.reply(context);
    } catch (err) {
      reply = {
        failure: {
          type: 'server_error',
          code: 'server_error',
          message: `The reply policy failed: ${(err as Error).message}`,
        },
      };
    }
    if (this.closed) return;
    this.dropAt = reply.dropAt;
    if (reply.delayMs) await run.wait(reply.delayMs, true);
    if (this.closed) return;
    if (reply.error) {
      const e = reply.error;
      return this.error(e.type ?? 'invalid_request_error', e.code, e.message, null, e.param ?? null);
    }
    await run.run(reply);
    if (reply.closeAfter && !this.closed) {
      this.closed = true;
      this.options.close(reply.closeAfter.code, reply.closeAfter.reason ?? '');
    }
  }

  // ---------------------------------------------------------------------------------
  // lifecycle and utils
  // ---------------------------------------------------------------------------------

  private expire(): void {
    this.expiry = undefined;
    const ms = this.options.maxSessionMs;
    const minutes = ms / 60_000;
    // §1 "Session length": an error with code session_expired and null event_id, then the socket closes (1001)
    this.error(
      'invalid_request_error',
      'session_expired',
      Number.isInteger(minutes)
        ? `Your session hit the maximum duration of ${minutes} minutes.`
        : `Your session hit the maximum duration of ${ms} ms.`,
      null,
    );
    this.closed = true;
    this.options.close(1001, 'session expired');
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
    if (this.dropAt !== undefined && type === this.dropAt) return this.hit('drop');
    const fault = this.options.fault?.(type);
    if (fault) return this.hit(fault);
    this.options.send(JSON.stringify({ type, event_id: newId('event'), ...fields }));
  }

  private view(): Json {
    return sessionView(this.options.dialect, this.config, this.sessionId, this.expiresAt);
  }
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

// kept importable from here (the testing index exports these types from this file)
export type { CancelReason, Reply, ReplyContext, ReplyPolicy, Transcriber };
