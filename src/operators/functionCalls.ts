import { Observable, type OperatorFunction } from 'rxjs';
import type { ClientEvent, ServerMessage } from '../protocol';
import { nestedId } from './groups';
import type { SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/** A finished function call whose arguments parsed as JSON. */
export interface FunctionCall {
  readonly ok: true;
  readonly callId: string;
  readonly name: string;
  /** The parsed `arguments`. */
  readonly arguments: unknown;
  /** `arguments` as the model wrote them. */
  readonly rawArguments: string;
  readonly itemId: string;
  readonly responseId: string;
}

/** A finished function call whose arguments are not valid JSON: a value, not a stream error. */
export interface InvalidFunctionCall extends Omit<FunctionCall, 'ok' | 'arguments'> {
  readonly ok: false;
  readonly arguments: undefined;
  /** Why `JSON.parse` refused the arguments. */
  readonly parseError: string;
}

/**
 * One value per finished function call, at `response.function_call_arguments.done`:
 * `{ ok: true, callId, name, arguments }` with the arguments parsed, or `{ ok: false, …, parseError }` when the
 * model's arguments are not JSON.
 *
 * It's like `ofType('response.function_call_arguments.done')` + `JSON.parse`, but the name is filled in on the
 * preview dialect too (its done event has no `name`; it comes from `response.output_item.added`), and bad JSON is
 * a typed value instead of a crash.
 *
 * ```text
 * source:  --a--f--f--g--e--|     a = output_item.added (function_call), f = arguments delta, g = arguments done
 * output:  -----------c-----|     c = { ok: true, callId, name: "get_weather", arguments: { city: "Paris" } }
 * ```
 *
 * Completes and errors with the source. Names are remembered only while their item is open.
 *
 * @example
 * ```ts
 * import { functionCalls, functionCallOutput } from 'rx-realtime';
 * server$.pipe(functionCalls(), concatMap(async (call) => functionCallOutput(call, await run(call))));
 * ```
 */
export function functionCalls(): OperatorFunction<
  ServerMessage | SessionState,
  FunctionCall | InvalidFunctionCall
> {
  return (source) =>
    new Observable<FunctionCall | InvalidFunctionCall>((subscriber) => {
      const names = new Map<string, string>(); // item id → function name, while the item is open
      return source.subscribe(
        sourceObserver({
          next(e) {
            if (e.type === 'response.output_item.added' && e.item.type === 'function_call') {
              const id = nestedId(e, 'item');
              if (id !== undefined && e.item.name !== undefined) names.set(id, e.item.name);
            } else if (e.type === 'response.output_item.done') {
              const id = nestedId(e, 'item');
              if (id !== undefined) names.delete(id);
            } else if (e.type === 'response.function_call_arguments.done') {
              const name = e.name ?? names.get(e.item_id) ?? '';
              const base = {
                callId: e.call_id,
                name,
                rawArguments: e.arguments,
                itemId: e.item_id,
                responseId: e.response_id,
              };
              let parsed: unknown;
              try {
                parsed = e.arguments.trim() === '' ? {} : JSON.parse(e.arguments);
              } catch (err) {
                subscriber.next({
                  ...base,
                  ok: false,
                  arguments: undefined,
                  parseError: (err as Error).message,
                });
                return;
              }
              subscriber.next({ ...base, ok: true, arguments: parsed });
            }
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
    });
}

/**
 * The client events that answer a function call: the `function_call_output` item with the result (as JSON
 * unless it is already a string) and the `response.create` that lets the model continue.
 *
 * @example
 * ```ts
 * import { functionCallOutput } from 'rx-realtime';
 * const [item, next] = functionCallOutput(call, { temperature: 21 });
 * ```
 */
// source: protocol README §6
export function functionCallOutput(
  call: Pick<FunctionCall, 'callId'>,
  result: unknown,
  options: { respond?: boolean } = {},
): ClientEvent[] {
  const output = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  const events: ClientEvent[] = [
    {
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.callId, output },
    },
  ];
  if (options.respond ?? true) events.push({ type: 'response.create' });
  return events;
}
