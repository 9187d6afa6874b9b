/**
 * The one state machine behind `splitResponses`, `splitItems` and `splitContentParts`: keyed inner streams that
 * open at an `added`/`created` event, receive the events routed to their key, complete at their `done`, and
 * error (never hang) when the source ends first. Internal: the public operators configure it.
 */
import { Observable, type OperatorFunction, type Subscriber, type TeardownLogic } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { IncompleteStreamError } from './errors';
import { isSessionState, type SessionState } from './sessionState';
import { SourceSubscriber } from './sourceObserver';

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
      const splitter = new Splitter(makeSpec(), subscriber);
      source.subscribe(splitter);
      return () => splitter.outerLeaves();
    });
}

/**
 * One subscription of a split: the subscriber it gives its source (a {@link SourceSubscriber}: its source calls it
 * directly, with `sourceObserver`'s guarantees), and the state of its groups. A class rather than closures: a
 * session's split is one object with its fields instead of a dozen closures and their contexts, which every event
 * of every session would walk (BENCHMARKS.md, "interleave").
 */
class Splitter<G> extends SourceSubscriber<ServerMessage | SessionState> {
  /** Only open groups. */
  private readonly open = new Map<string, GroupStream>();
  /** Keys of the last groups that closed. */
  private readonly recent: string[] = [];
  /**
   * The group of the last routed event: consecutive events of one part or response (nearly all of them) skip the
   * map.
   */
  private lastKey: string | undefined;
  private last: GroupStream | undefined;
  /**
   * Ref-counting as rxjs `groupBy` does: `splitResponses(), take(1)` unsubscribes the outer stream right after
   * handing over a response, and that response must still run to its done. So the source stays subscribed while
   * any inner stream has a subscriber, and is let go when the outer has left and the last one leaves.
   */
  private active = 0;
  private outerLeft = false;

  constructor(
    private readonly spec: GroupSpec<G>,
    private readonly subscriber: Subscriber<G>,
  ) {
    super();
  }

  protected onError(err: unknown): void {
    this.endAll(`source errored: ${describe(err)}`, err);
    this.subscriber.error(err);
  }

  protected onComplete(): void {
    this.endAll('source completed');
    this.subscriber.complete();
  }

  /** The outer stream's teardown. */
  outerLeaves(): void {
    this.outerLeft = true;
    // Groups nobody subscribed to can never be received now: end them, keep the subscribed ones.
    for (const [key, group] of [...this.open]) {
      if (GroupStream.observed(group)) continue;
      this.open.delete(key);
      if (this.lastKey === key) this.lastKey = this.last = undefined;
      this.spec.forget?.(key);
      GroupStream.end(group, { error: new IncompleteStreamError(this.spec.kind, key, 'unsubscribed') });
    }
    if (this.active === 0) this.release();
  }

  /** A group's subscriber count changed. */
  track(delta: 1 | -1): void {
    this.active += delta;
    if (this.active === 0 && this.outerLeft) this.release();
  }

  protected onNext(event: ServerMessage | SessionState): void {
    const { spec } = this;
    if (isSessionState(event)) {
      // session(): the socket under the session dropped. What was open on it never gets its done (the new socket
      // holds a new session): end it now, saying so, rather than hang.
      if (event.state === 'reconnecting')
        this.endAll(`the socket dropped (${event.reason ?? 'unknown'}); the session reconnects`);
      return;
    }
    spec.observe?.(event);
    let group: GroupStream | undefined;
    let key = spec.opens(event);
    if (key !== undefined && !this.open.has(key)) {
      if (this.outerLeft) return;
      group = this.start(key, event);
    } else {
      key = spec.keyOf(event);
      if (key === undefined) return;
      group = key === this.lastKey ? this.last : this.open.get(key);
      if (group === undefined) {
        // An event for a group whose opening event we never saw (the stream started mid-response): open it here
        // so nothing is lost, unless the group already finished (a straggler, dropped). Only response-scoped
        // events (those with a response_id) open a group this way: user-item events such as input transcription
        // deltas carry item_id and content_index too, and never have a done.
        if (this.recent.includes(key) || field(event, 'response_id') === undefined) return;
        // After the outer left, nobody could receive a new group: only the kept-alive ones are fed.
        if (this.outerLeft) return;
        group = this.start(key, event);
      }
    }
    this.lastKey = key;
    this.last = group;
    GroupStream.feed(group, event);
    if (spec.closes(event)) {
      this.open.delete(key);
      this.lastKey = this.last = undefined;
      spec.forget?.(key);
      this.recent.push(key);
      if (this.recent.length > RECENTLY_CLOSED) this.recent.shift();
      GroupStream.end(group, null);
    }
  }

