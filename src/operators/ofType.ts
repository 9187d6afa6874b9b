import { filter, type OperatorFunction } from 'rxjs';
import type { KnownServerEvent, ServerMessage } from '../protocol';
import type { SessionState } from './sessionState';

type Type = KnownServerEvent['type'];

/**
 * Only the events of the given types, narrowed to their codec types.
 *
 * It's like `filter(e => e.type === t)`, but it narrows the TypeScript type and takes several types. The names
 * are wire names: for the few that differ between dialects pass both, e.g.
 * `ofType('response.audio.delta', 'response.output_audio.delta')`, or use the dialect-neutral operators.
 *
 * ```text
 * source:  --c--d--x--D--|     ofType('response.done')
 * output:  -----------D--|
 * ```
 *
 * Completes and errors with the source.
 *
 * @example
 * ```ts
 * import { ofType } from 'rx-realtime';
 * server$.pipe(ofType('response.done')).subscribe((e) => console.log(e.response.usage));
 * ```
 */
// source: protocol README §5
export function ofType<T extends Type>(
  ...types: readonly [T, ...T[]]
): OperatorFunction<ServerMessage | SessionState, Extract<KnownServerEvent, { type: T }>> {
  const wanted = new Set<unknown>(types);
  return filter((e): e is Extract<KnownServerEvent, { type: T }> & ServerMessage => wanted.has(e.type));
}
