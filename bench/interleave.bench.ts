// Many sessions in one process, without sockets (issue 18): the same frames decoded and split by N sessions' own
// pipelines, one frame of each session in turn (as a service's event loop hands them over), against the raw
// client's JSON.parse + base64 on the same frames. The total is the same for every N (N sessions × R responses of
// 111 GA frames, N × R = 400), so what changes with N is only how many pipelines the frames are spread over: with
// one session its objects stay in the CPU's caches; with 400 every event walks another session's subscribers,
// closures and maps. This is the regime where the service benchmark finds rx-realtime's own work at 1.3–2.8× raw's
// while the burst benchmarks find its pipeline faster than JSON.parse.
import { Subject, ignoreElements, merge, mergeMap, share, tap, type Observable } from 'rxjs';
import { audioDeltas, splitContentParts, splitResponses, transcriptDeltas } from '../src/operators';
import { frameDecoder, takeDecodedAudio, type ServerEvent } from '../src/protocol';
import { responseFrames } from './decode.bench';
import { median, type Row } from './shared';

const TOTAL = 400; // responses in all, spread over the sessions

interface Sink {
  bytes: number;
  chars: number;
}

type Feed = (frame: Buffer) => void;

/** A session as a user writes it, fed decoded events (the socket left out). */
function rxSession(sink: Sink, pipeline: boolean): Feed {
  const decode = frameDecoder('ga');
  const input = new Subject<ServerEvent>();
  if (pipeline) {
    const server$: Observable<ServerEvent> = input.pipe(share());
    merge(
      server$.pipe(
        splitResponses(),
        mergeMap((r) => r.pipe(splitContentParts())),
        mergeMap((p) => p.pipe(audioDeltas())),
        tap((a) => (sink.bytes += a.byteLength)),
      ),
      server$.pipe(
        transcriptDeltas(),
        tap((t) => (sink.chars += t.length)),
      ),
    )
      .pipe(ignoreElements())
      .subscribe();
  }
  return (frame) => {
    const r = decode(frame);
    if (r._tag !== 'Right') return;
    if (pipeline) input.next(r.right);
    else sink.bytes += takeDecodedAudio(r.right)?.byteLength ?? 0; // the audio, as audioDeltas() takes it
  };
}

function rawSession(sink: Sink): Feed {
  return (frame) => {
    const e = JSON.parse(frame.toString()) as { type: string; delta?: string };
    if (e.type === 'response.output_audio.delta') sink.bytes += Buffer.from(e.delta!, 'base64').length;
    else if (e.type === 'response.output_audio_transcript.delta') sink.chars += e.delta!.length;
  };
}

/** µs per frame for one round: fresh sessions, then every frame, one session's at a time. */
function round(sessions: number, make: (sink: Sink) => Feed, frames: readonly (readonly Buffer[])[]): number {
  const sink = { bytes: 0, chars: 0 };
  const feeds = Array.from({ length: sessions }, () => make(sink));
  const t = performance.now();
  const length = frames[0]!.length;
  for (let i = 0; i < length; i++) for (let s = 0; s < sessions; s++) feeds[s]!(frames[s]![i]!);
  const us = ((performance.now() - t) * 1000) / (sessions * length);
  if (sink.bytes === 0) throw new Error('no audio came through');
  return us;
}

export async function benchInterleave(options: { rounds?: number } = {}): Promise<Row[]> {
  const rounds = options.rounds ?? 7;
  const rows: Row[] = [];
  let seq = 0;
  for (const sessions of [1, 20, 400]) {
    const responses = TOTAL / sessions;
    const base = Array.from({ length: responses }, (_, n) => responseFrames('ga', n, 50)).flat();
    // each session its own frames, event ids unique (as the service's are)
    const frames = Array.from({ length: sessions }, () =>
      base.map((f) =>
        Buffer.from(f.replace(/"event_id":"([^"]*)"/, (_, id: string) => `"event_id":"${id}_${seq++}"`)),
      ),
    );
    const clients: [string, (sink: Sink) => Feed][] = [
      ['raw: JSON.parse + base64', rawSession],
      ['rx-realtime: frameDecoder', (sink) => rxSession(sink, false)],
      ['rx-realtime: frameDecoder + the pipeline', (sink) => rxSession(sink, true)],
    ];
    const samples = clients.map(() => [] as number[]);
    round(sessions, rawSession, frames); // warm-up
    round(sessions, (sink) => rxSession(sink, true), frames);
    for (let r = 0; r < rounds; r++)
      for (let i = 0; i < clients.length; i++) {
        const k = (i + r) % clients.length;
        samples[k]!.push(round(sessions, clients[k]![1], frames));
      }
    const raw = samples[0]!;
    for (let i = 0; i < clients.length; i++) {
      const s = samples[i]!;
      const per = s.map((x, r) => raw[r]! / x);
      rows.push({
        name: `${sessions} sessions interleaved in process: ${clients[i]![0]} (throughput vs raw)`,
        ratio: median(per),
        min: Math.min(...per),
        max: Math.max(...per),
        details: `${median(s).toFixed(2)} µs a frame (median of ${rounds} rounds); ${responses} responses a session`,
      });
    }
  }
  return rows;
}
