/**
 * The main job: stream a sound file to the Realtime API at real-time pace, and its spoken answer to stdout.
 *
 *   npx tsx examples/stream-file.ts [--file question.wav] [--out reply.wav] [--dialect preview|ga]
 *        [--api-version 2025-04-01-preview] [--voice alloy] [--instructions "…"] [--text-only] [--fast]
 *
 * stdout: the reply as raw PCM16, 24 kHz, mono (pipe it to `play -t raw -r 24000 -e signed -b 16 -c 1 -` or
 * `aplay -f S16_LE -r 24000 -c 1`). When stdout is a terminal, or with `--out`, it writes a WAV file instead.
 * stderr: where it talks to, upload progress, who is speaking, the transcript as it streams, and latencies.
 *
 * Without AZURE_OPENAI_ENDPOINT it starts the rx-realtime emulator in-process and says so.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { concat, merge, of, share, skip, take, takeUntil, tap, ignoreElements, lastValueFrom } from 'rxjs';
import {
  assistantSpeaking,
  audioAppends,
  audioDeltas,
  isDecodeFailure,
  ofType,
  textDeltas,
  toPcm16Mono24k,
  transcriptDeltas,
  userSpeaking,
  writeAudio,
  writeWav,
  type Dialect,
} from 'rx-realtime';
import { args, sessionUpdate, target } from './support';

const defaultFile = fileURLToPath(new URL('../test/fixtures/audio/hello.wav', import.meta.url));

export interface StreamFileResult {
  readonly audioBytes: number;
  readonly transcript: string;
  readonly speechEndToFirstAudioMs: number | undefined;
}

export async function streamFile(argv = process.argv.slice(2)): Promise<StreamFileResult> {
  const a = args(argv);
  const dialect = (a.get('dialect') === 'ga' ? 'ga' : 'preview') as Dialect;
  const file = typeof a.get('file') === 'string' ? (a.get('file') as string) : defaultFile;
  const outPath = typeof a.get('out') === 'string' ? (a.get('out') as string) : undefined;
  const toStdout = outPath === undefined && !process.stdout.isTTY;
  const wavPath = outPath ?? (toStdout ? undefined : 'reply.wav');
  const textOnly = a.get('text-only') === true;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const pcm = toPcm16Mono24k(readFileSync(file));
  const seconds = (bytes: number) => (bytes / 48000).toFixed(1);
  const where = await target({
    dialect,
    apiVersion: typeof a.get('api-version') === 'string' ? (a.get('api-version') as string) : undefined,
    emulatorPace: a.get('fast') === true ? 'fast' : 'realtime',
  });
  log(`→ talking to ${where.description}`);
  log(
    `→ streaming ${file} (${seconds(pcm.byteLength)} s) at ${a.get('fast') ? 'full speed' : 'real-time pace'}`,
  );

  let sent = 0;
  const client$ = concat(
    of(
      sessionUpdate(dialect, {
        instructions:
          typeof a.get('instructions') === 'string' ? (a.get('instructions') as string) : undefined,
        voice: typeof a.get('voice') === 'string' ? (a.get('voice') as string) : undefined,
        textOnly,
      }),
    ),
    audioAppends(pcm, { pace: a.get('fast') ? 'fast' : 'realtime' }).pipe(
      tap(() => {
        sent = Math.min(pcm.byteLength, sent + 4800);
        if (sent % 48000 === 0 || sent === pcm.byteLength)
          log(`↑ ${seconds(sent)} / ${seconds(pcm.byteLength)} s sent`);
      }),
    ),
  );

  const server$ = where.realtime(client$).pipe(share());
  const chunks: Uint8Array[] = [];
  let audioBytes = 0;
  let transcript = '';
  let speechEnd: number | undefined;
  let firstAudio: number | undefined;
  const done$ = server$.pipe(ofType('response.done'), take(1));

  const work$ = merge(
    server$.pipe(
      tap((e) => {
        if (isDecodeFailure(e)) log(`! undecodable frame: ${e.message}`);
        else if (e.type === 'error')
          log(`! server error: ${e.error.code ?? e.error.type}: ${e.error.message}`);
        else if (e.type === 'input_audio_buffer.speech_stopped') speechEnd = performance.now();
      }),
    ),
    server$.pipe(
      audioDeltas(),
      tap((bytes) => {
        firstAudio ??= performance.now();
        audioBytes += bytes.byteLength;
        if (!toStdout) chunks.push(bytes);
      }),
      toStdout ? writeAudio(process.stdout) : tap(),
    ),
    server$.pipe(
      textOnly ? textDeltas() : transcriptDeltas(),
      tap((delta) => {
        if (transcript === '') process.stderr.write('assistant: ');
        transcript += delta;
        process.stderr.write(delta);
      }),
    ),
    server$.pipe(
      userSpeaking(),
      skip(1), // the initial `false`
      tap((speaking) => log(speaking ? '● user speaking' : '○ user stopped')),
    ),
    server$.pipe(
      assistantSpeaking(),
      skip(1),
      tap((speaking) => log(speaking ? '● assistant speaking' : '\n○ assistant stopped')),
    ),
  ).pipe(ignoreElements(), takeUntil(done$));

  try {
    await lastValueFrom(work$, { defaultValue: undefined });
  } finally {
    await where.close();
  }
  const latency = speechEnd !== undefined && firstAudio !== undefined ? firstAudio - speechEnd : undefined;
  if (wavPath) {
    const joined = new Uint8Array(audioBytes);
    let offset = 0;
    for (const c of chunks) {
      joined.set(c, offset);
      offset += c.byteLength;
    }
    writeFileSync(wavPath, writeWav(joined));
    log(`→ wrote ${wavPath}`);
  }
  log(
    `done: ${seconds(audioBytes)} s of reply audio (${audioBytes} bytes), ` +
      `speech end → first audio ${latency === undefined ? 'n/a' : `${Math.round(latency)} ms`}`,
  );
  return { audioBytes, transcript, speechEndToFirstAudioMs: latency };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  streamFile().catch((err: unknown) => {
    process.stderr.write(`stream-file failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
