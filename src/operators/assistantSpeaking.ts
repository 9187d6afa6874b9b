import { Observable, type OperatorFunction } from 'rxjs';
import { isEvent, type ServerMessage } from '../protocol';
import { field, nestedId } from './groups';
import { isReconnecting, type SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/**
 * Whether the assistant is sending speech: `false` first, `true` at a response's first audio delta, `false` when
 * that response's audio is done (`response.audio.done` / `response.output_audio.done`) or the response ends
 * (`response.done`, e.g. cancelled by barge-in); repeats are dropped. With overlapping responses it stays `true`
 * while any of them is sending audio.
 *
 * It's like `userSpeaking()` for the other side, but it follows audio deltas, which is what a player receives
 * (what the user hears lags behind by the player's buffer).
 *
 * ```text
 * source:  --c--a--a--a--x--D--|     a = audio delta, x = audio done, D = response.done
 * output:  f----t--------f-----|
 * ```
 *
 * Completes and errors with the source.
 *
 * @example
 * ```ts
 * import { assistantSpeaking } from 'rx-realtime';
 * server$.pipe(assistantSpeaking()).subscribe((on) => led.set(on));
 * ```
 */
export function assistantSpeaking(): OperatorFunction<ServerMessage | SessionState, boolean> {
  return (source) =>
    new Observable<boolean>((subscriber) => {
      const speaking = new Set<string>(); // ids of responses sending audio now; emptied as they end
      let last = false;
      const emit = () => {
        const now = speaking.size > 0;
        if (now !== last) subscriber.next((last = now));
      };
      subscriber.next(false);
      return source.subscribe(
        sourceObserver({
          next(e) {
            // session(): the socket dropped, and the responses sending audio on it with it
            if (isReconnecting(e)) speaking.clear();
            else if (isEvent(e, 'audioDelta')) speaking.add(e.response_id);
            else if (isEvent(e, 'audioDone')) speaking.delete(e.response_id);
            else if (e.type === 'response.done')
              speaking.delete(nestedId(e, 'response') ?? field(e, 'response_id') ?? '');
            else return;
            emit();
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
    });
}
