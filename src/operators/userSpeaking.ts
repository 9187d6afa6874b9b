import { distinctUntilChanged, filter, map, startWith, type OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { isReconnecting, type SessionState } from './sessionState';

/** A change of the user's speaking state, with what server VAD said about it. */
export interface UserSpeech {
  readonly speaking: boolean;
  /** The user item the speech becomes (`undefined` for the initial state). */
  readonly itemId: string | undefined;
  /** `audio_start_ms` when speaking starts, `audio_end_ms` when it stops (`undefined` initially). */
  readonly audioMs: number | undefined;
}

/**
 * Whether the user is speaking, as server VAD says: `false` first, `true` at
 * `input_audio_buffer.speech_started`, `false` at `input_audio_buffer.speech_stopped` and at `session()`'s
 * `reconnecting` state (the next socket's VAD starts over: a speech it will not stop is over); repeats are dropped.
 *
 * It's like `map(e => e.type === 'input_audio_buffer.speech_started')` over the two VAD events, but it starts
 * with `false` and emits only changes.
 *
 * ```text
 * source:  --v--x--w--v--w--|     v = speech_started, w = speech_stopped, x = anything else
 * output:  f-t-----f--t--f--|     f = false, t = true (f at subscription)
 * ```
 *
 * Completes and errors with the source.
 *
 * @example
 * ```ts
 * import { userSpeaking } from 'rx-realtime';
 * server$.pipe(userSpeaking()).subscribe((speaking) => speaking && player.stop());
 * ```
 */
export function userSpeaking(): OperatorFunction<ServerMessage | SessionState, boolean> {
  return (source) =>
    source.pipe(
      userSpeech(),
      map((s) => s.speaking),
      distinctUntilChanged(),
    );
}

/**
 * Like {@link userSpeaking}, with the item id and the `audio_start_ms` / `audio_end_ms` of each change.
 *
 * ```text
 * source:  --v-----w--|
 * output:  s-a-----b--|     s = { speaking: false }, a = { speaking: true, itemId, audioMs: 1200 }, b = { false, …, 2400 }
 * ```
 */
export function userSpeech(): OperatorFunction<ServerMessage | SessionState, UserSpeech> {
  return (source) =>
    source.pipe(
      filter(
        (e) =>
          e.type === 'input_audio_buffer.speech_started' ||
          e.type === 'input_audio_buffer.speech_stopped' ||
          isReconnecting(e),
      ),
      map((e): UserSpeech => {
        if (isReconnecting(e)) return { speaking: false, itemId: undefined, audioMs: undefined };
        if (e.type === 'input_audio_buffer.speech_started') {
          return { speaking: true, itemId: e.item_id, audioMs: e.audio_start_ms };
        }
        const stopped = e as Extract<ServerMessage, { type: 'input_audio_buffer.speech_stopped' }>;
        return { speaking: false, itemId: stopped.item_id, audioMs: stopped.audio_end_ms };
      }),
      startWith<UserSpeech>({ speaking: false, itemId: undefined, audioMs: undefined }),
      distinctUntilChanged((a, b) => a.speaking === b.speaking),
    );
}
