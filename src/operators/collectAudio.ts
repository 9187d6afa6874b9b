import type { OperatorFunction } from 'rxjs';
import { isAudioContent, isEvent, type ServerMessage } from '../protocol';
import { base64ToBytes } from '../audio/base64';
import { collectParts, type PartKey } from './collect';

/** The whole audio of one audio content part, with its transcript. */
export interface CollectedAudio extends PartKey {
  readonly audio: Uint8Array;
  /** The transcript of the audio. */
  readonly text: string;
}

/**
 * One value per audio content part, at its `response.content_part.done`:
 * `{ responseId, itemId, contentIndex, audio: Uint8Array, text }` where `text` is the transcript.
 *
 * It's like `audioDeltas()` + concatenating the buffers, but per content part and in both dialects; the chunks
 * are kept as a list and copied once at the end (no quadratic copying).
 *
 * ```text
 * source:  --p--a--t--a--x--y--q--|     p/q = content_part.added/done (audio), a = audio delta, t = transcript delta
 * output:  --------------------v--|     v = { …, audio: Uint8Array(9600), text: "Hi" }
 * ```
 *
 * Completes with the source; errors with an `IncompleteStreamError` when the source completes while an audio
 * part is open, with a `RangeError` for a delta that is not base64, and with the source's error.
 *
 * @example
 * ```ts
 * import { collectAudio, writeWav } from 'rx-realtime';
 * server$.pipe(collectAudio()).subscribe(({ audio }) => writeFileSync('reply.wav', writeWav(audio)));
 * ```
 */
export function collectAudio(): OperatorFunction<ServerMessage, CollectedAudio> {
  return collectParts<CollectedAudio>('content part', () => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    const transcript: string[] = [];
    let finalTranscript: string | undefined;
    return {
      accepts: isAudioContent,
      add(e) {
        if (isEvent(e, 'audioDelta')) {
          const bytes = base64ToBytes(e.delta);
          chunks.push(bytes);
          length += bytes.byteLength;
        } else if (isEvent(e, 'transcriptDelta')) transcript.push(e.delta);
        else if (isEvent(e, 'transcriptDone')) finalTranscript = e.transcript;
      },
      finish(done, key) {
        const audio = new Uint8Array(length);
        let offset = 0;
        for (const c of chunks) {
          audio.set(c, offset);
          offset += c.byteLength;
        }
        const partTranscript = done.type === 'response.content_part.done' ? done.part.transcript : undefined;
        return { ...key, audio, text: partTranscript ?? finalTranscript ?? transcript.join('') };
      },
    };
  });
}
