import { Observable, Subject, type OperatorFunction } from 'rxjs';
import { isAudioContent, isEvent, type ServerMessage } from '../protocol';
import { deltaAudio, isAudioDecodeFailure, type AudioDecodeFailure } from './audioDeltas';
import { collectParts, type PartKey } from './collect';
import { nestedId } from './groups';
import { isReconnecting, type SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/**
 * How the response of a collected part ended: its `response.done` status (`incomplete` also when the source
 * ended before that `response.done`).
 */
export type CollectedAudioStatus = 'completed' | 'incomplete' | 'cancelled' | 'failed';

/** The whole audio of one audio content part, with its transcript and how it ended. */
export interface CollectedAudio extends PartKey {
  readonly audio: Uint8Array;
  /** The transcript of the audio. */
  readonly text: string;
  /**
   * `completed` only when its response completed: a response cancelled by a barge-in (`cancelled`, reason
   * `turn_detected`), cut off (`incomplete`, e.g. `max_output_tokens`) or `failed` holds less than was meant.
   */
  readonly status: CollectedAudioStatus;
  /** The service's `status_details.reason` (`turn_detected`, `client_cancelled`, `max_output_tokens`, …), if any. */
  readonly reason?: string;
  /** Deltas of this part whose base64 did not decode (their audio is missing from `audio`); absent when none. */
  readonly failures?: readonly AudioDecodeFailure[];
}

type Finished = Omit<CollectedAudio, 'status' | 'reason'>;

const STATUSES: ReadonlySet<string> = new Set(['completed', 'incomplete', 'cancelled', 'failed']);

/**
 * One value per audio content part, at the `response.done` of its response:
 * `{ responseId, itemId, contentIndex, audio: Uint8Array, text, status, reason? }` where `text` is the transcript.
 *
 * It's like `audioDeltas()` + concatenating the buffers, but per content part, in both dialects, and it says how
 * the part ended: a part's own `content_part.done` looks the same whether its response completed or was
 * cancelled before any audio, so the value waits for the response's `response.done` and takes its `status`. The
 * chunks are kept as a list and copied once at the end (no quadratic copying). A delta whose base64 is corrupt is
 * left out of `audio` and listed in `failures`; the rest of the audio is kept.
 *
 * ```text
 * source:  --p--a--t--a--q--e--d--|     p/q = content_part.added/done (audio), a = audio delta, d = response.done
 * output:  --------------------v--|     v = { …, audio: Uint8Array(9600), text: "Hi", status: "completed" }
 * ```
 *
 * Completes with the source, first giving the finished parts whose `response.done` never came with status
 * `incomplete`; errors with an `IncompleteStreamError` when the source completes while an audio part is open
 * (after those), and with the source's error.
 *
 * @example
 * ```ts
 * import { collectAudio, writeWav } from 'rx-realtime';
 * server$.pipe(collectAudio()).subscribe(({ audio, status }) => {
 *   if (status === 'completed') writeFileSync('reply.wav', writeWav(audio));
 * });
 * ```
 */
export function collectAudio(): OperatorFunction<ServerMessage | SessionState, CollectedAudio> {
  return (source) =>
    new Observable<CollectedAudio>((subscriber) => {
      // finished parts waiting for their response.done; each entry is deleted at that done (flat memory)
      const held = new Map<string, Finished[]>();
      const flush = () => {
        const all = [...held.values()].flat();
        held.clear();
        for (const p of all) subscriber.next({ ...p, status: 'incomplete' });
      };
      // the per-part accumulation is collectParts' (shared with collectText), fed synchronously from here
      const events = new Subject<ServerMessage | SessionState>();
      const parts = events.pipe(collectParts('content part', accumulate)).subscribe({
        next(p) {
          const list = held.get(p.responseId);
          if (list) list.push(p);
          else held.set(p.responseId, [p]);
        },
        error(err) {
          flush();
          subscriber.error(err);
        },
        complete() {
          flush();
          subscriber.complete();
        },
      });
      const subscription = source.subscribe(
        sourceObserver({
          next(e) {
            events.next(e);
            // session(): the socket dropped; the parts finished on it never get their response.done
            if (isReconnecting(e)) return flush();
            if (e.type !== 'response.done') return;
            const id = nestedId(e, 'response');
            const list = id === undefined ? undefined : held.get(id);
            if (!list) return;
            held.delete(id!);
            const status = STATUSES.has(e.response.status as string)
              ? (e.response.status as CollectedAudioStatus)
              : 'incomplete';
            const reason = (e.response.status_details as { reason?: unknown } | null | undefined)?.reason;
            for (const p of list)
              subscriber.next(typeof reason === 'string' ? { ...p, status, reason } : { ...p, status });
          },
          error: (err) => events.error(err),
          complete: () => events.complete(),
        }),
      );
      return () => {
        subscription.unsubscribe();
        parts.unsubscribe();
        held.clear();
      };
    });
}

function accumulate() {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const transcript: string[] = [];
  let finalTranscript: string | undefined;
  const failures: AudioDecodeFailure[] = [];
  return {
    accepts: isAudioContent,
    add(e: ServerMessage) {
      if (isEvent(e, 'audioDelta')) {
        const bytes = deltaAudio(e);
        if (isAudioDecodeFailure(bytes)) failures.push(bytes);
        else {
          chunks.push(bytes);
          length += bytes.byteLength;
        }
      } else if (isEvent(e, 'transcriptDelta')) transcript.push(e.delta);
      else if (isEvent(e, 'transcriptDone')) finalTranscript = e.transcript;
    },
    finish(done: ServerMessage, key: PartKey): Finished {
      const audio = new Uint8Array(length);
      let offset = 0;
      for (const c of chunks) {
        audio.set(c, offset);
        offset += c.byteLength;
      }
      const partTranscript = done.type === 'response.content_part.done' ? done.part.transcript : undefined;
      const text = partTranscript ?? finalTranscript ?? transcript.join('');
      return failures.length > 0 ? { ...key, audio, text, failures } : { ...key, audio, text };
    },
  };
}
