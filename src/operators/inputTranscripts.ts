import { Observable, type OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import type { SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/** The user's transcript of one input item (a turn of their audio), as far as it has come. */
export interface InputTranscript {
  readonly itemId: string;
  readonly contentIndex: number;
  /** The transcript so far: the deltas joined, then the service's whole transcript when `final`. */
  readonly text: string;
  /** `true` once: at `.completed` (the transcript) or `.failed` (with `error`). */
  readonly final: boolean;
  /** This value's new text (a delta's), when it came from a delta. */
  readonly delta?: string;
  /** Why the transcription failed (`.failed`): `{ type, code, message }` as the service sent it. */
  readonly error?: { readonly type?: string; readonly code?: string | null; readonly message?: string };
  /** The transcription's usage (`.completed`), when the service sent it. */
  readonly usage?: unknown;
}

/** Transcripts in progress that are remembered; a `.completed` that never comes cannot grow the map past this. */
const MAX_OPEN = 64;

/**
 * The user's own words, per input item: `{ itemId, contentIndex, text, final }` at each
 * `conversation.item.input_audio_transcription.delta` (`text` = the deltas so far, `final: false`), then once at
 * `.completed` (`text` = the whole transcript, `final: true`) or at `.failed` (`final: true`, `error`: a value,
 * never a stream error).
 *
 * It's like `ofType('conversation.item.input_audio_transcription.delta', '….completed')` + a `scan` per item, but
 * the deltas of interleaved items are kept apart, a model that sends no deltas (`whisper-1`) still gives its one
 * final value, and a failure is a value. The events have the same names in both dialects and in transcription-only
 * sessions (`intent=transcription`); they arrive asynchronously, before, during or after the response to the turn.
 * Input transcription must be on in the session (preview `input_audio_transcription`, GA
 * `audio.input.transcription`).
 *
 * ```text
 * source:  --r--s--f--g--|     r, s = transcription deltas "Hel", "lo"; f = completed "Hello"; g = failed (item_v)
 * output:  --h--i--j--k--|     h = { itemId: "item_u", text: "Hel", final: false }, i = { …, "Hello", false },
 *                              j = { …, text: "Hello", final: true }, k = { itemId: "item_v", text: "", final: true, error }
 * ```
 *
 * Completes and errors with the source. Per-item text is dropped at its final value.
 *
 * @example
 * ```ts
 * import { inputTranscripts } from 'rx-realtime';
 * server$.pipe(inputTranscripts()).subscribe(({ text, final }) => final && console.log(`you: ${text}`));
 * ```
 */
export function inputTranscripts(): OperatorFunction<ServerMessage | SessionState, InputTranscript> {
  return (source) =>
    new Observable<InputTranscript>((subscriber) => {
      const open = new Map<string, string>(); // `item:content` → the deltas so far
      const subscription = source.subscribe(
        sourceObserver({
          next(e) {
            if (e.type === 'conversation.item.input_audio_transcription.delta') {
              const contentIndex = e.content_index ?? 0;
              const key = `${e.item_id}:${contentIndex}`;
              const delta = e.delta ?? '';
              const text = (open.get(key) ?? '') + delta;
              open.delete(key); // re-insert: the map's order is the order of last use
              open.set(key, text);
              if (open.size > MAX_OPEN) open.delete(open.keys().next().value!);
              subscriber.next({ itemId: e.item_id, contentIndex, text, final: false, delta });
            } else if (e.type === 'conversation.item.input_audio_transcription.completed') {
              open.delete(`${e.item_id}:${e.content_index}`);
              const value = {
                itemId: e.item_id,
                contentIndex: e.content_index,
                text: e.transcript,
                final: true,
              };
              subscriber.next(e.usage === undefined ? value : { ...value, usage: e.usage });
            } else if (e.type === 'conversation.item.input_audio_transcription.failed') {
              const key = `${e.item_id}:${e.content_index}`;
              const text = open.get(key) ?? '';
              open.delete(key);
              subscriber.next({
                itemId: e.item_id,
                contentIndex: e.content_index,
                text,
                final: true,
                error: e.error,
              });
            }
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return () => {
        subscription.unsubscribe();
        open.clear();
      };
    });
}
