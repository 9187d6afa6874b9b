/**
 * One response of an emulated session, from `response.created` to `response.done` and `rate_limits.updated`, in
 * the event order of for both dialects:
 *
 * ```text
 * response.created
 * ├─ message item: output_item.added → [conversation item added] → content_part.added
 * │    → text deltas, or transcript + audio deltas interleaved → *.done → content_part.done
 * │    → output_item.done → [GA conversation.item.done]
 * ├─ function_call item: output_item.added → [conversation item added] → function_call_arguments.delta ×N
 * │    → .done → output_item.done → [GA conversation.item.done]
 * response.done (status, status_details, output, usage)
 * rate_limits.updated
 * ```
 *
 * The conversation events in brackets are left out of out-of-band responses (`conversation: "none"`). A cancel
 * (client or barge-in) stops the deltas and still sends the pending done events;
 * `max_output_tokens` stops them too, with `status: "incomplete"`.
 */
// source: protocol README §6, §6 "Barge-in and cancel"
import { bytesToBase64 } from '../audio/base64';
import type { ConversationItem, Dialect, NeutralEventName } from '../protocol';
import type { Clock } from './clock';
import { gaFormatObject } from './config';
import type { StoredItem } from './conversation';
import { newId } from './ids';
import type { Reply } from './replies';
import { wireType, type EmitServerEvent, type FieldsOf } from './serverEvent';
import { encodeOutput } from './outputAudio';
import { audioTokens, textTokens, usageOf, type ResponseSpec } from './responseSpec';
import { synthesize } from './speech';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where a content part is: the fields every part event carries. */
// source: protocol README §7
type PartRef = Omit<FieldsOf<'response.text.delta'>, 'delta'>;

/** What a response needs from its session. */
export interface ResponsePort {
  readonly dialect: Dialect;
  readonly pace: 'realtime' | 'fast';
  readonly speech: 'auto' | 'builtin';
  readonly clock: Clock;
  readonly emit: EmitServerEvent;
  isClosed(): boolean;
  /** Adds an assistant item to the default conversation and announces it (beta `created`, GA `added`). */
  addItem(stored: StoredItem): void;
  /** Announces that an item is final (GA `conversation.item.done`; nothing in beta). */
  itemDone(stored: StoredItem): void;
}

export type CancelReason = 'turn_detected' | 'client_cancelled';

/** Pauses of the `'realtime'` pace (ms): about what the service shows. */
const PACE = {
  firstAudio: 200,
  firstText: 150,
  audioChunk: 50, // per 100 ms of audio: twice real time, as the service streams ahead of playback
  textWord: 30,
  argumentsChunk: 10,
};
const AUDIO_CHUNK_MS = 100;
/** `rate_limits.updated` numbers (recorded GA payload: tokens, limit 40000). */
const TOKENS_PER_MINUTE = 40_000;

// -------------------------------------------------------------------------------------
// the response
// -------------------------------------------------------------------------------------

