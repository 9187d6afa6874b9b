import { Observable, type OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import type { SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/** One chunk of a function call's arguments, as the model writes them. */
export interface FunctionCallArgumentsDelta {
  readonly callId: string;
  readonly itemId: string;
  readonly responseId: string;
  /** The function's name, from the call's `response.output_item.added` (absent when that was not seen). */
  readonly name?: string;
  /** The new characters of the arguments' JSON (not JSON on its own). */
  readonly delta: string;
}

/** Names of open calls that are remembered; an item that never finishes cannot grow the map past this. */
const MAX_OPEN = 64;

/**
 * A function call's arguments as they stream: `{ callId, itemId, responseId, name?, delta }` per
 * `response.function_call_arguments.delta`, for a UI that shows the call being written or a tool that starts
 * early. `functionCalls()` gives the finished, parsed call.
 *
 * It's like `ofType('response.function_call_arguments.delta')`, but with the function's name: the delta events
 * carry only `call_id` and `item_id` (both dialects), so the name is taken from the call item's
 * `response.output_item.added`, remembered while the item is open.
 *
 * ```text
 * source:  --F--G--H--J--|     F = output_item.added (function_call get_weather), G/H = arguments deltas, J = done
 * output:  -----g--h-----|     g = { callId: "call_1", itemId: "item_f", name: "get_weather", delta: '{"city":' }
 * ```
 *
 * Completes and errors with the source.
 *
 * @example
 * ```ts
 * import { functionCallArguments } from 'rx-realtime';
 * server$.pipe(functionCallArguments()).subscribe(({ name, delta }) => ui.append(name, delta));
 * ```
 */
export function functionCallArguments(): OperatorFunction<
  ServerMessage | SessionState,
  FunctionCallArgumentsDelta
> {
  return (source) =>
    new Observable<FunctionCallArgumentsDelta>((subscriber) => {
      const names = new Map<string, string>(); // item id → function name, while the item is open
      const subscription = source.subscribe(
        sourceObserver({
          next(e) {
            if (e.type === 'response.output_item.added') {
              const { id, type, name } = e.item as { id?: unknown; type?: unknown; name?: unknown };
              if (type !== 'function_call' || typeof id !== 'string' || typeof name !== 'string') return;
              names.set(id, name);
              if (names.size > MAX_OPEN) names.delete(names.keys().next().value!);
            } else if (e.type === 'response.function_call_arguments.delta') {
              const name = names.get(e.item_id);
              const value = {
                callId: e.call_id,
                itemId: e.item_id,
                responseId: e.response_id,
                delta: e.delta,
              };
              subscriber.next(name === undefined ? value : { ...value, name });
            } else if (e.type === 'response.output_item.done') {
              const id = (e.item as { id?: unknown }).id;
              if (typeof id === 'string') names.delete(id);
            }
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return () => {
        subscription.unsubscribe();
        names.clear();
      };
    });
}
