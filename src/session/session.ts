/**
 * `session()`: a connection with its feedback loops closed, that outlives dropped sockets and the service's
 * session limit.
 */
import { EMPTY, Observable, Subject, merge, mergeMap, of, type Subscription } from 'rxjs';
import { connect } from '../client/connect';
import { BackpressureError } from '../client/errors';
import { realtimeUrl } from '../client/url';
import { bytesToBase64 } from '../audio/base64';
import { conversation, type ConversationItemState } from '../operators/conversation';
// an error as a reason: its name and message, bounded (connection errors never carry a secret)
import { describe as reasonOf } from '../operators/groups';
import { holdResponseCreates } from '../operators/holdResponseCreates';
import { interruptOnSpeech } from '../operators/interruptOnSpeech';
import { runTools } from '../operators/runTools';
import type { SessionState } from '../operators/sessionState';
import { sessionUpdate, userMessage, type ClientEvent, type Dialect, type ServerMessage } from '../protocol';
import { PendingLog } from './log';
import type { SessionInput, SessionOptions } from './options';
import { configEvent, historyEvents } from './replay';
import { backoffDelay, isRetryable, reconnectPolicy } from './retry';

/** Base64 characters of one second of PCM16 at 24 kHz (48 000 bytes), with each append's envelope. */
const SILENCE_KEPT_BYTES = (48_000 * 4) / 3 + 64 * 50;

/** One socket of the session. */
interface Link {
  readonly id: number;
  readonly input: Subject<ClientEvent>;
  subscription: Subscription | undefined;
  /** `session.created` came. */
  created: boolean;
  /** ms since the epoch when the service will end this session (from `session.expires_at`), if it said. */
  expiresAt: number | undefined;
  openedAt: number;
  /** Replayed item ids whose echo (`conversation.item.created` / `.added` / `.done`) is not shown again. */
  readonly echoes: Set<string>;
  /** Replayed items not yet echoed, by item id → the replay event's id; `replayed` is emitted when none is left. */
  readonly replaying: Map<string, string>;
  /** The state to emit when the replay is through (`replayed` or `rolled_over`), or none. */
  pendingState: SessionState | undefined;
  /** Responses created and not done on this socket. */
  inFlight: number;
  /** A VAD commit came, and the response server VAD creates for it has not (it counts in `inFlight`). */
  awaitingVad: boolean;
  speaking: boolean;
}

const state = (value: Omit<SessionState, 'type'>): SessionState => ({
  type: 'rx-realtime.session_state',
  ...value,
});

/**
 * The connection with its feedback loops closed, built only from the public operators: `runTools` answers the
 * model's calls with `tools`, `holdResponseCreates` sequences the creates, `interruptOnSpeech` truncates at
 * `playbackMs` on barge-in (without `playbackMs` nothing is truncated: the audio may not be played at all), and the
 * server's stream comes out with the session's {@link SessionState} values in it.
 *
 * - Cold: subscribing connects and sends `config` first; unsubscribing closes with 1000.
 * - Input: a string is a user text turn (a `conversation.item.create` and a `response.create`), a `Uint8Array` is
 *   PCM16 audio (`input_audio_buffer.append`), anything else is a client event sent as it is.
 * - **Reconnect** (on by default): after a retryable ending (see `isRetryable`) it waits (exponential backoff, full
 *   jitter) and opens a new socket with a fresh token, which gets before anything else the config the server last
 *   confirmed, the conversation (within `replay`'s budget), the input that no server acknowledged, in order, and
 *   the uncommitted input audio of the current turn. Input emitted while down waits (bounded by `maxQueuedBytes`,
 *   then `BackpressureError`). If the drop cut a response, the user's last turn is answered again.
 * - **Rollover** (on by default): before the session's end (from `session.expires_at`), a second socket opens and
 *   gets the config; between turns (no response in flight, the user not speaking, nothing unacknowledged) it gets
 *   the conversation and takes over, and the first closes with 1000. Audio never stops: what comes during the
 *   switch goes to the new socket in order.
 * - Errors with the first fatal ending (HTTP 401/403/404, 1008, a configuration error …) or the last error once
 *   `maxAttempts` attempts failed; completes when the server closes with 1000.
 *
 * ```text
 * input:   -t-----a-a-a-a-a-a------
 * output:  c-o-S-U--r-c-d--R-o-y-…      c = connecting, o = open, R = reconnecting, y = replayed
 * ```
 */
