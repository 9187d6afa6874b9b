/**
 * A small Node service composing pipelines: several concurrent sessions, each streaming speech in and handling
 * every response as its own stream (collected audio and transcript per content part), with the speaking states
 * of both sides; SIGINT shuts everything down cleanly (every socket closed with 1000, the emulator stopped).
 *
 *   npx tsx examples/pipeline-service.ts [--sessions 3] [--dialect preview|ga] [--file question.wav]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Subscription, concat, from, merge, mergeMap, of, share, map, skip, type Observable } from 'rxjs';
import {
  assistantSpeaking,
  audioAppends,
  collectAudio,
  connect,
  sessionUpdate,
  splitResponses,
  toPcm16Mono24k,
  userSpeaking,
  type Dialect,
  type SessionConfig,
} from 'rx-realtime';
import { targetFromEnv } from 'rx-realtime/testing';

/** Speech in, speech out, the server's VAD ending each turn. */
const config: SessionConfig = {
  outputModalities: ['audio'],
  inputAudioFormat: 'pcm16',
  outputAudioFormat: 'pcm16',
  turnDetection: { type: 'server_vad', silenceDurationMs: 500 },
};

export interface ServiceEvent {
  readonly session: number;
  readonly kind: 'user' | 'assistant' | 'reply' | 'error';
  readonly text: string;
}

/**
 * Runs `sessions` concurrent sessions until `stop` resolves (or every session's audio was answered).
 * Resolves with what happened, in order.
 */
export async function runService(
  options: {
    sessions?: number;
    dialect?: Dialect;
    stop?: Promise<void>;
    pace?: 'realtime' | 'fast';
    /** The WAV every session streams. Default: the repository's hello.wav. */
    file?: string;
  } = {},
) {
  const count = options.sessions ?? 3;
  const dialect = options.dialect ?? 'preview';
  const target = await targetFromEnv({ dialect, emulator: { pace: options.pace ?? 'realtime' } });
  const log: ServiceEvent[] = [];
  const say = (e: ServiceEvent) => {
    log.push(e);
    process.stderr.write(`[session ${e.session}] ${e.kind}: ${e.text}\n`);
  };
  process.stderr.write(`→ ${count} sessions to ${target.description}\n`);
  const file = options.file ?? fileURLToPath(new URL('../test/fixtures/audio/hello.wav', import.meta.url));
  const pcm = toPcm16Mono24k(new Uint8Array(readFileSync(file)));

  const sessionPipeline = (n: number): Observable<ServiceEvent> => {
    const client$ = concat(
      of(sessionUpdate(config, dialect)),
      audioAppends(pcm, { pace: options.pace ?? 'realtime' }),
    );
    const server$ = connect(target.options)(client$).pipe(share());
    return merge(
      server$.pipe(
        userSpeaking(),
        skip(1),
        map((s): ServiceEvent => ({ session: n, kind: 'user', text: s ? 'speaking' : 'stopped' })),
      ),
      server$.pipe(
        assistantSpeaking(),
        skip(1),
        map((s): ServiceEvent => ({ session: n, kind: 'assistant', text: s ? 'speaking' : 'stopped' })),
      ),
      // one stream per response; inside it, one value per audio content part
      server$.pipe(
        splitResponses(),
        mergeMap((response) =>
          response.pipe(
            collectAudio(),
            map((part): ServiceEvent => ({
              session: n,
              kind: 'reply',
              text: `${response.responseId}: ${(part.audio.byteLength / 48000).toFixed(1)} s "${part.text}"`,
            })),
          ),
        ),
      ),
    );
  };

  const replies = new Set<number>();
  const subscription = new Subscription();
  await new Promise<void>((resolve) => {
    subscription.add(
      from(Array.from({ length: count }, (_, i) => i + 1))
        .pipe(mergeMap(sessionPipeline))
        .subscribe({
          next: (e) => {
            say(e);
            if (e.kind === 'reply') replies.add(e.session);
            if (replies.size === count) resolve();
          },
          error: (err: unknown) => {
            say({ session: 0, kind: 'error', text: String(err) });
            resolve();
          },
        }),
    );
    void options.stop?.then(resolve);
  });
  // Clean shutdown: unsubscribing closes every socket with 1000 and tears down every inner stream.
  subscription.unsubscribe();
  await target.close();
  return log;
}

/** The command line: `--sessions n`, `--dialect preview|ga`, `--file f.wav`; SIGINT stops. */
async function main() {
  const { values: a } = parseArgs({
    options: {
      sessions: { type: 'string', default: '3' },
      dialect: { type: 'string', default: 'preview' },
      file: { type: 'string' },
    },
  });
  const sessions = Number(a.sessions);
  if (!Number.isInteger(sessions) || sessions < 1) throw new Error(`--sessions is a whole number ≥ 1`);
  if (a.dialect !== 'preview' && a.dialect !== 'ga') throw new Error(`--dialect is preview or ga`);
  const stop = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await runService({ sessions, dialect: a.dialect, stop, ...(a.file ? { file: a.file } : {}) });
  process.stderr.write('→ all sessions closed\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`pipeline-service failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
