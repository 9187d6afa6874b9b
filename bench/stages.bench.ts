// Where the pipeline's time goes, in this process and without a socket: one burst (200 responses) of frames as
// bytes, read by each stage of the user's pipeline in turn, interleaved round by round. The socket benchmark
// (pipeline.bench.ts) gives the ratios that count; this one says which stage costs what, so that the next change
// is aimed at the right place. Shares only: absolute numbers do not carry between runs.
import { Observable, ignoreElements, lastValueFrom, merge, mergeMap, share, tap } from 'rxjs';
import { audioDeltas, splitContentParts, splitResponses, transcriptDeltas } from '../src/operators';
import { frameDecoder, type Dialect, type ServerMessage } from '../src/protocol';
import { responseFrames } from './decode.bench';

const RESPONSES = 200;
const ROUNDS = 15;
const WARM_UP = 3;

/** `Buffer`'s own methods, as the floor uses them (see pipeline.bench.ts `floor`). */
interface Own {
  latin1Slice(start: number, end: number): string;
  base64Write(text: string, offset: number, length: number): number;
}

const DELTA_KEY = Buffer.from('"delta":"');

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
    (frames) => {
      let bytes = 0;
      let slab = Buffer.allocUnsafe(65536);
      let used = 0;
      for (const frame of frames) {
        const at = frame.indexOf(DELTA_KEY);
        if (at < 0) continue;
        const start = at + DELTA_KEY.length;
        const end = frame.indexOf(0x22, start);
        const text = (frame as unknown as Own).latin1Slice(start, end);
        if (end - start < 1000) continue; // a transcript delta: the string is all it needs
        const n = ((end - start) * 3) >> 2;
        if (slab.length - used < n) {
          slab = Buffer.allocUnsafe(65536);
          used = 0;
        }
        bytes += (slab as unknown as Own).base64Write(text, used, n);
        used += (n + 7) & ~7;
      }
      return Promise.resolve(bytes);
    },
  ],
  [
    'frameDecoder: every event decoded and validated, the audio decoded',
    (frames, dialect) => lastValueFrom(decoded(frames, dialect).pipe(ignoreElements()), { defaultValue: 0 }),
  ],
  [
    '+ share() with two subscribers',
    (frames, dialect) => {
      const events = decoded(frames, dialect).pipe(share());
      return lastValueFrom(merge(events, events).pipe(ignoreElements()), { defaultValue: 0 });
    },
  ],
  [
    '+ splitResponses() and mergeMap',
    (frames, dialect) =>
      lastValueFrom(
        decoded(frames, dialect).pipe(
          splitResponses(),
          mergeMap((r) => r),
          ignoreElements(),
        ),
        { defaultValue: 0 },
      ),
  ],
  [
    '+ splitContentParts() and mergeMap',
    (frames, dialect) =>
      lastValueFrom(
        decoded(frames, dialect).pipe(
          splitResponses(),
          mergeMap((r) => r.pipe(splitContentParts())),
          mergeMap((p) => p),
          ignoreElements(),
        ),
        { defaultValue: 0 },
      ),
  ],
  [
    '+ audioDeltas()',
    (frames, dialect) =>
      lastValueFrom(
        decoded(frames, dialect).pipe(
          splitResponses(),
          mergeMap((r) => r.pipe(splitContentParts())),
          mergeMap((p) => p.pipe(audioDeltas())),
          ignoreElements(),
        ),
        { defaultValue: 0 },
      ),
  ],
  [
    'the full pipeline (shared, transcriptDeltas beside it)',
    async (frames, dialect) => {
      let bytes = 0;
      const events = decoded(frames, dialect).pipe(share());
      await lastValueFrom(
        merge(
          events.pipe(
            splitResponses(),
            mergeMap((r) => r.pipe(splitContentParts())),
            mergeMap((p) => p.pipe(audioDeltas())),
            tap((pcm) => (bytes += pcm.byteLength)),
          ),
          events.pipe(transcriptDeltas()),
        ).pipe(ignoreElements()),
        { defaultValue: undefined },
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
