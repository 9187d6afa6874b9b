/**
 * The one state machine behind `splitResponses`, `splitItems` and `splitContentParts`: keyed inner streams that
 * open at an `added`/`created` event, receive the events routed to their key, complete at their `done`, and
 * error (never hang) when the source ends first. Internal: the public operators configure it.
 */
import { Observable, Subject, type OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { IncompleteStreamError } from './errors';

export interface GroupSpec<G> {
  readonly kind: string;
  /** The key an event opens, or undefined. */
  opens(event: ServerMessage): string | undefined;
  /** The key an event belongs to (including its opening and done events), or undefined. */
  keyOf(event: ServerMessage): string | undefined;
  /** True when the event is the group's last. */
  closes(event: ServerMessage): boolean;
  /** Builds the public inner stream from the subject's observable and the first event. */
  make(key: string, events: Observable<ServerMessage>, first: ServerMessage): G;
  /** Optional hook to see every event first (e.g. to learn which item belongs to which response). */
  observe?(event: ServerMessage): void;
  /** Forget per-key side state when a group closes. */
  forget?(key: string): void;
}

/** Remember this many closed keys so that a straggler for a finished group does not reopen it. */
const RECENTLY_CLOSED = 64;

/** `makeSpec` runs once per subscription, so any side state it closes over is per subscription too. */
export function splitGroups<G>(makeSpec: () => GroupSpec<G>): OperatorFunction<ServerMessage, G> {
  return (source) =>
    new Observable<G>((subscriber) => {
      const spec = makeSpec();
      // Per-subscription state (STYLE: never at module level). Each map holds only open groups.
      const open = new Map<string, Subject<ServerMessage>>();
      const closed: string[] = [];
      const endAll = (reason: string, cause?: unknown) => {
        const groups = [...open];
        open.clear();
        for (const [key, subject] of groups) {
          spec.forget?.(key);
          subject.error(new IncompleteStreamError(spec.kind, key, reason, { cause }));
        }
      };
      const subscription = source.subscribe({
        next(event) {
          spec.observe?.(event);
          let key = spec.opens(event);
          if (key !== undefined && !open.has(key)) {
            const subject = new Subject<ServerMessage>();
            open.set(key, subject);
            subscriber.next(spec.make(key, subject.asObservable(), event));
          } else {
            key = spec.keyOf(event);
            if (key === undefined) return;
            if (!open.has(key)) {
              // An event for a group whose opening event we never saw (the stream started mid-response):
              // open it here so nothing is lost, unless the group already finished (a straggler, dropped).
              // Only response-scoped events (those with a response_id) open a group this way: user-item events
              // such as input transcription deltas carry item_id and content_index too, and never have a done.
              if (closed.includes(key) || field(event, 'response_id') === undefined) return;
              const subject = new Subject<ServerMessage>();
              open.set(key, subject);
              subscriber.next(spec.make(key, subject.asObservable(), event));
            }
          }
          const subject = open.get(key);
          if (!subject) return;
          subject.next(event);
          if (spec.closes(event)) {
            open.delete(key);
            spec.forget?.(key);
            closed.push(key);
            if (closed.length > RECENTLY_CLOSED) closed.shift();
            subject.complete();
          }
        },
        error(err) {
          endAll('source errored', err);
          subscriber.error(err);
        },
        complete() {
          endAll('source completed');
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        endAll('unsubscribed');
      };
    });
}

/** Reads a string field of an event without trusting its shape (decode failures and unknown events pass here). */
export const field = (event: unknown, name: string): string | undefined => {
  const value = (event as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' ? value : undefined;
};
export const numberField = (event: unknown, name: string): number | undefined => {
  const value = (event as Record<string, unknown> | null)?.[name];
  return typeof value === 'number' ? value : undefined;
};
/** `event.item.id` / `event.response.id`. */
export const nestedId = (event: unknown, name: 'item' | 'response'): string | undefined =>
  field((event as Record<string, unknown> | null)?.[name], 'id');
