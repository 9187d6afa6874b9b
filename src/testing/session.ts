/**
 * One emulated Realtime session: the per-connection state machine behind `startEmulator`.
 *
 * It follows the published protocol: the order of events (connect, server VAD turns, manual commits, barge-in,
 * cancel, out-of-band responses), the session shapes per dialect, the limits and session expiry.
 * Every client event is validated with the library's own codecs, then as the service validates values.
 *
 * ```text
 * open ──► session.created ──► (client events, one at a time; responses stream beside them) ──► closed
 *                                   │ session_expired at maxSessionMs ─► close 1001
 * ```
 *
 * Client frames are handled strictly in arrival order (a queue), so events caused by one frame come before those of
 * the next. Responses run concurrently with that queue, as on the service (a barge-in can cancel one mid-stream).
 * The frame queue and its flow control are `frameQueue.ts`; the input side (audio buffer, server VAD)
 * `inputTurns.ts`; conversation item events `itemEvents.ts`; responses `responder.ts` (one response: `response.ts`);
 * input transcription and transcription-only sessions (`?intent=transcription`) `transcription.ts`. This file holds
 * the session's state, its config and the dispatch of client events between them.
 */
// source: protocol README §1, §3, §4, §6
import type { ClientEvent, ConversationItem, Dialect } from '../protocol';
import type { Clock } from './clock';
import {
  defaultSession,
  effective,
  serverVad,
  sessionView,
  updateSession,
  type Effective,
  type Json,
} from './config';
import { checkClientFrame } from './clientFrames';
import { Conversation } from './conversation';
import { FrameQueue } from './frameQueue';
import { newId } from './ids';
import { ItemEvents } from './itemEvents';
import { InputTurns } from './inputTurns';
import type { FaultAction } from './faults';
import type { Reply, ReplyContext, ReplyPolicy, Transcriber } from './replies';
import { Responder } from './responder';
import type { CancelReason, ResponsePort } from './response';
import { errorFields, wireType, type EmitServerEvent, type FieldsOf, type Problem } from './serverEvent';
import {
  TRANSCRIPTION_EVENTS,
  defaultTranscriptionSession,
  transcribeTurn,
  transcriptionSessionView,
  type SessionKind,
} from './transcription';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface SessionOptions {
  readonly dialect: Dialect;
  /** `'transcription'`: a transcription-only session (`?intent=transcription`); default `'realtime'`. */
  readonly kind?: SessionKind | undefined;
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
  /** The clock for `expires_at`, session expiry and response pacing. */
  readonly clock: Clock;
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
  /**
   * Stops / restarts reading from the socket: backpressure when client frames come faster than handled, or when
   * the client does not read what it is sent.
   */
  readonly pause: () => void;
  readonly resume: () => void;
  /** Bytes sent but not yet taken by the client (the socket's send buffer). */
  readonly buffered: () => number;
}

/** Client events a transcription session serves besides its config update: the input audio buffer only. */
// source: protocol README §5
const TRANSCRIPTION_INPUT = [
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
];

// -------------------------------------------------------------------------------------
// the session
// -------------------------------------------------------------------------------------

export class EmulatedSession {
  private readonly sessionId = newId('sess');
  private readonly conversationId = newId('conv');
  private readonly kind: SessionKind;
  private readonly expiresAt: number;
  private config: Json;
  private settings: Effective;
  private readonly conversation: Conversation;
  private readonly input: InputTurns;
  private readonly responder: Responder;
  // lifecycle
  private closed = false;
  private expiry: unknown;
  private readonly frames: FrameQueue;
  private readonly items: ItemEvents;
  private disposed = false;
  /** What a response may do to its session. */
  private readonly port: ResponsePort;
  /** The typed sender every part of the session uses. */
  private readonly emit: EmitServerEvent = (type, fields) => this.send(type, fields);

