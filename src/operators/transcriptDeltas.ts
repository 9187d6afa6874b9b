import type { OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { deltasOf } from './deltas';
import type { SessionState } from './sessionState';

/**
 * The transcript chunks of the assistant's audio: `response.audio_transcript.delta` (preview) and
 * `response.output_audio_transcript.delta` (GA).
 *
 * It's like `ofType('response.audio_transcript.delta')` + `map(e => e.delta)`, but it works on both dialects.
 *
 * ```text
 * source:  --a--t--a--t--|     t = transcript delta ("Hi", " there"), a = audio delta (ignored)
 * output:  -----x-----y--|     x = "Hi", y = " there"
 * ```
 *
 * Completes and errors with the source.
 *
 * @example
 * ```ts
 * import { transcriptDeltas } from 'rx-realtime';
 * server$.pipe(transcriptDeltas()).subscribe((chunk) => process.stderr.write(chunk));
 * ```
 */
export function transcriptDeltas(): OperatorFunction<ServerMessage | SessionState, string> {
  return deltasOf('transcriptDelta', (e) => e.delta);
}
