import type { OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { deltasOf } from './deltas';
import type { SessionState } from './sessionState';

/**
 * The text chunks of text content parts, in order: `response.text.delta` (preview) and
 * `response.output_text.delta` (GA).
 *
 * It's like `ofType('response.text.delta')` + `map(e => e.delta)`, but it works on both dialects.
 *
 * ```text
 * source:  --c--t--t--d--|     t = text delta ("Hel", "lo"), others ignored
 * output:  -----a--b-----|     a = "Hel", b = "lo"
 * ```
 *
 * Completes and errors with the source. Feed it one content part (after `splitContentParts`) to keep parts apart.
 *
 * @example
 * ```ts
 * import { textDeltas } from 'rx-realtime';
 * server$.pipe(textDeltas()).subscribe((chunk) => process.stdout.write(chunk));
 * ```
 */
export function textDeltas(): OperatorFunction<ServerMessage | SessionState, string> {
  return deltasOf('textDelta', (e) => e.delta);
}
