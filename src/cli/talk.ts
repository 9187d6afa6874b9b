/**
 * `rx-realtime talk <file.wav>` (and `record`): streams a sound file to the service at real-time pace, shows who is
 * speaking and the upload's progress on stderr, prints the assistant's transcript on stdout a whole line at a time,
 * and writes the reply WAV; with a recorder, every server and client event goes to a JSONL file as well.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  concat,
  defer,
  filter,
  ignoreElements,
  lastValueFrom,
  merge,
  of,
  share,
  skip,
  take,
  takeUntil,
  tap,
  timer,
} from 'rxjs';
import { map } from 'rxjs/operators';
import { toPcm16Mono24k } from '../audio/wav';
import { connect } from '../client/connect';
import type { ClientEvent, ServerMessage } from '../protocol';
import { isDecodeFailure } from '../protocol';
import { assistantSpeaking } from '../operators/assistantSpeaking';
import { audioAppends } from '../operators/audioAppends';
import { audioDeltas } from '../operators/audioDeltas';
import { userSpeaking } from '../operators/userSpeaking';
import { bool, num, str, type CommandSpec, type Parsed } from './args';
import { bar, type Output } from './output';
import { Recorder } from './recording';
import { sessionUpdate } from './sessionConfig';
import { SettingsError, targetOf, type Env } from './target';
import { WavFile } from './wavFile';

const targetFlags = {
  dialect: {
    type: 'string',
    description: 'protocol dialect (default preview; ga for OpenAI)',
    choices: ['preview', 'ga'],
  },
  'api-version': {
    type: 'string',
    value: 'version',
    description: 'preview api-version (default 2025-04-01-preview)',
  },
} as const;

const sessionFlags = {
  ...targetFlags,
  voice: { type: 'string', value: 'name', description: 'the assistant voice (alloy, ash, …)' },
  instructions: { type: 'string', value: 'text', description: 'session instructions' },
  'text-only': { type: 'boolean', description: 'ask for a text reply, no audio' },
  fast: { type: 'boolean', description: 'send the file as fast as possible, not at real-time pace' },
  turns: { type: 'number', value: 'n', description: 'responses to wait for before ending (default 1)' },
  timeout: { type: 'number', value: 'seconds', description: 'give up after this long (default 120)' },
  json: { type: 'boolean', description: 'print a JSON summary on stdout instead of the transcript lines' },
} as const;

const ENV_HELP = `environment:
  AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT   an Azure OpenAI resource and deployment
  AZURE_OPENAI_API_KEY                             its key (without it: Microsoft Entra ID, npm install @azure/identity)
  AZURE_OPENAI_API_VERSION                         the preview api-version (optional)
  OPENAI_API_KEY, OPENAI_REALTIME_MODEL            OpenAI instead (model default gpt-realtime)
  none of these                                    an rx-realtime emulator started in this process`;

export const talkSpec: CommandSpec = {
  name: 'talk',
  brief: 'talk <file.wav>: stream a WAV, print the transcript, write the reply WAV',
  usage: 'talk <file.wav> [options]',
  summary:
    'Streams a WAV file (any rate, mono or stereo) to the Realtime API, prints the transcript of the reply on stdout\nand writes the reply audio as a 24 kHz WAV.',
  flags: {
    out: { type: 'string', value: 'file.wav', description: 'the reply audio (default reply.wav)' },
    transcript: { type: 'string', value: 'file.txt', description: 'also write the transcript to this file' },
    record: {
      type: 'string',
      value: 'file.jsonl',
      description: 'record every server and client event to JSONL',
    },
    ...sessionFlags,
  },
  positionals: [1, 1],
  details: ENV_HELP,
};

export const recordSpec: CommandSpec = {
  name: 'record',
  brief: 'record <file.wav> --out <file.jsonl>: a session to redacted JSONL',
  usage: 'record <file.wav> --out <file.jsonl> [options]',
  summary:
    'Records a session (talk with <file.wav> as the user) to redacted JSONL: server events one per line, client events\nwrapped as {"type":"rx-realtime.client_event","event":…}. `rx-realtime replay` and the emulator\'s replay mode read it.',
  flags: {
    out: { type: 'string', value: 'file.jsonl', description: 'the recording (required)' },
    wav: { type: 'string', value: 'file.wav', description: 'also write the reply audio' },
    transcript: { type: 'string', value: 'file.txt', description: 'also write the transcript to this file' },
    ...sessionFlags,
  },
  positionals: [1, 1],
  details: ENV_HELP,
};

export interface TalkResult {
  readonly audioMs: number;
  readonly transcript: string;
  readonly responses: number;
  readonly speechEndToFirstAudioMs: number | undefined;
}

/** 800 ms of silence after the file, so the server's VAD hears the end of the turn even when the file has none. */
const TRAILING_SILENCE_BYTES = 24000 * 2 * 0.8;

