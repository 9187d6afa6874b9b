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
 * Azure OpenAI from AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT and AZURE_OPENAI_API_KEY (or Entra ID), OpenAI from
 * OPENAI_API_KEY; with neither it starts the rx-realtime emulator in-process and says so (`targetFromEnv`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { concat, merge, of, share, skip, take, takeUntil, tap, ignoreElements, lastValueFrom } from 'rxjs';
import {
  assistantSpeaking,
  audioAppends,
  connect,
  audioDeltas,
  isDecodeFailure,
  ofType,
  sessionUpdate,
  textDeltas,
  toPcm16Mono24k,
  transcriptDeltas,
  userSpeaking,
  writeAudio,
  writeWav,
  type SessionConfig,
  type VoiceConfig,
} from 'rx-realtime';
import { targetFromEnv } from 'rx-realtime/testing';

const defaultFile = fileURLToPath(new URL('../test/fixtures/audio/hello.wav', import.meta.url));

export interface StreamFileResult {
  readonly audioBytes: number;
  readonly transcript: string;
  readonly speechEndToFirstAudioMs: number | undefined;
}

export async function streamFile(
  argv = process.argv.slice(2),
  write: (text: string) => void = (text) => void process.stderr.write(text),
): Promise<StreamFileResult> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', default: defaultFile },
      out: { type: 'string' },
      dialect: { type: 'string', default: 'preview' },
      'api-version': { type: 'string' },
      voice: { type: 'string' },
      instructions: { type: 'string' },
      'text-only': { type: 'boolean', default: false },
      fast: { type: 'boolean', default: false },
    },
  });
  const dialect = a.dialect;
  if (dialect !== 'preview' && dialect !== 'ga')
    throw new Error(`--dialect is preview or ga, not ${dialect}`);
  const file = a.file;
  const textOnly = a['text-only'];
  // a text-only reply has no audio: no WAV, not even an empty one, and nothing on stdout
  const toStdout = a.out === undefined && !process.stdout.isTTY && !textOnly;
  const wavPath = textOnly ? undefined : (a.out ?? (toStdout ? undefined : 'reply.wav'));
  // stderr carries status lines and the transcript as it streams: a status line that comes while the assistant's
  // line is open waits for that line to end, so it never lands inside the assistant's words
  let lineOpen = false;
  const held: string[] = [];
  const log = (line: string) => (lineOpen ? held.push(line) : write(`${line}\n`));
  const say = (delta: string) => {
    if (!lineOpen) write('assistant: ');
    lineOpen = true;
    write(delta);
  };
  const endLine = () => {
    if (!lineOpen) return;
    write('\n');
    lineOpen = false;
    for (const line of held.splice(0)) write(`${line}\n`);
  };

  const pcm = toPcm16Mono24k(readFileSync(file));
  const seconds = (bytes: number) => (bytes / 48000).toFixed(1);
  // Azure or OpenAI when the environment says so, else an emulator started here
  const target = await targetFromEnv({
    dialect,
    apiVersion: a['api-version'],
    emulator: { pace: a.fast ? 'fast' : 'realtime' },
  });
  log(`→ talking to ${target.description}`);
  log(`→ streaming ${file} (${seconds(pcm.byteLength)} s) at ${a.fast ? 'full speed' : 'real-time pace'}`);

  const config: SessionConfig = {
    outputModalities: textOnly ? ['text'] : ['audio'],
    instructions: a.instructions,
    // a name the dialect does not have is refused by sessionUpdate with a SessionConfigError naming it
    voice: a.voice as VoiceConfig | undefined,
    inputAudioFormat: 'pcm16',
    outputAudioFormat: 'pcm16',
    turnDetection: { type: 'server_vad', silenceDurationMs: 500 },
  };

  let sent = 0;
  const client$ = concat(
    of(sessionUpdate(config, dialect)),
    audioAppends(pcm, { pace: a.fast ? 'fast' : 'realtime' }).pipe(
      tap(() => {
        sent = Math.min(pcm.byteLength, sent + 4800);
        if (sent % 48000 === 0 || sent === pcm.byteLength)
          log(`↑ ${seconds(sent)} / ${seconds(pcm.byteLength)} s sent`);
      }),
    ),
  );

  const server$ = connect(target.options)(client$).pipe(share());
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
        transcript += delta;
        say(delta);
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
      tap((speaking) => {
        if (!speaking) endLine();
        log(speaking ? '● assistant speaking' : '○ assistant stopped');
      }),
    ),
  ).pipe(ignoreElements(), takeUntil(done$));

  try {
    await lastValueFrom(work$, { defaultValue: undefined });
  } finally {
    await target.close();
  }
  endLine(); // a text reply has no "assistant stopped" to end its line
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
  if (textOnly && a.out !== undefined) log(`--text-only: the reply has no audio, so no ${a.out} was written`);
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
