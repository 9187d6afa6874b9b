/**
 * The responses of one session: `response.create` and `response.cancel`, the responses server VAD asks for, and
 * what a reply policy is told: at most one response of the default conversation at a time
 * (`conversation_already_has_active_response`), any number out of band (`conversation: "none"`), and a turn that
 * ends while one is active answered when it is done.
 *
 * ```text
 * create ─► spec (responseSpec.ts) ─► reply policy ─► [delayMs] ─► ResponseRun: response.created … response.done
 * VAD turn ─► now, or after the active response ─┘                └─ barge-in / response.cancel: cancelled
 * ```
 */
// source: protocol README §6
import type { Dialect, ResponseCreateParams } from '../protocol';
import type { Effective, Json } from './config';
import { inputOf, type Conversation } from './conversation';
import type { Reply, ReplyContext, ReplyPolicy } from './replies';
import { ResponseRun, type ResponsePort } from './response';
import { responseSpecOf } from './responseSpec';
import type { Problem } from './serverEvent';
import { validateResponse } from './validate';

/** `function_call_output` items remembered for the next reply (a client may add many without asking for one). */
const MAX_FUNCTION_OUTPUTS = 64;

/** What the responses need from their session. */
export interface ResponderPort {
  readonly dialect: Dialect;
  readonly conversationId: string;
  readonly conversation: Conversation;
  readonly reply: ReplyPolicy;
  /** What each response may do to the session. */
  readonly run: ResponsePort;
  config(): Json;
  settings(): Effective;
  isClosed(): boolean;
  /** Ends the session with a close frame (a reply's `closeAfter`). */
  close(code: number, reason: string): void;
  refuse(problem: Problem, eventId: string | null, type?: string): void;
  /** The emulator itself failed while responding. */
  failed(err: unknown): void;
  /** A response of the default conversation ended (the GA idle timeout counts from here). */
  ended(): void;
}

export class Responder {
  private readonly responses = new Map<string, ResponseRun>();
  /** The response of the default conversation in progress (at most one). */
  // source: protocol README §6
  private active: ResponseRun | undefined;
  /** A server-VAD turn ended while a response was active: answer it when that one is done. */
  private autoPending = false;
  private responseCount = 0;
  private functionOutputs: { callId: string; output: string }[] = [];
  private lastInput: ReplyContext['input'] = { kind: 'none' };
  /** A reply's `dropAt`: the event type at which to drop the socket, while its responses run. */
  private dropType: string | undefined;

  constructor(private readonly port: ResponderPort) {}

  /** The event type a reply said to drop the socket at, if any. */
  get dropAt(): string | undefined {
    return this.dropType;
  }

  /** A response of the default conversation is in progress. */
  get responding(): boolean {
    return this.active !== undefined;
  }

  /** `response.create`. */
  create(request: ResponseCreateParams | undefined, eventId: string | null): void {
    if (request) {
      const problem = validateResponse(this.port.dialect, request as Json);
      if (problem) return this.port.refuse(problem, eventId);
    }
    const outOfBand = request?.conversation === 'none';
    if (!outOfBand && this.active) {
      return this.port.refuse(
        {
          code: 'conversation_already_has_active_response',
          message: `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`,
        },
        eventId,
      );
    }
    this.start(request, outOfBand);
  }

  /** `response.cancel` (of `responseId`, else the active one). */
  cancel(responseId: string | undefined, eventId: string | null): void {
    const target = responseId ? this.responses.get(responseId) : this.active;
    if (!target || target.cancelReason) {
      return this.port.refuse(
        { code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found' },
        eventId,
      );
    }
    target.cancel('client_cancelled');
  }

  /** A response that server VAD asks for: now, or when the active one is done. */
  auto(): void {
    if (this.active) this.autoPending = true;
    else this.start(undefined, false);
  }

  /** Barge-in: speech during a response cancels it. */
  // source: protocol README §6
  bargeIn(): void {
    this.active?.cancel('turn_detected');
  }

  /** What the next reply is told the user said. */
  heard(input: ReplyContext['input']): void {
    this.lastInput = input;
  }

  /** The transcript of an audio turn, when it is still the last input. */
  transcribed(audioMs: number, text: string): void {
    if (this.lastInput.kind === 'audio' && this.lastInput.audioMs === audioMs)
      this.lastInput = { ...this.lastInput, text };
  }

  /** A `function_call_output` item, for the next reply. */
  functionOutput(callId: string, output: string): void {
    this.functionOutputs.push({ callId, output });
    if (this.functionOutputs.length > MAX_FUNCTION_OUTPUTS) this.functionOutputs.shift();
  }

  /** Ends every response's waits; nothing more is sent since the session is closed. */
  dispose(): void {
    for (const r of this.responses.values()) r.dispose();
    this.responses.clear();
    this.active = undefined;
  }

  private start(request: ResponseCreateParams | undefined, outOfBand: boolean): void {
    const run = new ResponseRun(
      this.port.run,
      responseSpecOf({
        dialect: this.port.dialect,
        config: this.port.config(),
        settings: this.port.settings(),
        conversation: this.port.conversation,
        conversationId: this.port.conversationId,
        request,
        outOfBand,
      }),
    );
    this.responses.set(run.id, run);
    if (!outOfBand) this.active = run;
    void this.respond(run, request)
      .catch((err: unknown) => this.port.failed(err))
      .finally(() => {
        this.responses.delete(run.id);
        if (this.dropType !== undefined && this.responses.size === 0) this.dropType = undefined;
        if (this.active === run) {
          this.active = undefined;
          this.port.ended();
          if (this.autoPending && !this.port.isClosed()) {
            this.autoPending = false;
            this.start(undefined, false);
          }
        }
      });
  }

  private async respond(run: ResponseRun, request: ResponseCreateParams | undefined): Promise<void> {
    const s = this.port.settings();
    const toolDefinitions = ((request?.tools ?? s.tools) as { name?: string; parameters?: unknown }[]).filter(
      (t) => typeof t.name === 'string',
    );
    const context: ReplyContext = {
      dialect: this.port.dialect,
      input: request?.input ? inputOf(request.input) : this.lastInput,
      request,
      instructions: request?.instructions ?? s.instructions,
      tools: toolDefinitions.map((t) => t.name!),
      toolDefinitions,
      toolChoice: request?.tool_choice ?? s.toolChoice,
      functionOutputs: run.spec.outOfBand ? [] : this.functionOutputs,
      responseCount: this.responseCount++,
      conversation: this.port.conversation.all().map((s) => structuredClone(s.item)),
    };
    if (!run.spec.outOfBand) this.functionOutputs = [];
    let reply: Reply;
    try {
      reply = await this.port.reply(context);
    } catch (err) {
      reply = {
        failure: {
          type: 'server_error',
          code: 'server_error',
          message: `The reply policy failed: ${(err as Error).message}`,
        },
      };
    }
    if (this.port.isClosed()) return;
    this.dropType = reply.dropAt;
    if (reply.delayMs) await run.wait(reply.delayMs, true);
    if (this.port.isClosed()) return;
    if (reply.error) {
      const e = reply.error;
      return this.port.refuse(e, null, e.type ?? 'invalid_request_error');
    }
    await run.run(reply);
    if (reply.closeAfter && !this.port.isClosed())
      this.port.close(reply.closeAfter.code, reply.closeAfter.reason ?? '');
  }
}
