/**
 * `rx-realtime replay <file.jsonl>`: plays a recording's server events through an emulator in replay mode, over a
 * real socket, and through the operators a user's pipeline would use; prints what the session held (responses,
 * their status, tokens and transcripts, audio, errors, frames that did not decode) and writes the audio.
 */
import { readFileSync } from 'node:fs';
import { NEVER, ignoreElements, lastValueFrom, merge, share, tap } from 'rxjs';
import { connect } from '../client/connect';
import { EVENT_NAMES, isDecodeFailure, type Dialect, type ServerMessage } from '../protocol';
import { audioDeltas } from '../operators/audioDeltas';
import { splitResponses } from '../operators/splitResponses';
import { startEmulator } from '../testing/emulator';
import { bool, str, type CommandSpec, type Parsed } from './args';
import type { Output } from './output';
import { readRecording } from './recording';
import { SettingsError } from './target';
import { WavFile } from './wavFile';

export const replaySpec: CommandSpec = {
  name: 'replay',
  brief: 'replay <file.jsonl>: a recording through the operators, with a summary',
  usage: 'replay <file.jsonl> [options]',
  summary:
    "Replays a recording's server events (from `rx-realtime record`, or one server event per line) through the\noperators, over a real socket to an emulator in replay mode, and prints a summary.",
  flags: {
    out: { type: 'string', value: 'file.wav', description: "write the recording's reply audio" },
    dialect: {
      type: 'string',
      description: "the recording's dialect (default: guessed from its event names)",
      choices: ['preview', 'ga'],
    },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  positionals: [1, 1],
};

export interface ResponseSummary {
  readonly id: string;
  readonly status: string | undefined;
  readonly transcript: string;
  readonly audioMs: number;
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
}

export interface ReplaySummary {
  readonly file: string;
  readonly dialect: Dialect;
  readonly serverEvents: number;
  readonly clientEvents: number;
  readonly responses: readonly ResponseSummary[];
  readonly audioMs: number;
  readonly serverErrors: number;
  readonly decodeFailures: number;
}

const GA_ONLY = new Set(
  Object.values(EVENT_NAMES)
    .map((n) => n.ga)
    .filter((ga) => !Object.values(EVENT_NAMES).some((n) => n.preview === ga)),
);

/** `ga` when a frame has a GA-only event name, else `preview`. */
export function guessDialect(frames: readonly string[]): Dialect {
  for (const f of frames) {
    const m = /"type"\s*:\s*"([^"]+)"/.exec(f);
    if (m && GA_ONLY.has(m[1]!)) return 'ga';
  }
  return 'preview';
}

export async function replay(parsed: Parsed, output: Output): Promise<ReplaySummary> {
  const file = parsed.positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SettingsError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const recording = readRecording(text);
  if (recording.serverFrames.length === 0) throw new SettingsError(`${file} holds no server event`);
  const dialect = (str(parsed, 'dialect') as Dialect | undefined) ?? guessDialect(recording.serverFrames);
  const emulator = await startEmulator({ replay: recording.serverFrames, pace: 'fast', dialect });
  output.secret(emulator.apiKey);
  const wavPath = str(parsed, 'out');
  const wav = wavPath ? new WavFile(wavPath) : undefined;
  const responses: ResponseSummary[] = [];
  let serverEvents = 0;
  let serverErrors = 0;
  let decodeFailures = 0;
  let audioBytes = 0;
  try {
    const server$ = connect({
      endpoint: emulator.endpoint,
      deployment: 'replay',
      dialect,
      apiKey: emulator.apiKey,
      // a recording may start anywhere (a corpus file often starts at response.created)
      sessionCreatedTimeoutMs: 0,
    })(NEVER).pipe(share());
    const perResponse$ = server$.pipe(
      splitResponses(),
      tap((response$) => {
        const summary = {
          id: response$.responseId,
          status: undefined as string | undefined,
          transcript: '',
          audioMs: 0,
          inputTokens: undefined as number | undefined,
          outputTokens: undefined as number | undefined,
        };
        let bytes = 0;
        merge(
          response$.pipe(
            tap((e: ServerMessage) => {
              if (
                e.type === 'response.audio_transcript.delta' ||
                e.type === 'response.output_audio_transcript.delta' ||
                e.type === 'response.text.delta' ||
                e.type === 'response.output_text.delta'
              )
                summary.transcript += (e as { delta: string }).delta;
              if (e.type === 'response.done') {
                const r = (
                  e as {
                    response: {
                      status?: string | undefined;
                      usage?: { input_tokens?: number; output_tokens?: number } | null | undefined;
                    };
                  }
                ).response;
                summary.status = r.status;
                summary.inputTokens = r.usage?.input_tokens;
                summary.outputTokens = r.usage?.output_tokens;
              }
            }),
          ),
          response$.pipe(
            audioDeltas(),
            tap((b) => (bytes += b.byteLength)),
          ),
        ).subscribe({
          complete: () => responses.push({ ...summary, audioMs: Math.round(bytes / 48) }),
          error: () =>
            responses.push({
              ...summary,
              status: summary.status ?? 'incomplete',
              audioMs: Math.round(bytes / 48),
            }),
        });
      }),
    );
    await lastValueFrom(
      merge(
        server$.pipe(
          tap((e) => {
            if (isDecodeFailure(e)) decodeFailures++;
            else {
              serverEvents++;
              if (e.type === 'error') serverErrors++;
            }
          }),
        ),
        server$.pipe(
          audioDeltas(),
          tap((b) => {
            audioBytes += b.byteLength;
            wav?.write(b);
          }),
        ),
        perResponse$,
      ).pipe(ignoreElements()),
      { defaultValue: undefined },
    );
  } finally {
    wav?.close();
    await emulator.close();
  }
  const summary: ReplaySummary = {
    file,
    dialect,
    serverEvents,
    clientEvents: recording.clientEvents,
    responses,
    audioMs: Math.round(audioBytes / 48),
    serverErrors,
    decodeFailures,
  };
  if (bool(parsed, 'json')) output.out(JSON.stringify(summary));
  else {
    output.out(
      `${file}: ${serverEvents} server events (${recording.clientEvents} client events not replayed), ${dialect} dialect`,
    );
    for (const r of responses) {
      const tokens =
        r.inputTokens !== undefined ? `, tokens in ${r.inputTokens} / out ${r.outputTokens ?? 0}` : '';
      output.out(
        `response ${r.id}: ${r.status ?? 'no response.done'}, ${(r.audioMs / 1000).toFixed(1)} s audio${tokens}`,
      );
      if (r.transcript) output.out(`  assistant: ${r.transcript}`);
    }
    output.out(
      `${(summary.audioMs / 1000).toFixed(1)} s of audio, ${serverErrors} server errors, ${decodeFailures} undecodable frames`,
    );
    if (wav) output.log(`→ wrote ${wav.path}`);
  }
  return summary;
}
