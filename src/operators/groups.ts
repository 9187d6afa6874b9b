/**
 * The one state machine behind `splitResponses`, `splitItems` and `splitContentParts`: keyed inner streams that
 * open at an `added`/`created` event, receive the events routed to their key, complete at their `done`, and
 * error (never hang) when the source ends first. Internal: the public operators configure it.
 */
import { Observable, type OperatorFunction, type Subscriber, type Subscription } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { IncompleteStreamError } from './errors';
import { isSessionState, type SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

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
export function splitGroups<G>(
  makeSpec: () => GroupSpec<G>,
): OperatorFunction<ServerMessage | SessionState, G> {
  return (source) =>
    new Observable<G>((subscriber) => {
      const spec = makeSpec();
      // Per-subscription state (STYLE: never at module level). The map holds only open groups.
      const open = new Map<string, Group>();
      const closed: string[] = [];
      // The group of the last routed event: consecutive events of one part or response (nearly all of them)
      // skip the map.
      let lastKey: string | undefined;
      let last: Group | undefined;
      // Ref-counting as rxjs `groupBy` does: `splitResponses(), take(1)` unsubscribes the outer stream right after
      // handing over a response, and that response must still run to its done. So the source stays subscribed
      // while any inner stream has a subscriber, and is let go when the outer has left and the last one leaves.
      let active = 0;
      let outerLeft = false;
      const start = (key: string, event: ServerMessage): Group => {
        const group = hotGroup(track);
        open.set(key, group);
        if (!outerLeft) subscriber.next(spec.make(key, group.stream, event));
        return group;
      };
      const endAll = (reason: string, cause?: unknown) => {
        const groups = [...open];
        open.clear();
        lastKey = last = undefined;
        for (const [key, group] of groups) {
          spec.forget?.(key);
          group.error(
            new IncompleteStreamError(spec.kind, key, reason, cause === undefined ? {} : { cause }),
          );
        }
      };
      const release = () => {
        subscription?.unsubscribe();
        endAll('unsubscribed');
      };
      function track(delta: 1 | -1) {
        active += delta;
        if (active === 0 && outerLeft) release();
      }
      // eslint-disable-next-line prefer-const -- assigned once below; `release` may run before (re-entrancy)
      let subscription: Subscription | undefined;
      subscription = source.subscribe(
        sourceObserver<ServerMessage | SessionState>({
          next(event) {
            if (isSessionState(event)) {
              // session(): the socket under the session dropped. What was open on it never gets its done (the new
              // socket holds a new session): end it now, saying so, rather than hang.
              if (event.state === 'reconnecting')
                endAll(`the socket dropped (${event.reason ?? 'unknown'}); the session reconnects`);
              return;
            }
            spec.observe?.(event);
            let group: Group | undefined;
            let key = spec.opens(event);
            if (key !== undefined && !open.has(key)) {
              if (outerLeft) return;
              group = start(key, event);
            } else {
              key = spec.keyOf(event);
              if (key === undefined) return;
              group = key === lastKey ? last : open.get(key);
              if (group === undefined) {
                // An event for a group whose opening event we never saw (the stream started mid-response):
                // open it here so nothing is lost, unless the group already finished (a straggler, dropped).
                // Only response-scoped events (those with a response_id) open a group this way: user-item events
                // such as input transcription deltas carry item_id and content_index too, and never have a done.
                if (closed.includes(key) || field(event, 'response_id') === undefined) return;
                // After the outer left, nobody could receive a new group: only the kept-alive ones are fed.
                if (outerLeft) return;
                group = start(key, event);
              }
            }
            lastKey = key;
            last = group;
            group.next(event);
            if (spec.closes(event)) {
              open.delete(key);
              lastKey = last = undefined;
              spec.forget?.(key);
              closed.push(key);
              if (closed.length > RECENTLY_CLOSED) closed.shift();
              group.complete();
            }
          },
          error(err) {
            endAll(`source errored: ${describe(err)}`, err);
            subscriber.error(err);
          },
          complete() {
            endAll('source completed');
            subscriber.complete();
          },
        }),
      );
      return () => {
        outerLeft = true;
        // Groups nobody subscribed to can never be received now: end them, keep the subscribed ones.
        for (const [key, group] of [...open]) {
          if (group.observed()) continue;
          open.delete(key);
          if (lastKey === key) lastKey = last = undefined;
          spec.forget?.(key);
          group.error(new IncompleteStreamError(spec.kind, key, 'unsubscribed'));
        }
        if (active === 0) release();
      };
    });
}

/** An open group: its public stream and the calls that feed it. */
interface Group {
  readonly stream: Observable<ServerMessage>;
  /** True while the stream has a subscriber. */
  observed(): boolean;
  next(event: ServerMessage): void;
  complete(): void;
  error(err: unknown): void;
}

/**
 * A group's stream: hot, like `subject.asObservable()` (a subscriber sees the events from its subscription on;
 * one that comes after the end gets the end), but a plain array of subscribers, replaced on every change, so
 * that an event costs a loop instead of a Subject's error context and snapshot. Re-entrancy is the Subject's:
 * a subscriber that leaves during an event is closed, so the snapshot being walked skips it.
 */
function hotGroup(track: (delta: 1 | -1) => void): Group {
  let subscribers: Subscriber<ServerMessage>[] = [];
  let ended: { readonly error: unknown } | null | undefined; // undefined: open; null: completed
  const stream = new Observable<ServerMessage>((subscriber) => {
    if (ended === null) return subscriber.complete();
    if (ended !== undefined) return subscriber.error(ended.error);
    subscribers = [...subscribers, subscriber];
    track(1);
    return () => {
      subscribers = subscribers.filter((s) => s !== subscriber);
      track(-1);
    };
  });
  const end = (how: { readonly error: unknown } | null) => {
    if (ended !== undefined) return;
    ended = how;
    const list = subscribers;
    subscribers = [];
    for (const s of list) {
      if (how === null) s.complete();
      else s.error(how.error);
    }
  };
  return {
    stream,
    observed: () => subscribers.length > 0,
    next(event) {
      const list = subscribers;
      for (let i = 0; i < list.length; i++) list[i]!.next(event);
    },
    complete: () => end(null),
    error: (error) => end({ error }),
  };
}

/**
 * What ended the source, for an `IncompleteStreamError`'s reason: the error's name and message (a connection
 * error names its close code there, e.g. "ConnectionClosedError: connection closed with 1006"), cut to a bound.
 */
export const describe = (err: unknown): string => {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

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
