/**
 * Transcription only: stream a sound file to a transcription session (`intent=transcription`) and print each
 * user turn's transcript as it completes. No response is ever asked for or sent.
 *
 *   npx tsx examples/transcribe.ts [file.wav] [--dialect preview|ga] [--model gpt-4o-transcribe] [--fast]
 *
 * stdout: one line per transcribed turn. stderr: where it talks to, and failures.
 *
 * Azure when AZURE_OPENAI_ENDPOINT is set (with AZURE_OPENAI_DEPLOYMENT, the realtime deployment, and
 * AZURE_OPENAI_API_KEY or Entra ID), OpenAI when OPENAI_API_KEY is; otherwise the rx-realtime emulator in-process
 * (`targetFromEnv`), whose transcriber says how much speech it heard instead of transcribing it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { concat, ignoreElements, lastValueFrom, map, merge, of, scan, share, takeWhile, tap } from 'rxjs';
import { audioAppends, connect, ofType, toPcm16Mono24k, type ClientEvent, type Dialect } from 'rx-realtime';
import { targetFromEnv } from 'rx-realtime/testing';

const defaultFile = fileURLToPath(new URL('../test/fixtures/audio/two-turns.wav', import.meta.url));

/** The transcription session's settings, in its dialect's event (protocol README §5). */
function transcriptionUpdate(dialect: Dialect, model: string): ClientEvent {
  const transcription = { model };
  const turn_detection = { type: 'server_vad', silence_duration_ms: 500 };
  return (
    dialect === 'preview'
      ? {
          type: 'transcription_session.update',
          session: { input_audio_transcription: transcription, turn_detection },
        }
      : {
          type: 'session.update',
          session: { type: 'transcription', audio: { input: { transcription, turn_detection } } },
        }
  ) as ClientEvent;
}

/** Streams `argv`'s file (default: two spoken turns) and resolves with the transcripts, in turn order. */
export async function transcribe(
  argv = process.argv.slice(2),
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  env = process.env,
): Promise<string[]> {
  const { values: a, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dialect: { type: 'string', default: 'preview' },
      model: { type: 'string', default: 'gpt-4o-transcribe' },
      fast: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0] ?? defaultFile;
  const { dialect, fast } = a;
  if (dialect !== 'preview' && dialect !== 'ga')
    throw new Error(`--dialect is preview or ga, not ${dialect}`);

  const target = await targetFromEnv({ dialect, emulator: { pace: fast ? 'fast' : 'realtime' } }, env);
  process.stderr.write(`→ transcribing ${file} with ${target.description}\n`);

  const pcm = toPcm16Mono24k(readFileSync(file));
  const client$ = concat(
    of(transcriptionUpdate(dialect, a.model)),
    audioAppends(pcm, { pace: fast ? 'fast' : 'realtime' }),
    // after the last audio: a clear, whose answer says every turn of the file has been committed
    of<ClientEvent>({ type: 'input_audio_buffer.clear' }),
  );
  const server$ = connect({ ...target.options, intent: 'transcription' })(client$).pipe(share());

  const transcripts: string[] = [];
  // done when the clear was answered and every committed turn has its transcript (or its failure)
  const progress$ = merge(
    server$.pipe(
      ofType('input_audio_buffer.committed'),
      map(() => ({ committed: 1, finished: 0, cleared: false })),
    ),
    server$.pipe(
      ofType(
        'conversation.item.input_audio_transcription.completed',
        'conversation.item.input_audio_transcription.failed',
      ),
      tap((e) => {
        if (e.type === 'conversation.item.input_audio_transcription.completed') {
          transcripts.push(e.transcript);
          out(e.transcript);
        } else process.stderr.write(`! transcription failed: ${e.error.message}\n`);
      }),
      map(() => ({ committed: 0, finished: 1, cleared: false })),
    ),
    server$.pipe(
      ofType('input_audio_buffer.cleared'),
      map(() => ({ committed: 0, finished: 0, cleared: true })),
    ),
    server$.pipe(
      ofType('error'),
      tap((e) => process.stderr.write(`! ${e.error.code ?? e.error.type}: ${e.error.message}\n`)),
      ignoreElements(),
    ),
  ).pipe(
    scan((a, d) => ({
      committed: a.committed + d.committed,
      finished: a.finished + d.finished,
      cleared: a.cleared || d.cleared,
    })),
    takeWhile((a) => !(a.cleared && a.finished >= a.committed), true),
  );
  try {
    await lastValueFrom(progress$, { defaultValue: undefined });
    return transcripts;
  } finally {
    await target.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  transcribe().catch((err: unknown) => {
    process.stderr.write(`transcribe failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