export class ResponseRun {
  readonly id = newId('resp');
  private cancelled: CancelReason | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly port: ResponsePort,
    readonly spec: ResponseSpec,
  ) {}

  get cancelReason(): CancelReason | undefined {
    return this.cancelled;
  }

  /** Cancels it (the first reason wins); its pending done events follow. */
  cancel(reason: CancelReason): void {
    this.cancelled ??= reason;
    this.wakeUp?.();
  }

  /** Ends every wait at once (the socket closed); nothing more is sent since the port is closed. */
  dispose(): void {
    this.wakeUp?.();
  }

  /** Waits `ms` (`'fast'` pace: one turn of the event loop, unless `always`); a cancel ends it early. */
  wait(ms: number, always = false): Promise<void> {
    if ((this.port.pace === 'fast' && !always) || this.cancelled || this.port.isClosed())
      return new Promise((r) => setImmediate(r));
    return new Promise((resolve) => {
      const clock = this.port.clock;
      const done = () => {
        clock.clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = clock.setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Streams the whole response for `reply`. */
  async run(reply: Reply): Promise<void> {
    const port = this.port;
    port.emit('response.created', { response: this.view('in_progress', null, [], null) });
    const output: ConversationItem[] = [];
    let incomplete = false;
    let outText = 0;
    let outAudio = 0;
    if (!reply.failure) {
      const text = reply.text ?? (reply.functionCall ? undefined : '');
      if (text !== undefined && !this.cancelled) {
        const m = await this.message(output.length, text, reply.audio);
        if (!m) return;
        output.push(m.item);
        incomplete = m.incomplete;
        outText += m.textTokens;
        outAudio += m.audioTokens;
      }
      if (reply.functionCall && !this.cancelled && !incomplete) {
        const f = await this.functionCall(output.length, reply.functionCall);
        if (!f) return;
        output.push(f);
        outText += textTokens(f.arguments ?? '');
      }
    }
    if (port.isClosed()) return;
    const status = reply.failure
      ? 'failed'
      : this.cancelled
        ? 'cancelled'
        : incomplete
          ? 'incomplete'
          : 'completed';
    const details =
      status === 'completed'
        ? null
        : status === 'failed'
          ? {
              type: 'failed',
              error: {
                type: reply.failure!.type ?? 'server_error',
                code: reply.failure!.code,
                ...(reply.failure!.message ? { message: reply.failure!.message } : {}),
              },
            }
          : status === 'cancelled'
            ? { type: 'cancelled', reason: this.cancelled }
            : { type: 'incomplete', reason: 'max_output_tokens' };
    const usage = usageOf(this.port.dialect, this.spec.inputTokens, outText, outAudio);
    port.emit('response.done', { response: this.view(status, details, output, usage) });
    const used = usage.total_tokens;
    const tokens = {
      name: 'tokens',
      limit: TOKENS_PER_MINUTE,
      remaining: Math.max(0, TOKENS_PER_MINUTE - used),
      reset_seconds: Math.round((used / TOKENS_PER_MINUTE) * 60 * 1000) / 1000,
    };
    port.emit('rate_limits.updated', {
      rate_limits:
        port.dialect === 'ga'
          ? [tokens] // the recorded GA payload has tokens only (§3)
          : [{ name: 'requests', limit: 1000, remaining: 999, reset_seconds: 0.06 }, tokens],
    });
  }

  // ---------------------------------------------------------------------------------
  // items
  // ---------------------------------------------------------------------------------

  private async message(
    outputIndex: number,
    text: string,
    audioOverride: Uint8Array | undefined,
  ): Promise<
    { item: ConversationItem; incomplete: boolean; textTokens: number; audioTokens: number } | undefined
  > {
    const { port, spec } = this;
    const ga = port.dialect === 'ga';
    const stored: StoredItem = {
      item: {
        id: newId('item'),
        ...(ga ? {} : { object: 'realtime.item' }),
        type: 'message',
        status: 'in_progress',
        role: 'assistant',
        content: [],
      },
    };
    const itemId = this.announce(stored, outputIndex);
    const ref = { response_id: this.id, item_id: itemId, output_index: outputIndex, content_index: 0 };
    port.emit('response.content_part.added', {
      ...ref,
      part: spec.audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' },
    });
    const words = text.split(/(?<=\s)/).filter((w) => w.length > 0);
    const budget = spec.maxOutputTokens === 'inf' ? Infinity : spec.maxOutputTokens;
    let sent = '';
    let sentWords = 0;
    let incomplete = false;
    let audioMs = 0;
    if (spec.audio) {
      const pcm =
        audioOverride ??
        (await synthesize(text, { engine: port.speech, voice: spec.voice, speed: spec.speed })).pcm;
      const encoded = encodeOutput(pcm, spec.outputFormat);
      const bytesPerMs = spec.outputFormat === 'pcm16' ? 48 : 8;
      const chunkBytes = AUDIO_CHUNK_MS * bytesPerMs;
      const chunks = Math.ceil(encoded.byteLength / chunkBytes);
      await this.wait(PACE.firstAudio);
      for (let i = 0; i < chunks && !this.cancelled && !port.isClosed(); i++) {
        const chunk = encoded.subarray(i * chunkBytes, (i + 1) * chunkBytes);
        const chunkMs = chunk.byteLength / bytesPerMs;
        const due = Math.ceil(((i + 1) * words.length) / chunks);
        const newText = words.slice(sentWords, due).join('');
        if (textTokens(sent + newText) + audioTokens(audioMs + chunkMs) > budget) {
          incomplete = true;
          break;
        }
        for (; sentWords < due; sentWords++) this.transcriptDelta(ref, words[sentWords]!);
        sent += newText;
        port.emit(this.name('audioDelta'), { ...ref, delta: bytesToBase64(chunk) });
        audioMs += chunkMs;
        await this.wait(PACE.audioChunk);
      }
      if (!this.cancelled && !incomplete && chunks === 0) {
        for (; sentWords < words.length; sentWords++) this.transcriptDelta(ref, words[sentWords]!);
        sent = text;
      }
      if (port.isClosed()) return undefined;
      port.emit(this.name('audioDone'), ref);
      port.emit(this.name('transcriptDone'), { ...ref, transcript: sent });
      port.emit('response.content_part.done', { ...ref, part: { type: 'audio', transcript: sent } });
      stored.item.content = [{ type: ga ? 'output_audio' : 'audio', transcript: sent }];
      stored.audioMs = Math.round(audioMs);
    } else {
      await this.wait(PACE.firstText);
      for (const word of words) {
        if (this.cancelled || port.isClosed()) break;
        if (textTokens(sent + word) > budget) {
          incomplete = true;
          break;
        }
        port.emit(this.name('textDelta'), { ...ref, delta: word });
        sent += word;
        await this.wait(PACE.textWord);
      }
      if (port.isClosed()) return undefined;
      port.emit(this.name('textDone'), { ...ref, text: sent });
      port.emit('response.content_part.done', { ...ref, part: { type: 'text', text: sent } });
      stored.item.content = [{ type: ga ? 'output_text' : 'text', text: sent }];
    }
    stored.item.status = this.cancelled || incomplete ? 'incomplete' : 'completed';
    port.emit('response.output_item.done', {
      response_id: this.id,
      output_index: outputIndex,
      item: structuredClone(stored.item),
    });
    if (!spec.outOfBand) port.itemDone(stored);
    return {
      item: structuredClone(stored.item),
      incomplete,
      textTokens: textTokens(sent),
      audioTokens: spec.audio ? audioTokens(audioMs) : 0,
    };
  }

  private async functionCall(
    outputIndex: number,
    call: NonNullable<Reply['functionCall']>,
  ): Promise<ConversationItem | undefined> {
    const { port, spec } = this;
    const ga = port.dialect === 'ga';
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    const callId = call.callId ?? newId('call');
    const stored: StoredItem = {
      item: {
        id: newId('item'),
        ...(ga ? {} : { object: 'realtime.item' }),
        type: 'function_call',
        status: 'in_progress',
        name: call.name,
        call_id: callId,
        arguments: '',
      },
    };
    const itemId = this.announce(stored, outputIndex);
    const ref = { response_id: this.id, item_id: itemId, output_index: outputIndex, call_id: callId };
    let sent = '';
    for (let i = 0; i < args.length && !this.cancelled && !port.isClosed(); i += 12) {
      port.emit('response.function_call_arguments.delta', { ...ref, delta: args.slice(i, i + 12) });
      sent += args.slice(i, i + 12);
      await this.wait(PACE.argumentsChunk);
    }
    if (port.isClosed()) return undefined;
    // GA adds the required `name` (§5)
    port.emit('response.function_call_arguments.done', {
      ...ref,
      arguments: sent,
      ...(ga ? { name: call.name } : {}),
    });
    stored.item.arguments = sent;
    stored.item.status = this.cancelled ? 'incomplete' : 'completed';
    port.emit('response.output_item.done', {
      response_id: this.id,
      output_index: outputIndex,
      item: structuredClone(stored.item),
    });
    if (!spec.outOfBand) port.itemDone(stored);
    return structuredClone(stored.item);
  }

  // ---------------------------------------------------------------------------------
  // utils
  // ---------------------------------------------------------------------------------

  /** `response.output_item.added`, and the item enters the conversation unless out of band. */
  // source: protocol README §6
  private announce(stored: StoredItem, outputIndex: number): string {
    this.port.emit('response.output_item.added', {
      response_id: this.id,
      output_index: outputIndex,
      item: structuredClone(stored.item),
    });
    if (!this.spec.outOfBand) this.port.addItem(stored);
    return stored.item.id!;
  }

  private transcriptDelta(ref: PartRef, delta: string): void {
    // real GA transcript deltas carry an `obfuscation` padding string ([rec-GA], §9.1)
    const extra =
      this.port.dialect === 'ga' ? { obfuscation: newId('o').slice(2, 2 + 4 + (delta.length % 12)) } : {};
    this.port.emit(this.name('transcriptDelta'), { ...ref, delta, ...extra });
  }

  private name<K extends NeutralEventName>(neutral: K) {
    return wireType(neutral, this.port.dialect);
  }

  private view(status: string, details: unknown, output: ConversationItem[], usage: unknown): object {
    const s = this.spec;
    const head = {
      object: 'realtime.response',
      id: this.id,
      status,
      status_details: details,
      output,
      conversation_id: s.conversationId,
    };
    // field order of the recorded responses ([rec-beta], [rec-GA])
    return this.port.dialect === 'ga'
      ? {
          ...head,
          output_modalities: s.modalities,
          max_output_tokens: s.maxOutputTokens,
          audio: { output: { format: gaFormatObject(s.outputFormat), voice: s.voiceEcho } },
          usage,
          metadata: s.metadata,
        }
      : {
          ...head,
          modalities: s.modalities,
          voice: s.voiceEcho,
          output_audio_format: s.outputFormat,
          temperature: s.temperature,
          max_output_tokens: s.maxOutputTokens,
          usage,
          metadata: s.metadata,
        };
  }
}
