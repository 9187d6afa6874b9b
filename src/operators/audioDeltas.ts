import type { OperatorFunction } from 'rxjs';
import { takeDecodedAudio, type NeutralEvents, type ServerMessage } from '../protocol';
import { base64ToBytes } from '../audio/base64';
import { deltasOf } from './deltas';
import type { SessionState } from './sessionState';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Brand shared across module copies (ESM and CJS builds loaded together still agree). */
const BRAND: unique symbol = Symbol.for('rx-realtime.AudioDecodeFailure') as never;

/**
 * An audio delta whose `delta` is not valid base64, as {@link audioDeltas} hands it on: an **empty** chunk (a
 * `Uint8Array` of length 0, so a player, a WAV writer or a byte count down the pipe go on unchanged) that says
 * which delta failed and why. Recognise it with {@link isAudioDecodeFailure}.
 */
export interface AudioDecodeFailure extends Uint8Array {
  readonly type: 'rx-realtime.audio_decode_failure';
  /** Why, naming the position: `invalid base64: unexpected character "!" at position 2`. */
  readonly message: string;
  /** The delta's `event_id`, when it had one. */
  readonly eventId: string | undefined;
  readonly responseId: string;
  readonly itemId: string;
  readonly contentIndex: number;
  /** The error the base64 decoder threw (a `RangeError`). */
  readonly cause: unknown;
  readonly [BRAND]: true;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Builds the {@link AudioDecodeFailure} of an audio delta and the error its decoding threw. */
export function audioDecodeFailure(event: NeutralEvents['audioDelta'], cause: unknown): AudioDecodeFailure {
  return Object.assign(new Uint8Array(0), {
    type: 'rx-realtime.audio_decode_failure' as const,
    message: cause instanceof Error ? cause.message : String(cause),
    eventId: event.event_id ?? undefined,
    responseId: event.response_id,
    itemId: event.item_id,
    contentIndex: event.content_index,
    cause,
    [BRAND]: true as const,
  });
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** True for the chunk {@link audioDeltas} emits in place of a delta whose base64 is corrupt. */
export const isAudioDecodeFailure = (value: unknown): value is AudioDecodeFailure =>
  value instanceof Uint8Array && (value as { [BRAND]?: unknown })[BRAND] === true;

/** The audio of one delta, or its failure (never throws). Shared with `collectAudio`. */
export const deltaAudio = (event: NeutralEvents['audioDelta']): Uint8Array => {
  // an audio delta connect()'s decoder made from the socket's bytes carries its audio, decoded already (taken once)
  const decoded = takeDecodedAudio(event);
  if (decoded) return decoded;
  try {
    return base64ToBytes(event.delta);
  } catch (err) {
    return audioDecodeFailure(event, err);
  }
};

// -------------------------------------------------------------------------------------
// operator
// -------------------------------------------------------------------------------------

/**
 * The assistant's audio, decoded: one `Uint8Array` of PCM16 (or G.711, as the session's output format says) per
 * `response.audio.delta` (preview) / `response.output_audio.delta` (GA).
 *
 * It's like `map(e => Buffer.from(e.delta, 'base64'))` on the audio deltas, but it works on both dialects, and a
 * delta that is not valid base64 is neither silently truncated (as `Buffer.from` would) nor the end of the audio
 * pipeline: it becomes an empty chunk that says so, an {@link AudioDecodeFailure} (`isAudioDecodeFailure(chunk)`),
 * and the deltas after it go on.
 *
 * ```text
 * source:  --a--t--b--a--|     a = audio delta (base64), t = transcript delta (ignored), b = corrupt base64
 * output:  --x-----f--y--|     x, y = Uint8Array; f = AudioDecodeFailure (empty, with message and ids)
 * ```
 *
 * Completes and errors with the source.
 *
 * @example
 * ```ts
 * import { audioDeltas, isAudioDecodeFailure } from 'rx-realtime';
 * server$.pipe(audioDeltas()).subscribe((pcm) => {
 *   if (isAudioDecodeFailure(pcm)) console.warn(pcm.message);
 *   else speaker.write(pcm);
 * });
 * ```
 */
export function audioDeltas(): OperatorFunction<ServerMessage | SessionState, Uint8Array> {
  return deltasOf('audioDelta', deltaAudio);
}
