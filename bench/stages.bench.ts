// Where the pipeline's time goes, in this process and without a socket: one burst (200 responses) of frames as
// bytes, read by each stage of the user's pipeline in turn, interleaved round by round. The socket benchmark
// (pipeline.bench.ts) gives the ratios that count; this one says which stage costs what, so that the next change
// is aimed at the right place. Shares only: absolute numbers do not carry between runs.
import {
  Observable,
  ignoreElements,
  lastValueFrom,
  merge,
  mergeMap,
  share,
  tap,
  type OperatorFunction,
} from 'rxjs';
import { audioDeltas, splitContentParts, splitResponses, transcriptDeltas } from '../src/operators';
import { frameDecoder, type Dialect, type ServerMessage } from '../src/protocol';
import { responseFrames } from './decode.bench';
import { floorReader } from './pipeline.bench';

const RESPONSES = 200;
const ROUNDS = 15;
const WARM_UP = 3;

/** The frames, emitted after the subscriber is in place (as a socket's arrive), each decoded by one decoder. */
const decoded = (frames: readonly Buffer[], dialect: Dialect) =>
  new Observable<ServerMessage>((subscriber) => {
    const decode = frameDecoder(dialect);
    const timer = setImmediate(() => {
      for (const frame of frames) {
        const result = decode(frame);
        subscriber.next(result._tag === 'Left' ? result.left : result.right);
      }
      subscriber.complete();
    });
    return () => clearImmediate(timer);
  });

type Stage = (frames: readonly Buffer[], dialect: Dialect) => Promise<number>;

/**
 * The user's split, `depth` levels of it: 1 `splitResponses()`, 2 and `splitContentParts()`, 3 and
 * `audioDeltas()`; each level with the `mergeMap` a user writes.
 */
const split =
  (depth: 1 | 2 | 3): OperatorFunction<ServerMessage, unknown> =>
  (events) => {
    const responses = events.pipe(splitResponses());
    if (depth === 1) return responses.pipe(mergeMap((r) => r));
    const parts = responses.pipe(mergeMap((r) => r.pipe(splitContentParts())));
    return depth === 2 ? parts.pipe(mergeMap((p) => p)) : parts.pipe(mergeMap((p) => p.pipe(audioDeltas())));
  };

const drained = (events: Observable<unknown>) =>
  lastValueFrom(events.pipe(ignoreElements()), { defaultValue: 0 });

const STAGES: readonly [name: string, run: Stage][] = [
  [
    'raw client: JSON.parse + Buffer.from(base64) of the audio',
    (frames) => {
      let bytes = 0;
      for (const frame of frames) {
        const e = JSON.parse(frame.toString()) as { type: string; delta?: string };
        if (e.type === 'response.audio.delta' || e.type === 'response.output_audio.delta')
          bytes += Buffer.from(e.delta!, 'base64').length;
      }
      return Promise.resolve(bytes);
    },
  ],
  [
    'floor: the delta strings copied out, the audio decoded, nothing parsed or checked',
    (frames, dialect) => {
      const { read, out } = floorReader(dialect);
      for (const frame of frames) read(frame);
      return Promise.resolve(out.bytes);
    },
  ],
  [
    'frameDecoder: every event decoded and validated, the audio decoded',
    (frames, dialect) => drained(decoded(frames, dialect)),
  ],
  [
    '+ share() with two subscribers',
    (frames, dialect) => {
      const events = decoded(frames, dialect).pipe(share());
      return drained(merge(events, events));
    },
  ],
  ['+ splitResponses() and mergeMap', (frames, dialect) => drained(decoded(frames, dialect).pipe(split(1)))],
  [
    '+ splitContentParts() and mergeMap',
    (frames, dialect) => drained(decoded(frames, dialect).pipe(split(2))),
  ],
  ['+ audioDeltas()', (frames, dialect) => drained(decoded(frames, dialect).pipe(split(3)))],
  [
    'the full pipeline (shared, transcriptDeltas beside it)',
    async (frames, dialect) => {
      let bytes = 0;
      const events = decoded(frames, dialect).pipe(share());
      await drained(
        merge(
          events.pipe(
            split(3),
            tap((pcm) => (bytes += (pcm as Uint8Array).byteLength)),
          ),
          events.pipe(transcriptDeltas()),
        ),
      );
      return bytes;
    },
  ],
];

export interface StageRow {
  readonly name: string;
  readonly value: string;
  readonly details: string;
}

/** Per dialect, each stage's median time for one burst, as a share of the full pipeline's and against raw. */
export async function benchStages(): Promise<StageRow[]> {
  const rows: StageRow[] = [];
  for (const dialect of ['preview', 'ga'] as const) {
    const frames: Buffer[] = [];
    for (let n = 0; n < RESPONSES; n++)
      for (const f of responseFrames(dialect, n)) frames.push(Buffer.from(f));
    const times = STAGES.map((): number[] => []);
    for (let round = 0; round < WARM_UP + ROUNDS; round++) {
      for (let i = 0; i < STAGES.length; i++) {
        const started = performance.now();
        await STAGES[i]![1](frames, dialect);
        if (round >= WARM_UP) times[i]!.push(performance.now() - started);
      }
    }
    const medians = times.map((t) => [...t].sort((a, b) => a - b)[t.length >> 1]!);
    const raw = medians[0]!;
    const full = medians.at(-1)!;
    STAGES.forEach(([name], i) => {
      rows.push({
        name: `in process, one burst: ${name} (${dialect})`,
        value: `${((medians[i]! / full) * 100).toFixed(0)} % of the full pipeline; ${(raw / medians[i]!).toFixed(2)}× raw`,
        details: `${ROUNDS} rounds, median; ${frames.length} frames, no socket`,
      });
    });
  }
  return rows;
}
