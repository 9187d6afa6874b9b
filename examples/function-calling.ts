/**
 * A tool the model calls, answered through the operators: `functionCalls()` gives each finished call with its
 * arguments parsed, the handler runs, `functionCallOutput()` turns its result into the output item and the
 * follow-up `response.create`, and the model's final answer streams out.
 *
 *   npx tsx examples/function-calling.ts [--dialect preview|ga] [--city Paris]
 *
 * On the emulator the first reply is scripted to call the tool (the emulator has no model); on Azure the
 * model decides by itself from the tool's description.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Subject,
  concat,
  from,
  lastValueFrom,
  merge,
  of,
  share,
  take,
  takeUntil,
  tap,
  ignoreElements,
  concatMap,
  filter,
} from 'rxjs';
import {
  connect,
  functionCallOutput,
  functionCalls,
  ofType,
  sessionUpdate,
  textDeltas,
  type ClientEvent,
  type SessionConfig,
} from 'rx-realtime';
import { targetFromEnv } from 'rx-realtime/testing';

const getWeather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** The tool itself: a stand-in weather service. */
async function weather(city: string) {
  return { city, temperature_c: 21, sky: 'clear' };
}

export async function functionCalling(
  argv = process.argv.slice(2),
): Promise<{ calls: string[]; answer: string }> {
  const { values: a } = parseArgs({
    args: argv,
    options: { dialect: { type: 'string', default: 'preview' }, city: { type: 'string', default: 'Paris' } },
  });
  const { dialect, city } = a;
  if (dialect !== 'preview' && dialect !== 'ga')
    throw new Error(`--dialect is preview or ga, not ${dialect}`);
  const target = await targetFromEnv({
    dialect,
    emulator: { pace: 'fast', reply: [{ functionCall: { name: 'get_weather', arguments: { city } } }] },
  });
  process.stderr.write(`→ talking to ${target.description}\n`);

  // text only, manual turns (no audio here), and the tool the model may call
  const config: SessionConfig = {
    outputModalities: ['text'],
    turnDetection: null,
    tools: [getWeather],
    toolChoice: 'auto',
  };

  const toolResults = new Subject<ClientEvent>();
  const client$ = merge(
    from<ClientEvent[]>([
      sessionUpdate(config, dialect),
      {
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: `What is the weather in ${city}?` }],
        },
      },
      { type: 'response.create' },
    ]),
    toolResults,
  );
  const server$ = connect(target.options)(client$).pipe(share());
  const calls: string[] = [];
  let answer = '';
  // the second response (after the tool's output) is the answer: stop at its response.done
  const finished$ = server$.pipe(
    ofType('response.done'),
    filter(() => calls.length > 0 && answer !== ''),
    take(1),
  );
  const work$ = merge(
    server$.pipe(
      functionCalls(),
      concatMap(async (call) => {
        if (!call.ok)
          return functionCallOutput(call, { error: `arguments are not JSON: ${call.parseError}` });
        calls.push(`${call.name}(${call.rawArguments})`);
        process.stderr.write(`→ the model calls ${call.name}(${call.rawArguments})\n`);
        const { city: asked } = call.arguments as { city: string };
        return functionCallOutput(call, await weather(asked));
      }),
      tap((events) => events.forEach((e) => toolResults.next(e))),
    ),
    server$.pipe(
      textDeltas(),
      tap((d) => {
        answer += d;
        process.stdout.write(d);
      }),
    ),
  ).pipe(ignoreElements(), takeUntil(finished$));
  try {
    await lastValueFrom(concat(work$, of(undefined)));
  } finally {
    toolResults.complete();
    await target.close();
  }
  process.stdout.write('\n');
  return { calls, answer };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  functionCalling().catch((err: unknown) => {
    process.stderr.write(`function-calling failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
