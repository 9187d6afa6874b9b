// Internal: per-content-part accumulation shared by collectText and collectAudio.
import { Observable, type OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { IncompleteStreamError } from './errors';
import { field } from './groups';
import { partKeys } from './partKey';
import { isSessionState, type SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

export interface PartKey {
  readonly responseId: string;
  readonly itemId: string;
  readonly contentIndex: number;
}

export interface Accumulator<R> {
  /** Is this content part one we collect? (seen at `content_part.added`) */
  accepts(partType: unknown): boolean;
  /** Take in one event of an accepted part. */
  add(event: ServerMessage): void;
  /** The value at `content_part.done`. */
  finish(done: ServerMessage, key: PartKey): R;
}

export function collectParts<R>(
  kind: string,
  create: () => Accumulator<R>,
): OperatorFunction<ServerMessage | SessionState, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      // Open parts only; each entry is deleted at its done, so memory is flat over a session.
      const open = new Map<string, Accumulator<R>>();
      const keyOf = partKeys();
      const incomplete = (reason: string, cause?: unknown) => {
        const first = open.keys().next();
        open.clear();
        return first.done ? undefined : new IncompleteStreamError(kind, first.value, reason, { cause });
      };
      const subscription = source.subscribe(
        sourceObserver({
          next(e) {
            if (isSessionState(e)) {
              // session(): the socket dropped; its open parts never get their done (their response is answered
              // again on the new socket): forgotten, not collected as if finished
              if (e.state === 'reconnecting') open.clear();
              return;
            }
            const key =
              e.type === 'response.content_part.added' ||
              e.type === 'response.content_part.done' ||
              field(e, 'response_id') !== undefined
                ? keyOf(e)
                : undefined;
            if (key === undefined) return;
            if (e.type === 'response.content_part.added') {
              const acc = create();
              if (acc.accepts(e.part.type)) open.set(key, acc);
              return;
            }
            const acc = open.get(key);
            if (!acc) return; // a part we do not collect, or one whose added event we never saw
            // an accumulator that throws errors the stream (sourceObserver turns a throw into the error)
            if (e.type === 'response.content_part.done') {
              open.delete(key);
              subscriber.next(
                acc.finish(e, {
                  responseId: e.response_id,
                  itemId: e.item_id,
                  contentIndex: e.content_index,
                }),
              );
              return;
            }
            acc.add(e);
          },
          error(err) {
            open.clear();
            subscriber.error(err);
          },
          complete() {
            // A part still open when the source ends would be a silent truncation: say so instead.
            const err = incomplete('source completed');
            if (err) subscriber.error(err);
            else subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        open.clear();
      };
    });
}