  constructor(private readonly options: SessionOptions) {
    this.kind = options.kind ?? 'realtime';
    this.frames = new FrameQueue(options, (err) => this.failed(err));
    this.port = {
      dialect: options.dialect,
      pace: options.pace,
      speech: options.speech,
      clock: options.clock,
      emit: this.emit,
      isClosed: () => this.closed,
      addItem: (stored) => {
        const placed = this.conversation.insert(stored)!;
        this.emit(wireType('itemAdded', options.dialect), {
          previous_item_id: placed.previousId,
          item: structuredClone(stored.item),
        });
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
    this.config =
      this.kind === 'transcription'
        ? defaultTranscriptionSession(options.dialect, options.model, serverVad(options.dialect))
        : defaultSession(options.dialect, options.model);
    this.settings = effective(options.dialect, this.config);
    this.conversation = new Conversation(options.maxItems);
    this.responder = new Responder({
      dialect: options.dialect,
      conversationId: this.conversationId,
      conversation: this.conversation,
      reply: options.reply,
      run: this.port,
      config: () => this.config,
      settings: () => this.settings,
      isClosed: () => this.closed,
      close: (code, reason) => {
        this.closed = true;
        this.frames.dispose();
        this.options.close(code, reason);
      },
      refuse: (problem, eventId, type) => this.refuse(problem, eventId, type),
      failed: (err) => this.failed(err),
      ended: () => this.input.responseEnded(),
    });
    this.items = new ItemEvents({
      dialect: options.dialect,
      conversation: this.conversation,
      emit: this.emit,
      refuse: (problem, eventId) => {
        this.refuse(problem, eventId);
        return undefined;
      },
      inputFormat: () => this.settings.inputFormat,
    });
    this.input = new InputTurns(
      {
        dialect: options.dialect,
        emit: this.emit,
        isClosed: () => this.closed,
        settings: () => this.settings,
        commitTurn: (itemId, pcm, ms) => this.commitTurn(itemId, pcm, ms),
        // a transcription session never answers (§5): its turns are only transcribed
        autoRespond: () => {
          if (this.kind === 'realtime') this.responder.auto();
        },
        bargeIn: () => this.responder.bargeIn(),
        // the GA idle timeout answers the silence: never in a transcription session, which answers nothing
        responding: () => this.responder.responding || this.kind === 'transcription',
      },
      options.maxTurnAudioMs,
    );
    this.expiresAt = Math.floor((options.clock.now() + options.maxSessionMs) / 1000);
  }

  /** Sends `session.created` (and `conversation.created` when asked) and starts the session clock. */
  start(): void {
    if (this.kind === 'transcription')
      this.emit(TRANSCRIPTION_EVENTS[this.options.dialect].created, { session: this.view() });
    else this.emit('session.created', { session: this.view() });
    if (this.options.sendConversationCreated && this.kind === 'realtime') {
      this.emit('conversation.created', {
        conversation: { id: this.conversationId, object: 'realtime.conversation' },
      });
    }
    this.expiry = this.options.clock.setTimeout(() => this.expire(), this.options.maxSessionMs, {
      unref: true,
    });
  }

  /** Handles one client text frame, after every frame before it. */
  receive(frame: string): void {
    this.frames.push(() => this.handle(frame));
  }

  /** Answers a binary frame: the protocol has none. */
  // source: protocol README §1 Frames
  receiveBinary(): void {
    this.frames.then(() =>
      this.refuse(
        {
          code: 'invalid_event',
          message: 'Binary frames are not supported: send each event as a JSON text frame.',
        },
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
    this.frames.dispose(); // a stalled socket must stay paused
    if (action === 'drop') this.options.drop();
    else if (action === 'close') this.options.close(1011, 'Internal server error');
    else this.options.stall();
  }

  /** Stops timers, responses and the VAD; called when the socket closes. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closed = true;
    if (this.expiry !== undefined) this.options.clock.clearTimeout(this.expiry);
    this.expiry = undefined;
    this.frames.dispose();
    this.responder.dispose();
    this.input.dispose();
  }

  // ---------------------------------------------------------------------------------
  // client events
  // ---------------------------------------------------------------------------------

  private async handle(frame: string): Promise<void> {
    if (this.closed) return;
    const checked = checkClientFrame(frame, this.options.dialect);
    if ('error' in checked) return this.refuse(checked.error, checked.eventId);
    const fault = this.options.fault?.(checked.event.type);
    if (fault) return this.hit(fault);
    if (this.kind === 'transcription') return this.dispatchTranscription(checked.event, checked.eventId);
    await this.dispatch(checked.event, checked.eventId);
  }

  private async dispatch(event: ClientEvent, eventId: string | null): Promise<void> {
    switch (event.type) {
      case 'session.update':
        return this.updateConfig(event.session as Json, eventId, 'session.updated');
      case 'transcription_session.update':
        return this.refuse(
          {
            code: 'invalid_value',
            message:
              'transcription_session.update is only served in transcription sessions: open the session with ?intent=transcription.',
            param: 'type',
          },
          eventId,
        );
      case 'input_audio_buffer.append':
      case 'input_audio_buffer.commit':
      case 'input_audio_buffer.clear':
        return this.inputEvent(event, eventId);
      case 'output_audio_buffer.clear':
        // WebRTC and SIP only (§5, §8): a WebSocket session has no output buffer on the server
        return this.refuse(
          {
            code: 'invalid_value',
            message: 'output_audio_buffer.clear is only supported for WebRTC and SIP sessions.',
            param: 'type',
          },
          eventId,
        );
      case 'conversation.item.create':
        return this.createItem(event.item, event.previous_item_id ?? undefined, eventId);
      case 'conversation.item.retrieve':
        return this.items.retrieve(event.item_id, eventId);
      case 'conversation.item.delete':
        return this.items.delete(event.item_id, eventId);
      case 'conversation.item.truncate':
        return this.items.truncate(event.item_id, event.content_index, event.audio_end_ms, eventId);
      case 'response.create':
        return this.responder.create(event.response, eventId);
      case 'response.cancel':
        return this.responder.cancel(event.response_id, eventId);
    }
  }

  /**
   * A transcription session: its config update (`transcription_session.update` in
   * preview, `session.update` with `type: "transcription"` in GA) and the input audio buffer; nothing else, and no
   * response ever.
   */
  // source: protocol README §1 `?intent=transcription`, §5
  private async dispatchTranscription(event: ClientEvent, eventId: string | null): Promise<void> {
    const names = TRANSCRIPTION_EVENTS[this.options.dialect];
    if (
      event.type === names.update &&
      (event.type === 'session.update' || event.type === 'transcription_session.update')
    )
      return this.updateConfig(event.session as Json, eventId, names.updated);
    if (
      event.type === 'input_audio_buffer.append' ||
      event.type === 'input_audio_buffer.commit' ||
      event.type === 'input_audio_buffer.clear'
    )
      return this.inputEvent(event, eventId);
    return this.refuse(
      {
        code: 'invalid_value',
        message: `'${event.type}' is not supported in transcription sessions: send ${names.update}, ${TRANSCRIPTION_INPUT.join(', ')}.`,
        param: 'type',
      },
      eventId,
    );
  }

  /** `session.update` / `transcription_session.update`: validated as the service does, then echoed in full. */
  private updateConfig(
    update: Json,
    eventId: string | null,
    echo: 'session.updated' | 'transcription_session.updated',
  ): void {
    const result = updateSession(
      this.options.dialect,
      this.config,
      update,
      this.conversation.hasAssistantAudio(),
      this.kind,
    );
    if ('error' in result) return this.refuse(result.error, eventId);
    this.config = result.config;
    this.settings = effective(this.options.dialect, this.config);
    this.emit(echo, { session: this.view() });
    this.input.configure();
  }

  private async inputEvent(
    event: Extract<
      ClientEvent,
      { type: 'input_audio_buffer.append' | 'input_audio_buffer.commit' | 'input_audio_buffer.clear' }
    >,
    eventId: string | null,
  ): Promise<void> {
    if (event.type === 'input_audio_buffer.append') {
      const problem = await this.input.append(event.audio);
      if (problem) this.refuse(problem, eventId);
      return;
    }
    if (event.type === 'input_audio_buffer.commit') {
      const problem = this.input.commit();
      if (problem) this.refuse(problem, eventId);
      return;
    }
    this.input.clear();
    this.emit('input_audio_buffer.cleared', {});
  }

  // ---------------------------------------------------------------------------------
  // conversation items
  // ---------------------------------------------------------------------------------

  private createItem(given: ConversationItem, previous: string | undefined, eventId: string | null): void {
    const created = this.items.create(given, previous, eventId);
    if (!created) return;
    const { item, inputAudioMs } = created;
    if (item.type === 'function_call_output' && item.call_id !== undefined)
      this.responder.functionOutput(item.call_id, item.output ?? '');
    if (item.type === 'message' && item.role === 'user') {
      const text = (item.content ?? [])
        .map((c) => c.text ?? '')
        .join(' ')
        .trim();
      if (text) this.responder.heard({ kind: 'text', text });
      else if (inputAudioMs !== undefined)
        this.responder.heard({ kind: 'audio', audioMs: Math.round(inputAudioMs) });
    }
  }

  /** `input_audio_buffer.committed`, then the user item; then input transcription when it is on. */
  // source: protocol README §6
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
    this.items.announce(item, placed.previousId);
    this.responder.heard({ kind: 'audio', audioMs: durationMs });
    const transcription = this.settings.transcription;
    if (!transcription) return;
    void transcribeTurn(
      this.emit,
      () => this.closed,
      this.options.transcriber,
      item,
      pcm,
      durationMs,
      transcription.model,
    ).then((transcript) => {
      if (transcript !== undefined) this.responder.transcribed(durationMs, transcript);
    });
  }

  // ---------------------------------------------------------------------------------
  // lifecycle and utils
  // ---------------------------------------------------------------------------------

  private expire(): void {
    this.expiry = undefined;
    const ms = this.options.maxSessionMs;
    const minutes = ms / 60_000;
    // §1 "Session length": an error with code session_expired and null event_id, then the socket closes (1001)
    this.refuse(
      {
        code: 'session_expired',
        message: Number.isInteger(minutes)
          ? `Your session hit the maximum duration of ${minutes} minutes.`
          : `Your session hit the maximum duration of ${ms} ms.`,
      },
      null,
    );
    this.closed = true;
    this.frames.dispose();
    this.options.close(1001, 'session expired');
  }

  /** An `error` event for the client event `eventId` (null: none caused it); `invalid_request_error` by default. */
  private refuse(problem: Problem, eventId: string | null, type?: string): void {
    this.emit('error', errorFields(problem, eventId, type));
  }

  /** The emulator itself failed: a `server_error`, as the service reports its own faults. */
  private failed(err: unknown): void {
    this.refuse(
      { code: null, message: `The emulator failed: ${(err as Error).message}` },
      null,
      'server_error',
    );
  }

  private send<T extends Parameters<EmitServerEvent>[0]>(type: T, fields: FieldsOf<T>): void {
    if (this.closed) return;
    if (this.responder.dropAt !== undefined && type === this.responder.dropAt) return this.hit('drop');
    const fault = this.options.fault?.(type);
    if (fault) return this.hit(fault);
    this.options.send(JSON.stringify({ type, event_id: newId('event'), ...fields }));
    this.frames.sent();
  }

  private view(): FieldsOf<'session.created'>['session'] {
    const view =
      this.kind === 'transcription'
        ? transcriptionSessionView(this.options.dialect, this.config, this.sessionId, this.expiresAt)
        : sessionView(this.options.dialect, this.config, this.sessionId, this.expiresAt);
    // the config is kept in the dialect's wire shape (config.ts), which the Session codec describes
    return view as FieldsOf<'session.created'>['session'];
  }
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

// kept importable from here (the testing index exports these types from this file)
export type { CancelReason, Reply, ReplyContext, ReplyPolicy, Transcriber };