export function session(
  options: SessionOptions,
): (input: Observable<SessionInput>) => Observable<ServerMessage | SessionState> {
  return (input) =>
    new Observable<ServerMessage | SessionState>((subscriber) => {
      let dialect: Dialect;
      let firstConfig: ClientEvent | undefined;
      try {
        dialect = realtimeUrl(options).dialect;
        firstConfig = options.config === undefined ? undefined : sessionUpdate(options.config, dialect);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      const policy = options.reconnect === false ? undefined : reconnectPolicy(options.reconnect);
      const rollover = options.rollover === false ? undefined : (options.rollover ?? {});
      const replay = {
        maxItems: Math.max(0, options.replay?.maxItems ?? 200),
        maxChars: Math.max(0, options.replay?.maxChars ?? 60_000),
        answerAgain: options.replay?.answerAgain ?? true,
        // PCM16 at 24 kHz is 48 bytes a millisecond; base64 makes 4 characters of 3 bytes
        resendAudioBytes: Math.ceil(((options.replay?.resendAudioMs ?? 15_000) * 48 * 4) / 3),
      };
      const maxQueuedBytes = options.maxQueuedBytes ?? 32 * 1024 * 1024; // connect()'s default
      const log = new PendingLog(maxQueuedBytes, replay.resendAudioBytes);
      const realtime = connect(options);

      // Everything the session emits goes through `out` first: the feedback loops and the session's own view of
      // the conversation read it.
      const out = new Subject<ServerMessage | SessionState>();
      let items: readonly ConversationItemState[] = [];
      let confirmed: Record<string, unknown> | undefined; // the session as the server last confirmed it
      let active: Link | undefined;
      let standby: Link | undefined;
      let links = 0;
      let attempt = 0;
      let finished = false;
      const timers = new Set<ReturnType<typeof setTimeout>>();
      const later = (ms: number, run: () => void) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          run();
        }, ms);
        timers.add(timer);
        return timer;
      };
      let healthy: ReturnType<typeof setTimeout> | undefined;
      // eslint-disable-next-line prefer-const -- assigned once below; teardown may run before (re-entrancy)
      let loops: Subscription | undefined;
      // eslint-disable-next-line prefer-const -- the same
      let conversationSub: Subscription | undefined;
      // while a new socket is being given its replay, input is only logged (it is sent with the log, in order)
      let holding = false;
      const again$ = new Subject<ClientEvent>();
      // item ids for user turns: unique in this session, at most 32 characters as the service requires
      const salt = Math.floor(Math.random() * 0x7fffffff).toString(36);
      let itemCounter = 0;
      const newItemId = () => `rx_${salt}_${(++itemCounter).toString(36)}`.slice(0, 32);
      let rollTimer: ReturnType<typeof setTimeout> | undefined;

      const emit = (value: ServerMessage | SessionState) => {
        out.next(value);
        subscriber.next(value);
      };

      const finish = (err?: unknown) => {
        if (finished) return;
        finished = true;
        emit(state({ state: 'closed', ...(err === undefined ? {} : { reason: reasonOf(err) }) }));
        teardown();
        if (err === undefined) subscriber.complete();
        else subscriber.error(err);
      };

      const teardown = () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const link of [active, standby]) link?.subscription?.unsubscribe();
        active = standby = undefined;
        loops?.unsubscribe();
        conversationSub?.unsubscribe();
      };

      /** Hands an event to the active socket, or keeps it for the next one. */
      const send = (given: ClientEvent) => {
        if (finished) return;
        // every item gets an id (yours, runTools' outputs …), so that the session can tell whether the server holds
        // it, and never sends it twice
        const event =
          given.type === 'conversation.item.create' && given.item.id === undefined
            ? ({ ...given, item: { ...given.item, id: newItemId() } } as ClientEvent)
            : given;
        const link = holding ? undefined : active;
        if (!log.add(event, link?.id, link?.created ?? false)) {
          finish(
            new BackpressureError(
              `${log.bytes} bytes of client events wait for a socket (maxQueuedBytes ${maxQueuedBytes}): the session cannot keep more`,
            ),
          );
          return;
        }
        link?.input.next(event);
        // server VAD and nobody speaking: the uncommitted audio is silence; a new socket needs only its last
        // second (more than the VAD's prefix padding, 300 ms by default)
        if (event.type === 'input_audio_buffer.append' && !(active?.speaking ?? false) && vadOn())
          log.keepSentAudio(SILENCE_KEPT_BYTES);
      };

      /** Opens a socket as the active one or the standby (set before subscribing: a config error ends it at once). */
      const open = (role: 'active' | 'standby'): Link => {
        const link: Link = {
          id: ++links,
          input: new Subject<ClientEvent>(),
          subscription: undefined,
          created: false,
          expiresAt: undefined,
          openedAt: Date.now(),
          echoes: new Set(),
          replaying: new Map(),
          pendingState: undefined,
          inFlight: 0,
          awaitingVad: false,
          speaking: false,
        };
        if (role === 'active') active = link;
        else standby = link;
        link.subscription = realtime(link.input).subscribe({
          next: (event) => onEvent(link, event),
          error: (err) => onEnd(link, err),
          complete: () => onEnd(link, undefined),
        });
        return link;
      };

      /** Sends the conversation to `link` (before anything else it gets), and the state to emit once it is in. */
      const replayOn = (link: Link, then: SessionState['state']) => {
        const history = historyEvents(items, dialect, replay, (n) => `rx_replay_${link.id}_${n}`);
        history.events.forEach((event, n) => {
          const id = history.ids[n]!;
          link.echoes.add(id);
          link.replaying.set(id, event.event_id ?? '');
          link.input.next(event);
        });
        link.pendingState = state({ state: then, items: history.events.length, skipped: history.skipped });
        return history;
      };

      /** A new active socket after a drop: config, conversation, the unacknowledged input, in that order. */
      const resume = (link: Link, responseCut: boolean) => {
        if (finished) return;
        holding = true;
        if (!link.created && confirmed) link.input.next(configEvent(confirmed, `rx_config_${link.id}`));
        const history = replayOn(link, 'replayed');
        if (replay.answerAgain && responseCut && history.awaitsAnswer && !log.hasCreate()) {
          // through holdResponseCreates like any create (so that a user's create waits for its response), and
          // into the log, sent below with the rest in order
          again$.next({ type: 'response.create', event_id: `rx_again_${link.id}` } as ClientEvent);
        }
        holding = false;
        if (finished) return;
        for (const event of log.resend(link.id, link.created)) link.input.next(event);
        if (link.created) settle(link);
      };

      const reconnect = (err: unknown, responseCut: boolean) => {
        if (!policy || !isRetryable(err)) return finish(err);
        if (healthy !== undefined) clearTimeout(healthy);
        attempt++;
        if (attempt > policy.maxAttempts) return finish(err);
        log.dropped();
        const ready = standby?.created ? standby : undefined;
        const delayMs = ready ? 0 : backoffDelay(policy, attempt);
        emit(state({ state: 'reconnecting', attempt, reason: reasonOf(err), delayMs }));
        if (finished) return;
        if (ready) {
          // a rollover was under way: the second socket is open already
          standby = undefined;
          active = ready;
          resume(ready, responseCut);
          return;
        }
        if (standby) {
          standby.subscription?.unsubscribe();
          standby = undefined;
        }
        later(delayMs, () => {
          if (finished) return;
          resume(open('active'), responseCut);
        });
      };

      const onEnd = (link: Link, err: unknown) => {
        if (finished) return;
        if (link === standby) {
          standby = undefined; // the rollover failed: the active socket goes on, and reconnects when it ends
          return;
        }
        if (link !== active) return;
        active = undefined;
        if (rollTimer !== undefined) clearTimeout(rollTimer);
        if (err === undefined) return finish(); // the server closed with 1000
        reconnect(err, link.inFlight > 0);
      };

      /** The replay on `link` is through: emit the state it waited for. */
      const settle = (link: Link) => {
        if (link.replaying.size > 0 || link.pendingState === undefined) return;
        const pending = link.pendingState;
        link.pendingState = undefined;
        emit(pending);
      };

      const onEvent = (link: Link, event: ServerMessage) => {
        if (finished) return;
        if (event.type === 'session.created') {
          link.created = true;
          const expires = (event.session as { expires_at?: unknown }).expires_at;
          if (typeof expires === 'number' && expires > 0) link.expiresAt = expires * 1000;
        }
        if (link === standby) {
          // before the switch a standby only opens and takes the config; its events are not the user's
          if (event.type === 'session.created') later(0, switchIfBetweenTurns);
          return;
        }
        if (link !== active) return;
        if (event.type === 'session.created') {
          log.opened(link.id);
          emit(state({ state: 'open' }));
          if (policy) {
            if (healthy !== undefined) clearTimeout(healthy);
            healthy = later(policy.resetAfterMs, () => (attempt = 0));
          }
          scheduleRollover(link);
        }
        // the replayed items' echoes are the same items again: not shown twice
        if (
          (event.type === 'conversation.item.created' ||
            event.type === 'conversation.item.added' ||
            event.type === 'conversation.item.done') &&
          event.item.id !== undefined &&
          link.echoes.has(event.item.id)
        ) {
          // preview echoes once (created); GA twice (added, then done)
          if (dialect === 'preview' || event.type === 'conversation.item.done')
            link.echoes.delete(event.item.id);
          link.replaying.delete(event.item.id);
          settle(link);
          return;
        }
        if (event.type === 'error' && event.error.event_id) {
          // a replayed item the new session refused: the user sees why (the error passes), and it is not waited for
          for (const [id, eventId] of link.replaying)
            if (eventId === event.error.event_id) link.replaying.delete(id);
          settle(link);
        }
        if (event.type === 'session.updated') confirmed = event.session as Record<string, unknown>;
        else if (event.type === 'session.created' && confirmed === undefined)
          confirmed = event.session as Record<string, unknown>;
        if (event.type === 'response.created') {
          if (link.awaitingVad) link.awaitingVad = false;
          else link.inFlight++;
        } else if (event.type === 'response.done') link.inFlight = Math.max(0, link.inFlight - 1);
        else if (event.type === 'input_audio_buffer.speech_started') link.speaking = true;
        // speaking until the turn is committed (or cleared): between speech_stopped and committed the buffer still
        // holds the turn, and a switch then would send it again to the new socket
        else if (
          event.type === 'input_audio_buffer.committed' ||
          event.type === 'input_audio_buffer.cleared'
        ) {
          link.speaking = false;
          // server VAD creates the turn's response right after the commit (create_response, on by default): the
          // turn is not over until that response.created
          if (event.type === 'input_audio_buffer.committed' && vadCreatesResponses()) {
            link.inFlight++;
            link.awaitingVad = true;
          }
        }
        log.acknowledge(event);
        emit(event);
        if (event.type === 'session.created') settle(link);
        if (standby?.created) switchIfBetweenTurns();
      };

      /** The confirmed config's turn detection (`null`: manual turns; `undefined`: not known yet). */
      const turnDetection = (): unknown => {
        const view = confirmed as
          { turn_detection?: unknown; audio?: { input?: { turn_detection?: unknown } } } | undefined;
        return dialect === 'ga' ? view?.audio?.input?.turn_detection : view?.turn_detection;
      };
      const vadOn = (): boolean => {
        const turns = turnDetection();
        return turns !== null && typeof turns === 'object';
      };
      /** True when the confirmed config has server VAD that creates responses (the service's default). */
      const vadCreatesResponses = (): boolean =>
        vadOn() && (turnDetection() as { create_response?: unknown }).create_response !== false;

      const scheduleRollover = (link: Link) => {
        if (!rollover) return;
        if (rollTimer !== undefined) clearTimeout(rollTimer);
        const fallback = rollover.maxSessionMs ?? (dialect === 'ga' ? 60 : 30) * 60_000;
        const ends = Math.min(link.expiresAt ?? Infinity, link.openedAt + fallback);
        const length = ends - link.openedAt;
        const lead = rollover.leadMs ?? Math.min(120_000, length / 10);
        rollTimer = later(Math.max(0, ends - lead - Date.now()), () => {
          if (finished || active !== link || standby) return;
          const next = open('standby');
          if (confirmed && !next.subscription?.closed)
            next.input.next(configEvent(confirmed, `rx_config_${next.id}`));
        });
      };

      const switchIfBetweenTurns = () => {
        const next = standby;
        const current = active;
        if (finished || !next?.created || !current) return;
        if (current.inFlight > 0 || current.speaking || !log.settled()) return;
        standby = undefined;
        active = next;
        replayOn(next, 'rolled_over');
        // the input audio the old socket had not committed (the user is not speaking: pre-roll) goes on in order
        for (const event of log.resend(next.id, true)) next.input.next(event);
        current.subscription?.unsubscribe(); // closes with 1000
        log.opened(next.id);
        if (policy) {
          if (healthy !== undefined) clearTimeout(healthy);
          healthy = later(policy.resetAfterMs, () => (attempt = 0));
        }
        scheduleRollover(next);
        settle(next);
      };

      // The session's own view of the conversation (for the replay), from the stream it emits.
      conversationSub = out.pipe(conversation({ maxItems: Math.max(1000, replay.maxItems) })).subscribe({
        next: (value) => (items = value.items),
      });

      // The feedback loops: the user's input and barge-in, with the creates sequenced against the responses.
      const user$ = input.pipe(mergeMap((value) => of(...toEvents(value, newItemId))));
      // barge-in needs the player's clock: without one nothing is truncated (the audio may not be played at all)
      const interrupts$ =
        options.playbackMs === undefined
          ? EMPTY
          : out.pipe(interruptOnSpeech({ playbackMs: options.playbackMs }));
      const tools$ = options.tools === undefined ? EMPTY : out.pipe(runTools(options.tools));
      emit(state({ state: 'connecting' }));
      loops = merge(user$, tools$, interrupts$, again$)
        .pipe(holdResponseCreates(out))
        .subscribe({ next: send, error: (err) => finish(err) });

      if (!finished) {
        // the config first, then what the input emitted at subscription (logged while no socket was there)
        holding = true;
        const first = open('active');
        holding = false;
        if (!finished) {
          // first, and through the log: until its session.updated it is sent again on a new socket
          if (firstConfig !== undefined) log.prepend(firstConfig);
          for (const event of log.resend(first.id, false)) first.input.next(event);
        }
      }
      return () => {
        if (finished) return;
        finished = true;
        teardown();
      };
    });
}

/** The client events of one input value. */
function toEvents(value: SessionInput, newItemId: () => string): ClientEvent[] {
  if (typeof value === 'string') {
    // a user text turn; the item gets an id so that the session can tell whether the server holds it
    const [item, create] = userMessage(value);
    return [{ ...item, item: { ...item.item, id: newItemId() } } as ClientEvent, create];
  }
  if (value instanceof Uint8Array) {
    return [{ type: 'input_audio_buffer.append', audio: bytesToBase64(value) } as ClientEvent];
  }
  return [value];
}
