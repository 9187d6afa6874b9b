import {
  Observable,
  asyncScheduler,
  type Observable as Obs,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { isAudioContent, isEvent, type ClientEvent, type ServerMessage } from '../protocol';
import { nestedId } from './groups';

/** Options of {@link interruptOnSpeech}; every property has a default. */
export interface InterruptOptions {
  /**
   * Milliseconds of the current assistant audio item that the user has actually heard, as the player reports it.
   * Default: none, and the heard position is estimated as wall-clock time since the item's first audio delta.
   */
  readonly playbackMs?: Obs<number>;
  /** The clock of the wall-clock fallback. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Bytes per millisecond of the output audio: 48 for PCM16 24 kHz (default), 8 for G.711 at 8 kHz. */
  readonly bytesPerMs?: number;
}

interface Playing {
  responseId: string;
  itemId: string;
  contentIndex: number;
  receivedBytes: number;
  firstAudioAt: number;
}

/**
 * The client events that stop the assistant when the user starts speaking (barge-in): `response.cancel` for the
 * response in flight, and `conversation.item.truncate` of its audio item at the position the user has heard, so
 * that the conversation holds only what was actually said (protocol README §6, "Barge-in and cancel").
 *
 * It's like a `switchMap` from `speech_started` to a cancel, but the truncation point is clamped to the audio
 * received, never sent for a text item, never at 0 ms before any audio has played, and nothing is sent when the
 * response is already done. Feed its output back into the connection's client events.
 *
 * ```text
 * source:  --c--o--p--a--a--v--D--|     a = audio delta, v = speech_started, D = response.done
 * output:  -----------------(kt)--|     k = response.cancel, t = conversation.item.truncate { audio_end_ms }
 * ```
 *
 * Completes and errors with the source; unsubscribing also unsubscribes `playbackMs`.
 *
 * @example
 * ```ts
 * import { interruptOnSpeech } from 'rx-realtime';
 * const interruptions$ = server$.pipe(interruptOnSpeech({ playbackMs: player.positionMs$ }));
 * ```
 */
export function interruptOnSpeech(
  options: InterruptOptions = {},
): OperatorFunction<ServerMessage, ClientEvent> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const bytesPerMs = options.bytesPerMs ?? 48;
  return (source) =>
    new Observable<ClientEvent>((subscriber) => {
      const active = new Set<string>(); // responses created and not done
      let playing: Playing | undefined; // the audio part being received/played now
      let heardMs: number | undefined; // last playback position reported, for `playing`
      /** A new audio part starts: nothing received or heard of it yet. */
      const startPart = (e: { response_id: string; item_id: string; content_index: number }): Playing => {
        heardMs = undefined;
        return {
          responseId: e.response_id,
          itemId: e.item_id,
          contentIndex: e.content_index,
          receivedBytes: 0,
          firstAudioAt: NaN,
        };
      };
      const playback = options.playbackMs?.subscribe({
        next: (ms) => (heardMs = ms),
        error: (err) => subscriber.error(err),
      });
      const subscription = source.subscribe({
        next(e) {
          if (e.type === 'response.created') {
            const id = nestedId(e, 'response');
            if (id !== undefined) active.add(id);
          } else if (e.type === 'response.done') {
            const id = nestedId(e, 'response');
            if (id !== undefined) active.delete(id);
            if (playing?.responseId === id) playing = undefined;
          } else if (e.type === 'response.content_part.added' && isAudioContent(e.part.type)) {
            playing = startPart(e);
          } else if (isEvent(e, 'audioDelta')) {
            // deltas without a content_part.added (a stream joined mid-part): follow them anyway
            if (playing?.itemId !== e.item_id || playing.contentIndex !== e.content_index)
              playing = startPart(e);
            if (Number.isNaN(playing.firstAudioAt)) playing.firstAudioAt = scheduler.now();
            playing.receivedBytes += base64Length(e.delta);
          } else if (e.type === 'input_audio_buffer.speech_started') {
            const target = playing && active.has(playing.responseId) ? playing : undefined;
            const responseId = target?.responseId ?? [...active].pop();
            if (responseId === undefined) return; // nothing in flight: nothing to interrupt
            subscriber.next({ type: 'response.cancel', response_id: responseId });
            if (target && !Number.isNaN(target.firstAudioAt)) {
              const receivedMs = Math.floor(target.receivedBytes / bytesPerMs);
              const heard = heardMs ?? scheduler.now() - target.firstAudioAt;
              const at = Math.max(0, Math.min(receivedMs, Math.floor(heard)));
              if (at > 0) {
                subscriber.next({
                  type: 'conversation.item.truncate',
                  item_id: target.itemId,
                  content_index: target.contentIndex,
                  audio_end_ms: at,
                });
              }
            }
            playing = undefined;
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        playback?.unsubscribe();
      };
    });
}

/** Decoded length of a base64 string, without decoding it. */
function base64Length(b64: string): number {
  let padding = 0;
  if (b64.endsWith('==')) padding = 2;
  else if (b64.endsWith('=')) padding = 1;
  return Math.floor((b64.length * 3) / 4) - padding;
}
