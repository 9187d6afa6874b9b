import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { isEvent, type Resources, type ServerMessage } from '../protocol';
import { field, nestedId } from './groups';
import { base64Length, outputBytesPerMs } from './sessionSettings';
import type { SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/** The measures of one response, at its `response.done`. */
export interface TurnMetrics {
  readonly responseId: string;
  /** The response's status: `completed`, `cancelled`, `incomplete` or `failed`. */
  readonly status: string;
  /**
   * From the user's end of speech (`input_audio_buffer.speech_stopped`) before this response to its first audio
   * delta: the latency a voice user feels. Absent for a response with no speech before it (a text turn, a second
   * response to one turn) or with no audio.
   */
  readonly speechEndToFirstAudioMs?: number | undefined;
  /** The same to the first text: a text delta, or a transcript delta of the audio. */
  readonly speechEndToFirstTextMs?: number | undefined;
  /** From `response.created` (or the response's first event seen) to `response.done`. */
  readonly durationMs: number;
  /** Milliseconds of audio received: decoded bytes / `bytesPerMs` (48: PCM16 at 24 kHz), floored. */
  readonly audioMs: number;
  /** The response was cancelled (a barge-in: `turn_detected`, or a `response.cancel`: `client_cancelled`). */
  readonly interrupted: boolean;
  /** The token usage of `response.done`, when the service sent it. */
  readonly usage?: Resources.Usage | undefined;
}

/** Options of {@link turnMetrics}; every property has a default. */
export interface TurnMetricsOptions {
  /** The clock the times are read from. Default `asyncScheduler` (wall clock; virtual in `TestScheduler.run`). */
  readonly scheduler?: SchedulerLike | undefined;
  /**
   * Bytes per millisecond of the output audio: 48 for PCM16 24 kHz, 8 for G.711 at 8 kHz. Default: the session's
   * output format as `session.created` / `session.updated` say, PCM16 (48) until one does.
   */
  readonly bytesPerMs?: number | undefined;
}

interface Turn {
  startedAt: number;
  speechEndAt: number | undefined;
  firstAudioAt: number | undefined;
  firstTextAt: number | undefined;
  audioBytes: number;
}

/** Responses measured at once; a `response.done` that never comes cannot grow the map past this. */
const MAX_OPEN = 16;

/**
 * One value per response, at its `response.done`: how long the user waited and how long it took,
 * `{ responseId, status, speechEndToFirstAudioMs?, speechEndToFirstTextMs?, durationMs, audioMs, interrupted,
 * usage? }`.
 *
 * It's like a `scan` over the session's events with `Date.now()`, but the times come from a scheduler (so a
 * marble test can pin them), the dialects' names are both understood, and interleaved responses are measured
 * apart. The end of speech is the last `speech_stopped` before the response's `response.created`, and it is used
 * by that one response only.
 *
 * ```text
 * source:  -w 99ms c 49ms p-b 49ms t-x-q-e-d-|   w = speech_stopped, b = audio delta (2 s), t = transcript delta
 * output:  211ms m-|                             m = { speechEndToFirstAudioMs: 152, speechEndToFirstTextMs: 202,
 *                                                     durationMs: 110, audioMs: 2000, interrupted: false, … }
 * ```
 *
 * Completes and errors with the source; a response still open then is not measured.
 *
 * @example
 * ```ts
 * import { turnMetrics } from 'rx-realtime';
 * server$.pipe(turnMetrics()).subscribe((m) => console.log(`${m.responseId}: ${m.speechEndToFirstAudioMs} ms`));
 * ```
 */
export function turnMetrics(
  options: TurnMetricsOptions = {},
): OperatorFunction<ServerMessage | SessionState, TurnMetrics> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<TurnMetrics>((subscriber) => {
      const open = new Map<string, Turn>();
      let speechEndAt: number | undefined; // not yet claimed by a response
      let bytesPerMs = options.bytesPerMs ?? 48;
      const turnOf = (id: string, now: number): Turn => {
        let turn = open.get(id);
        if (turn === undefined) {
          // a response whose created was not seen (a stream joined mid-response): measured from here
          turn = {
            startedAt: now,
            speechEndAt: undefined,
            firstAudioAt: undefined,
            firstTextAt: undefined,
            audioBytes: 0,
          };
          open.set(id, turn);
          if (open.size > MAX_OPEN) open.delete(open.keys().next().value!);
        }
        return turn;
      };
      const subscription = source.subscribe(
        sourceObserver({
          next(e) {
            if (e.type === 'session.created' || e.type === 'session.updated') {
              if (options.bytesPerMs === undefined) bytesPerMs = outputBytesPerMs(e.session) ?? bytesPerMs;
            } else if (e.type === 'input_audio_buffer.speech_stopped') {
              speechEndAt = scheduler.now();
            } else if (e.type === 'response.created') {
              const id = nestedId(e, 'response');
              if (id === undefined) return;
              const turn = turnOf(id, scheduler.now());
              turn.speechEndAt = speechEndAt;
              speechEndAt = undefined;
            } else if (e.type === 'response.done') {
              const id = nestedId(e, 'response');
              if (id === undefined) return;
              const now = scheduler.now();
              const turn = open.get(id) ?? turnOf(id, now);
              open.delete(id);
              const since = (at: number | undefined) =>
                turn.speechEndAt === undefined || at === undefined ? undefined : at - turn.speechEndAt;
              const toAudio = since(turn.firstAudioAt);
              const toText = since(turn.firstTextAt);
              const usage = e.response.usage ?? undefined;
              subscriber.next({
                responseId: id,
                status: String(e.response.status ?? 'completed'),
                ...(toAudio === undefined ? {} : { speechEndToFirstAudioMs: toAudio }),
                ...(toText === undefined ? {} : { speechEndToFirstTextMs: toText }),
                durationMs: now - turn.startedAt,
                audioMs: Math.floor(turn.audioBytes / bytesPerMs),
                interrupted: e.response.status === 'cancelled',
                ...(usage === undefined ? {} : { usage }),
              });
            } else if (isEvent(e, 'audioDelta')) {
              const turn = turnOf(e.response_id, scheduler.now());
              turn.firstAudioAt ??= scheduler.now();
              turn.audioBytes += base64Length(e.delta);
            } else if (isEvent(e, 'textDelta') || isEvent(e, 'transcriptDelta')) {
              const id = field(e, 'response_id')!;
              const turn = turnOf(id, scheduler.now());
              turn.firstTextAt ??= scheduler.now();
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
