import {
  Observable,
  asyncScheduler,
  type Observable as Obs,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { isAudioContent, isEvent, type ClientEvent, type ServerMessage } from '../protocol';
import { field, nestedId } from './groups';
import { base64Length, interruptsItself, outputBytesPerMs } from './sessionSettings';
import { isReconnecting, isSessionState, type SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/** Options of {@link interruptOnSpeech}; every property has a default. */
export interface InterruptOptions {
  /**
   * Milliseconds of the current assistant audio part that the user has actually heard, as the player reports it
   * (position within that part: a player restarts from 0 for each new audio part it plays).
   * Default: none, and the heard position is estimated as wall-clock time since the part's first audio delta, as
   * if it were played in real time from that moment (the service sends audio faster than real time, so that is
   * the earliest it can have played), clamped to the audio received.
   * With a playback clock, a part it has reported nothing for since the part's audio began counts as unheard (0).
   * A position is taken as the position in the audio part received last; one reported before that part began is
   * dropped.
   */
  readonly playbackMs?: Obs<number> | undefined;
  /** The clock of the wall-clock estimate. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /**
   * Bytes per millisecond of the output audio: 48 for PCM16 24 kHz, 8 for G.711 at 8 kHz. Default: the session's
   * output format as `session.created` / `session.updated` say, PCM16 (48) until one does.
   */
  readonly bytesPerMs?: number | undefined;
}

/** The assistant audio part received last: the one the user may be hearing. */
interface Playing {
  readonly responseId: string;
  readonly itemId: string;
  readonly contentIndex: number;
  receivedBytes: number;
  firstAudioAt: number;
  /** Its audio may still grow on the server (no audio done, part done or response done yet). */
  open: boolean;
  /** The last playback position reported for it, if any. */
  heardMs: number | undefined;
}

/** Responses in flight that are remembered; a `response.done` that never comes cannot grow the set past this. */
const MAX_IN_FLIGHT = 16;

/**
 * The client events of a barge-in: when the user starts speaking (`input_audio_buffer.speech_started`) while
 * assistant audio is still playing, `conversation.item.truncate` of that audio at the position the user has heard,
 * so that the conversation holds only what was actually said (the truncate's `audio_end_ms` is the milliseconds
 * of assistant audio actually played; the service then drops the item's transcript), and `response.cancel` when
 * the response is still in flight and the server does not cancel it itself.
 *
 * It's like a `switchMap` from `speech_started` to a cancel, but:
 * - **after the response too**: the service streams audio faster than real time, so a response is usually done
 *   while its audio still plays; a barge-in then truncates the part at the heard position (nothing is sent when
 *   everything received has been heard and the part is finished).
 * - **no useless cancel**: with server VAD (`server_vad` / `semantic_vad`) and `interrupt_response` true (the
 *   service's default) the server cancels the response itself at `speech_started`, and a `response.cancel` would
 *   only earn `response_cancel_not_active`. The setting is read from `session.created` / `session.updated`
 *   (preview `session.turn_detection`, GA `session.audio.input.turn_detection`); until one is seen, the default.
 *   With `interrupt_response: false` or turn detection `none`, it sends `response.cancel {response_id}` first.
 * - **the heard position** is clamped to the audio received for that part (the service refuses an
 *   `audio_end_ms` past the item's audio). A position of **0 ms** (the user heard none of it) sends
 *   `conversation.item.delete` of the item instead of a truncate to 0: the assistant said nothing the user heard,
 *   so the conversation should not hold the turn at all (LiveKit's agents do the same).
 * - a text response, or one whose audio has not started, is only cancelled (when the server does not); a part is
 *   interrupted once.
 *
 * ```text
 * source:   --c--p--b--q--e--d------v--|    b = audio delta (2 s), d = response.done, v = speech_started
 * playback: --------------------750-----
 * output:   ------------------------t--|    t = conversation.item.truncate { audio_end_ms: 750 }
 * ```
 *
 * Completes and errors with the source, errors with `playbackMs`; unsubscribing also unsubscribes `playbackMs`.
 * Feed its output back into the connection's client events.
 *
 * @example
 * ```ts
 * import { interruptOnSpeech } from 'rx-realtime';
 * const interruptions$ = server$.pipe(interruptOnSpeech({ playbackMs: player.positionMs$ }));
 * ```
 */
export function interruptOnSpeech(
  options: InterruptOptions = {},
): OperatorFunction<ServerMessage | SessionState, ClientEvent> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const hasClock = options.playbackMs !== undefined;
  return (source) =>
    new Observable<ClientEvent>((subscriber) => {
      const inFlight = new Set<string>(); // responses created and not done, oldest first
      const cancelled = new Set<string>(); // of those, the ones a cancel was sent for (never twice)
      let playing: Playing | undefined;
      // the part interrupted last: its deltas still in flight after the barge-in must not make it "playing" again
      let cutItem: string | undefined;
      let cutIndex: number | undefined;
      let serverCancels = true; // the service's default: server_vad with interrupt_response true (§3)
      let bytesPerMs = options.bytesPerMs ?? 48;
      const startPart = (e: { response_id: string; item_id: string; content_index: number }): Playing => ({
        responseId: e.response_id,
        itemId: e.item_id,
        contentIndex: e.content_index,
        receivedBytes: 0,
        firstAudioAt: NaN,
        open: true,
        heardMs: undefined,
      });
      const isPlaying = (e: ServerMessage) =>
        playing !== undefined &&
        field(e, 'item_id') === playing.itemId &&
        (e as { content_index?: unknown }).content_index === playing.contentIndex;
      const bargeIn = () => {
        const responseId = [...inFlight].pop();
        if (responseId !== undefined && !serverCancels && !cancelled.has(responseId)) {
          cancelled.add(responseId);
          subscriber.next({ type: 'response.cancel', response_id: responseId });
        }
        const part = playing;
        if (part === undefined || Number.isNaN(part.firstAudioAt)) return;
        playing = undefined; // interrupted once
        cutItem = part.itemId;
        cutIndex = part.contentIndex;
        const receivedMs = Math.floor(part.receivedBytes / bytesPerMs);
        const heard = hasClock ? (part.heardMs ?? 0) : scheduler.now() - part.firstAudioAt;
        const at = Math.max(0, Math.min(receivedMs, Math.floor(heard)));
        if (!part.open && at >= receivedMs) return; // all of it was heard: nothing to cut
        subscriber.next(
          at > 0
            ? {
                type: 'conversation.item.truncate',
                item_id: part.itemId,
                content_index: part.contentIndex,
                audio_end_ms: at,
              }
            : { type: 'conversation.item.delete', item_id: part.itemId },
        );
      };
      const playback = options.playbackMs?.subscribe({
        next: (ms) => {
          if (playing) playing.heardMs = ms;
        },
        error: (err) => subscriber.error(err),
      });
      const subscription = source.subscribe(
        sourceObserver({
          next(e) {
            if (isReconnecting(e)) {
              // session(): the socket dropped; the new session holds the assistant's turns as text (what was heard),
              // so there is no audio on it to truncate, and no response of the old socket is in flight
              inFlight.clear();
              cancelled.clear();
              playing = undefined;
              return;
            }
            if (isSessionState(e)) return;
            if (e.type === 'session.created' || e.type === 'session.updated') {
              const next = interruptsItself(e.session);
              if (next !== undefined) serverCancels = next;
              if (options.bytesPerMs === undefined) bytesPerMs = outputBytesPerMs(e.session) ?? bytesPerMs;
            } else if (e.type === 'response.created') {
              const id = nestedId(e, 'response');
              if (id === undefined) return;
              inFlight.add(id);
              if (inFlight.size > MAX_IN_FLIGHT) {
                const oldest = inFlight.values().next().value!;
                inFlight.delete(oldest);
                cancelled.delete(oldest);
              }
            } else if (e.type === 'response.done') {
              const id = nestedId(e, 'response');
              if (id !== undefined) {
                inFlight.delete(id);
                cancelled.delete(id);
              }
              if (playing && playing.responseId === id) playing.open = false;
            } else if (e.type === 'response.content_part.added') {
              if (isAudioContent(e.part.type)) playing = startPart(e);
            } else if (isEvent(e, 'audioDelta')) {
              if (e.item_id === cutItem && e.content_index === cutIndex) return;
              // deltas without a content_part.added (a stream joined mid-part): follow them anyway
              if (!isPlaying(e)) playing = startPart(e);
              if (Number.isNaN(playing!.firstAudioAt)) playing!.firstAudioAt = scheduler.now();
              playing!.receivedBytes += base64Length(e.delta);
            } else if (isEvent(e, 'audioDone') || e.type === 'response.content_part.done') {
              if (isPlaying(e)) playing!.open = false;
            } else if (e.type === 'conversation.item.deleted' || e.type === 'conversation.item.truncated') {
              if (playing?.itemId === e.item_id) playing = undefined; // someone else cut it already
            } else if (e.type === 'input_audio_buffer.speech_started') {
              bargeIn();
            }
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return () => {
        subscription.unsubscribe();
        playback?.unsubscribe();
      };
    });
}
