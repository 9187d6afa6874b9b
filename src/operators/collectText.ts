import type { OperatorFunction } from 'rxjs';
import { isEvent, isTextContent, type ServerMessage } from '../protocol';
import { collectParts, type PartKey } from './collect';
import type { SessionState } from './sessionState';

/** The whole text of one text content part. */
export interface CollectedText extends PartKey {
  readonly text: string;
}

/**
 * One value per text content part, at its `response.content_part.done`: `{ responseId, itemId, contentIndex, text }`.
 *
 * It's like `textDeltas()` + `reduce((a, b) => a + b)`, but per content part, on a live stream that does not
 * end, and in both dialects. The text is the server's final text (`part.text` at done, else `*.text.done`),
 * which equals the deltas joined.
 *
 * ```text
 * source:  --p--t--t--x--q--|     p/q = content_part.added/done (text), t = text deltas, x = text.done
 * output:  --------------v--|     v = { responseId, itemId, contentIndex: 0, text: "Hello" }
 * ```
 *
 * Completes with the source; errors with an `IncompleteStreamError` when the source completes while a text part
 * is open, and with the source's error. Audio parts are not collected here (see `collectAudio`).
 *
 * @example
 * ```ts
 * import { collectText } from 'rx-realtime';
 * server$.pipe(collectText()).subscribe(({ text }) => console.log(text));
 * ```
 */
export function collectText(): OperatorFunction<ServerMessage | SessionState, CollectedText> {
  return collectParts<CollectedText>('content part', () => {
    const chunks: string[] = [];
    let final: string | undefined;
    return {
      accepts: isTextContent,
      add(e) {
        if (isEvent(e, 'textDelta')) chunks.push(e.delta);
        else if (isEvent(e, 'textDone')) final = e.text;
      },
      finish(done, key) {
        const partText = done.type === 'response.content_part.done' ? done.part.text : undefined;
        return { ...key, text: partText ?? final ?? chunks.join('') };
      },
    };
  });
}
