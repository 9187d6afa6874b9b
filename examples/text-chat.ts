/**
 * Text in, streamed text out: each line on stdin becomes a user message and a `response.create`; the answer
 * streams to stdout as it arrives. The next line waits for the previous answer's `response.done`.
 *
 *   npx tsx examples/text-chat.ts [--dialect preview|ga]
 *   echo "What is the capital of France?" | npx tsx examples/text-chat.ts
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Subject,
  concat,
  concatMap,
  defer,
  filter,
  from,
  ignoreElements,
  lastValueFrom,
  merge,
  of,
  share,
  take,
  takeUntil,
  tap,
  type Observable,
} from 'rxjs';
import {
  connect,
  ofType,
  sessionUpdate,
  textDeltas,
  type ClientEvent,
  type ServerMessage,
} from 'rx-realtime';
import { targetFromEnv } from 'rx-realtime/testing';

/** Chats over the given lines; resolves with the answers, one per line. */
export async function textChat(
  lines: AsyncIterable<string> | Iterable<string>,
  argv = process.argv.slice(2),
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<string[]> {
  const { dialect } = parseArgs({
    args: argv,
    options: { dialect: { type: 'string', default: 'preview' } },
  }).values;
  if (dialect !== 'preview' && dialect !== 'ga')
    throw new Error(`--dialect is preview or ga, not ${dialect}`);
  const target = await targetFromEnv({ dialect, emulator: { pace: 'fast' } });
  process.stderr.write(`→ talking to ${target.description}\n`);

  const answers: string[] = [];
  let current = '';
  const inputFinished = new Subject<void>();
  // `shared.server$` is read lazily (defer) by the client side: each turn waits for its own response.done before the
  // next line is sent, as a second response.create during a response is an error
  // (conversation_already_has_active_response, protocol README §6).
  const shared: { server$?: Observable<ServerMessage> } = {};
  const turns$ = defer(() =>
    from(lines as AsyncIterable<string>).pipe(
      filter((line) => line.trim().length > 0),
      concatMap((line) =>
        concat(
          from<ClientEvent[]>([
            {
              type: 'conversation.item.create',
              item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: line.trim() }] },
            },
            { type: 'response.create' },
          ]),
          shared.server$!.pipe(ofType('response.done'), take(1), ignoreElements()),
        ),
      ),
      tap({ complete: () => inputFinished.next() }),
    ),
  );
  // text only, and manual turns: each line is a message and a response.create
  const client$ = concat(
    of(sessionUpdate({ outputModalities: ['text'], turnDetection: null }, dialect)),
    turns$,
  );
  const events$ = connect(target.options)(client$).pipe(share());
  shared.server$ = events$;

  const work$ = merge(
    events$.pipe(
      textDeltas(),
      tap((delta) => {
        current += delta;
        out(delta);
      }),
    ),
    events$.pipe(
      ofType('response.done'),
      tap(() => {
        answers.push(current);
        current = '';
        out('\n');
      }),
    ),
  ).pipe(ignoreElements(), takeUntil(inputFinished));
  try {
    await lastValueFrom(work$, { defaultValue: undefined });
  } finally {
    await target.close();
  }
  return answers;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rl = createInterface({ input: process.stdin, terminal: false });
  textChat(rl).catch((err: unknown) => {
    process.stderr.write(`text-chat failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