  private start(key: string, event: ServerMessage): GroupStream {
    const group = new GroupStream(this);
    this.open.set(key, group);
    if (!this.outerLeft) this.subscriber.next(this.spec.make(key, group, event));
    return group;
  }

  private endAll(reason: string, cause?: unknown): void {
    const groups = [...this.open];
    this.open.clear();
    this.lastKey = this.last = undefined;
    for (const [key, group] of groups) {
      this.spec.forget?.(key);
      GroupStream.end(group, {
        error: new IncompleteStreamError(this.spec.kind, key, reason, cause === undefined ? {} : { cause }),
      });
    }
  }

  private release(): void {
    this.unsubscribe();
    this.endAll('unsubscribed');
  }
}

/**
 * A group's stream: hot, like `subject.asObservable()` (a subscriber sees the events from its subscription on;
 * one that comes after the end gets the end), but a plain array of subscribers, replaced on every change, so that
 * an event costs a loop instead of a Subject's error context and snapshot. Re-entrancy is the Subject's: a
 * subscriber that leaves during an event is closed, so the snapshot being walked skips it. The calls that feed it
 * are static, on private fields: the public stream (the split's inner Observable is this object, with the
 * group's ids assigned onto it) has no `next` of its own for anyone to call.
 */
class GroupStream extends Observable<ServerMessage> {
  #subscribers: Subscriber<ServerMessage>[] = [];
  /** undefined: open; null: completed. */
  #ended: { readonly error: unknown } | null | undefined;
  readonly #splitter: Splitter<unknown>;

  constructor(splitter: Splitter<unknown>) {
    // rxjs calls the function given here as a method of this Observable (`this._subscribe(subscriber)`), so one
    // function serves every group, with no closure of its own
    super(subscribeGroup);
    this.#splitter = splitter;
  }

  /** True while the stream has a subscriber. */
  static observed(group: GroupStream): boolean {
    return group.#subscribers.length > 0;
  }

  static attach(group: GroupStream, subscriber: Subscriber<ServerMessage>): TeardownLogic {
    const ended = group.#ended;
    if (ended === null) return subscriber.complete();
    if (ended !== undefined) return subscriber.error(ended.error);
    const list = group.#subscribers;
    // a literal of one when it is the first (nearly always): a spread of an empty array reserves 17 slots
    group.#subscribers = list.length === 0 ? [subscriber] : [...list, subscriber];
    group.#splitter.track(1);
    return () => {
      group.#subscribers = group.#subscribers.filter((s) => s !== subscriber);
      group.#splitter.track(-1);
    };
  }

  static feed(group: GroupStream, event: ServerMessage): void {
    const list = group.#subscribers;
    for (let i = 0; i < list.length; i++) list[i]!.next(event);
  }

  static end(group: GroupStream, how: { readonly error: unknown } | null): void {
    if (group.#ended !== undefined) return;
    group.#ended = how;
    const list = group.#subscribers;
    group.#subscribers = [];
    for (const s of list) {
      if (how === null) s.complete();
      else s.error(how.error);
    }
  }
}

function subscribeGroup(
  this: Observable<ServerMessage>,
  subscriber: Subscriber<ServerMessage>,
): TeardownLogic {
  return GroupStream.attach(this as GroupStream, subscriber);
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
