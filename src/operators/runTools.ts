import {
  asyncScheduler,
  from,
  isObservable,
  Observable,
  Subject,
  Subscription,
  take,
  throwError,
  timeout,
  type ObservableInput,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type { ClientEvent, ServerMessage } from '../protocol';
import { functionCalls, type FunctionCall, type InvalidFunctionCall } from './functionCalls';
import { isReconnecting, type SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

// Protocol facts (../shared/protocol/README.md): a function call is an output item whose arguments end with
// `response.function_call_arguments.done` (beta without `name`, GA with it, §5); the client then sends
// `conversation.item.create {item:{type:"function_call_output", call_id, output}}` and a new `response.create`
// (§6 "Audio response, beta"). A `response.create` while a response is in flight is refused
// (`conversation_already_has_active_response`), hence one create per response, after its `response.done`.

// `any` for the arguments on purpose: they are whatever JSON the model wrote for the tool's schema, and a handler
// destructures them (`({ city }) => …`); `unknown` would force a cast in every handler.
/**
 * A tool: called with the call's parsed arguments (and the call itself), it answers with a value, a Promise or an
 * Observable (its first value). A string is sent as it is; anything else as JSON. A throw, a rejection or an error
 * answers the model with the error's message.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ToolHandler = (args: any, call: FunctionCall) => unknown;

/** The tools by function name (the `name` of each function tool in the session's `tools`). */
export type Tools = Readonly<Record<string, ToolHandler>>;

/** Options of {@link runTools}. */
export interface RunToolsOptions {
  /**
   * A Promise or Observable handler that has not answered after this many ms answers with an error output
   * instead (`{"error":"The tool get_weather did not answer within 5000 ms."}`). Default: no limit.
   */
  readonly timeoutMs?: number | undefined;
  /** The scheduler of `timeoutMs`. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

/** Responses with calls still being answered, at most; the oldest beyond is answered without its create. */
const MAX_OPEN_RESPONSES = 64;

/**
 * The client events that answer the model's function calls: one `function_call_output` item per call, then one
 * `response.create` per response, after all of that response's calls are answered.
 *
 * It's like `functionCalls()` + `mergeMap(handler)` + `functionCallOutput(call, result)`, but a response that
 * calls several tools gets a single `response.create`, sent once its `response.done` has arrived and every one of
 * its handlers has answered; each handler starts as soon as its call's arguments are done. Outputs are sent in
 * the order of the calls. Responses are kept apart by `response_id`: a slow handler of one response never holds
 * another's create.
 *
 * What the model gets back for each call (`output` of the `function_call_output` item):
 * - the handler's value: a string as it is, anything else as JSON (`undefined` is `null`);
 * - a handler that throws, rejects or errors: `{"error":"<the error's message>"}`, so the model can recover;
 * - an Observable that completes with no value, or a value JSON cannot hold: an `{"error": …}` saying so;
 * - a name that is not in `tools`: `{"error":"Unknown tool: <name>. The tools are: <names>."}`;
 * - arguments that are not JSON: `{"error":"The arguments are not valid JSON: <why>"}`.
 *
 * With server VAD on, a user turn may start a response before this create goes out: pass the answers through
 * `holdResponseCreates(server$)` so it waits instead of being refused.
 *
 * The `response.create` follows only a `completed` response: after a cancelled one (barge-in), a failed or an
 * incomplete one, the outputs are still sent, so the conversation stays whole, but the next response is the user's.
 *
 * ```text
 * server:   -fghj-d-------|   f, h = calls 1 and 2 added; g, j = their arguments done; d = response.done
 * get_time:     ----a         call 2's handler: an Observable that answers 4 frames after its call
 * output:   --K-----(LR)--|   K, L = the function_call_output items; R = the response's one response.create
 * ```
 *
 * Completes when the source has completed and every running handler has answered (a response left without its
 * `response.done` gets its outputs, not a create); errors with the source, which unsubscribes running handlers,
 * as unsubscribing does. At most 64 responses with unanswered calls are tracked; the oldest beyond that is
 * answered without its `response.create`.
 *
 * @example
 * ```ts
 * import { runTools } from 'rx-realtime';
 *
 * const answers$ = server$.pipe(
 *   runTools({ get_weather: async ({ city }) => ({ city, temperature: 21, sky: 'clear' }) }),
 * );
 * ```
 */
export function runTools(
  tools: Tools,
  options: RunToolsOptions = {},
): OperatorFunction<ServerMessage | SessionState, ClientEvent> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<ClientEvent>((subscriber) => {
      // Per-subscription state (STYLE: never at module level): the responses whose calls are being answered.
      const open = new Map<string, Pending>();
      const running = new Subscription(); // the Promise / Observable handlers still answering
      let answering = 0;
      let sourceDone = false;

      const maybeComplete = () => {
        if (sourceDone && answering === 0) subscriber.complete();
      };

      /** Sends the answered outputs at the head of the list, then the create once all are out and `done` came. */
      const flush = (p: Pending) => {
        // the index moves before `next`, so a re-entrant flush (a subscriber that answers synchronously) never
        // sends a slot twice
        while (p.sent < p.slots.length && p.slots[p.sent]!.output !== undefined) {
          const slot = p.slots[p.sent++]!;
          subscriber.next({
            type: 'conversation.item.create',
            item: { type: 'function_call_output', call_id: slot.callId, output: slot.output! },
          });
        }
        if (p.done !== undefined && !p.finished && p.sent === p.slots.length) {
          p.finished = true;
          if (open.get(p.responseId) === p) open.delete(p.responseId);
          if (p.done === 'respond') subscriber.next({ type: 'response.create' });
        }
      };

      const answer = (p: Pending, slot: Slot, output: string) => {
        if (slot.output !== undefined) return;
        slot.output = output;
        flush(p);
      };

      const onCall = (call: FunctionCall | InvalidFunctionCall) => {
        let p = open.get(call.responseId);
        if (!p) {
          p = { responseId: call.responseId, slots: [], sent: 0, done: undefined, finished: false };
          open.set(call.responseId, p);
          if (open.size > MAX_OPEN_RESPONSES) {
            // the oldest (Map keeps insertion order) goes on answering its calls, without a create
            const [oldestId, oldest] = open.entries().next().value as [string, Pending];
            open.delete(oldestId);
            oldest.done = 'quiet';
          }
        }
        if (p.slots.some((s) => s.callId === call.callId)) return; // the same call twice: answered once
        const slot: Slot = { callId: call.callId, output: undefined };
        p.slots.push(slot);
        const pending = p;
        run(call, (output) => answer(pending, slot, output));
      };

      const run = (call: FunctionCall | InvalidFunctionCall, reply: (output: string) => void) => {
        if (!call.ok) return reply(errorOutput(`The arguments are not valid JSON: ${call.parseError}`));
        if (
          !Object.prototype.hasOwnProperty.call(tools, call.name) ||
          typeof tools[call.name] !== 'function'
        ) {
          const names = Object.keys(tools).join(', ') || '(none)';
          return reply(errorOutput(`Unknown tool: ${call.name || '(no name)'}. The tools are: ${names}.`));
        }
        let result: unknown;
        try {
          result = tools[call.name]!(call.arguments, call);
        } catch (err) {
          return reply(errorOutput(messageOf(err)));
        }
        if (!isObservable(result) && !isPromiseLike(result)) return reply(outputOf(result));
        answering++;
        let answered = false;
        const first = from(result as ObservableInput<unknown>).pipe(take(1));
        const limited =
          options.timeoutMs === undefined
            ? first
            : first.pipe(
                timeout({
                  first: options.timeoutMs,
                  scheduler,
                  with: () =>
                    throwError(
                      () => new Error(`The tool ${call.name} did not answer within ${options.timeoutMs} ms.`),
                    ),
                }),
              );
        // `let`, not `const`: `settle` may run inside `subscribe` (a synchronous Observable), before `sub` is set
        // eslint-disable-next-line prefer-const
        let sub: Subscription | undefined;
        const settle = (output: string) => {
          if (answered) return;
          answered = true;
          answering--;
          if (sub) running.remove(sub);
          reply(output);
          maybeComplete();
        };
        sub = limited.subscribe({
          next: (value) => settle(outputOf(value)),
          error: (err) => settle(errorOutput(messageOf(err))),
          complete: () => settle(errorOutput(`The tool ${call.name} finished without a result.`)),
        });
        if (!answered) running.add(sub);
      };

      // One subscription to the source: the call parser sees each event first (so a call is known before the
      // response.done that follows it), then the response.done handling below.
      const events = new Subject<ServerMessage | SessionState>();
      const parser = events.pipe(functionCalls()).subscribe(onCall);
      const sourceSub = source.subscribe(
        sourceObserver({
          next(e) {
            events.next(e);
            if (isReconnecting(e)) {
              // session(): the socket dropped before these responses' done; their calls are in the conversation
              // replayed on the new socket, so once answered they get their response.create there
              for (const p of [...open.values()])
                if (p.done === undefined) {
                  p.done = 'respond';
                  flush(p);
                }
              return;
            }
            if (e.type !== 'response.done') return;
            const p = e.response.id === undefined ? undefined : open.get(e.response.id);
            if (!p) return;
            // `status` missing counts as completed: nested objects require nothing (§9.3)
            const status = e.response.status ?? 'completed';
            p.done = status === 'completed' ? 'respond' : 'quiet';
            flush(p);
          },
          error: (err) => subscriber.error(err),
          complete: () => {
            sourceDone = true;
            maybeComplete();
          },
        }),
      );
      return () => {
        sourceSub.unsubscribe();
        parser.unsubscribe();
        running.unsubscribe();
        open.clear();
      };
    });
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

interface Slot {
  readonly callId: string;
  /** The output once answered. */
  output: string | undefined;
}

interface Pending {
  readonly responseId: string;
  /** The calls in order of arrival. */
  readonly slots: Slot[];
  /** How many outputs have been sent (a prefix of `slots`). */
  sent: number;
  /** Set at `response.done`: send a `response.create` after the outputs ('respond') or not ('quiet'). */
  done: 'respond' | 'quiet' | undefined;
  finished: boolean;
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** A string as it is; anything else as JSON (`undefined` is `null`); a value JSON cannot hold is an error output. */
function outputOf(value: unknown): string {
  if (typeof value === 'string') return value;
  let json: string | undefined;
  try {
    json = JSON.stringify(value ?? null);
  } catch (err) {
    return errorOutput(`The tool's result is not JSON: ${messageOf(err)}`);
  }
  // JSON.stringify gives undefined for a function or a symbol
  return json ?? errorOutput(`The tool's result is not JSON: a ${typeof value}.`);
}

const errorOutput = (message: string): string => JSON.stringify({ error: message });

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name; // `new Error()` still says something
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