export async function talk(
  parsed: Parsed,
  env: Env,
  output: Output,
  mode: 'talk' | 'record',
): Promise<TalkResult> {
  const file = parsed.positionals[0]!;
  const wavOut = mode === 'talk' ? (str(parsed, 'out') ?? 'reply.wav') : str(parsed, 'wav');
  const recordTo = mode === 'talk' ? str(parsed, 'record') : str(parsed, 'out');
  if (mode === 'record' && !recordTo) throw new SettingsError('record needs --out <file.jsonl>');
  const turns = num(parsed, 'turns') ?? 1;
  if (!Number.isInteger(turns) || turns < 1) throw new SettingsError('--turns must be a whole number ≥ 1');
  const timeoutS = num(parsed, 'timeout') ?? 120;
  const fast = bool(parsed, 'fast');
  const json = bool(parsed, 'json');

  let pcm: Uint8Array;
  try {
    pcm = toPcm16Mono24k(new Uint8Array(readFileSync(file)));
  } catch (err) {
    throw new SettingsError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const padded = new Uint8Array(pcm.byteLength + TRAILING_SILENCE_BYTES);
  padded.set(pcm);

  const target = await targetOf(env, output, {
    dialect: str(parsed, 'dialect') as 'preview' | 'ga' | undefined,
    apiVersion: str(parsed, 'api-version'),
    emulator: { pace: fast ? 'fast' : 'realtime' },
  });
  const seconds = (bytes: number) => (bytes / 48000).toFixed(1);
  output.log(`→ talking to ${target.description}`);
  output.log(
    `→ streaming ${file} (${seconds(pcm.byteLength)} s) at ${fast ? 'full speed' : 'real-time pace'}`,
  );

  const recorder = recordTo ? new Recorder(recordTo, output) : undefined;
  const wav = wavOut ? new WavFile(wavOut) : undefined;
  let sent = 0;
  const client$ = concat(
    of(
      sessionUpdate(target.dialect, {
        instructions: str(parsed, 'instructions'),
        voice: str(parsed, 'voice'),
        textOnly: bool(parsed, 'text-only'),
      }),
    ),
    audioAppends(padded, { pace: fast ? 'fast' : 'realtime' }).pipe(
      tap(() => {
        if (sent === pcm.byteLength) return; // the trailing silence
        sent = Math.min(pcm.byteLength, sent + 4800);
        output.progress(
          `↑ ${bar(sent, pcm.byteLength)} ${seconds(sent)} / ${seconds(pcm.byteLength)} s sent`,
          sent === pcm.byteLength,
        );
      }),
    ),
  ).pipe(tap((e: ClientEvent) => recorder?.client(e)));

  const transcripts: string[] = [];
  let current = '';
  let responses = 0;
  let audioBytes = 0;
  let speechEnd: number | undefined;
  let firstAudio: number | undefined;
  // before share(): this runs before any subscriber sees the event (the end of the turn is one of them)
  const onEvent = (e: ServerMessage) => {
    recorder?.server(e);
    if (isDecodeFailure(e)) output.log(`! undecodable frame: ${e.message}`);
    else if (e.type === 'error')
      output.log(`! server error ${e.error.code ?? e.error.type}: ${e.error.message}`);
    else if (e.type === 'input_audio_buffer.speech_stopped') speechEnd ??= performance.now();
    else if (
      e.type === 'response.audio_transcript.delta' ||
      e.type === 'response.output_audio_transcript.delta' ||
      e.type === 'response.text.delta' ||
      e.type === 'response.output_text.delta'
    )
      current += (e as { delta: string }).delta;
    else if (e.type === 'response.done') {
      const status = (e as { response: { status?: string } }).response.status;
      if (status && status !== 'completed') output.log(`! response ${status}`);
      transcripts.push(current);
      // the transcript is written whole at each response's end, so no status line lands inside it
      if (!json && current) output.out(`assistant: ${current}`);
      current = '';
    }
  };
  const server$ = connect(target.options)(client$).pipe(tap(onEvent), share());
  const done$ = server$.pipe(
    filter((e) => e.type === 'response.done'),
    tap(() => responses++),
    skip(turns - 1),
    take(1),
  );
  const work$ = merge(
    server$.pipe(
      audioDeltas(),
      tap((bytes) => {
        firstAudio ??= performance.now();
        audioBytes += bytes.byteLength;
        wav?.write(bytes);
      }),
    ),
    server$.pipe(
      userSpeaking(),
      skip(1),
      map((s) => (s ? '● you: speaking' : '○ you: stopped')),
    ),
    server$.pipe(
      assistantSpeaking(),
      skip(1),
      map((s) => (s ? '● assistant: speaking' : '○ assistant: stopped')),
    ),
  ).pipe(
    tap((line) => {
      if (typeof line === 'string') output.log(output.dim(line));
    }),
    ignoreElements(),
    takeUntil(done$),
    takeUntil(
      defer(() => timer(timeoutS * 1000)).pipe(
        tap(() => {
          throw new TalkTimeout(`no ${turns > 1 ? `${turns} responses` : 'response'} within ${timeoutS} s`);
        }),
      ),
    ),
  );

  try {
    await lastValueFrom(work$, { defaultValue: undefined });
  } finally {
    wav?.close();
    recorder?.close();
    await target.close();
  }
  if (responses < turns)
    throw new SettingsError(`the connection ended after ${responses} of ${turns} response(s)`);
  const latency =
    speechEnd !== undefined && firstAudio !== undefined ? Math.round(firstAudio - speechEnd) : undefined;
  const transcript = transcripts.join('\n');
  const transcriptFile = str(parsed, 'transcript');
  if (transcriptFile) writeFileSync(transcriptFile, `${transcript}\n`);
  const audioMs = Math.round(audioBytes / 48);
  if (wav) output.log(`→ wrote ${wav.path} (${(audioMs / 1000).toFixed(1)} s of reply audio)`);
  if (recorder)
    output.log(
      `→ recorded ${recorder.serverEvents} server and ${recorder.clientEvents} client events to ${recorder.path}`,
    );
  output.log(
    `done: ${responses} response(s), speech end → first audio ${latency === undefined ? 'n/a' : `${latency} ms`}`,
  );
  const result = { audioMs, transcript, responses, speechEndToFirstAudioMs: latency };
  if (json) output.out(JSON.stringify({ ...result, out: wav?.path, recording: recorder?.path }));
  return result;
}

export class TalkTimeout extends Error {
  override readonly name = 'TalkTimeout';
}
