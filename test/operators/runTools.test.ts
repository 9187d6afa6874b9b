import {
  filter,
  firstValueFrom,
  from,
  lastValueFrom,
  merge,
  NEVER,
  of,
  share,
  Subject,
  Subscription,
  take,
  tap,
  toArray,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  argumentsDone,
  callAdded,
  callDone,
  errorOutput,
  output,
  responseCreate,
  responseDone,
  type CallSpec,
} from '../../marbles/functionCallEvents';
import { legend } from '../../marbles/legend';
import { connect } from '../../src/client';
import { collectText, runTools, type Tools } from '../../src/operators';
import {
  sessionUpdate,
  userMessage,
  type ClientEvent,
  type ServerMessage,
  type SessionConfig,
} from '../../src/protocol';
import { startEmulator, type Reply } from '../../src/testing';
import { notKnown } from '../emulator/harness';
import { DIALECTS, testScheduler } from './helpers';

const paris: CallSpec = {
  responseId: 'resp_1',
  callId: 'call_1',
  name: 'get_weather',
  arguments: '{"city":"Paris"}',
};
const utc: CallSpec = {
  responseId: 'resp_1',
  callId: 'call_2',
  name: 'get_time',
  arguments: '{"zone":"UTC"}',
  outputIndex: 1,
};
const oslo: CallSpec = {
  responseId: 'resp_2',
  callId: 'call_3',
  name: 'get_weather',
  arguments: '{"city":"Oslo"}',
};
const badJson: CallSpec = {
  responseId: 'resp_1',
  callId: 'call_4',
  name: 'get_weather',
  arguments: '{"city": Paris',
  outputIndex: 2,
};
const rockets: CallSpec = {
  responseId: 'resp_1',
  callId: 'call_5',
  name: 'launch_rockets',
  arguments: '{}',
  outputIndex: 3,
};

const weather = (city: string) => ({ city, temperature: city === 'Paris' ? 21 : 3 });
const weatherJson = (city: string) => JSON.stringify(weather(city));
const syncTools: Tools = { get_weather: ({ city }) => weather(city), get_time: () => '12:00 UTC' };

/** The parse error JSON.parse gives for these arguments, as runTools quotes it. */
const parseError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('parsed');
};

describe.each(DIALECTS)('runTools (%s)', (dialect) => {
  const base = legend(dialect);
  // Local letters (the shared legend has no function calls): f/g call 1 added/arguments done, h/j call 2, F/G call
  // 3 (response 2), b/l a call with bad JSON, s/S a call of an unknown tool; d/D the legend's response.done of
  // responses 1/2; m response 1 cancelled (barge-in).
  const L: Record<string, ServerMessage> = {
    ...base,
    f: callAdded(dialect, paris),
    g: argumentsDone(dialect, paris),
    h: callAdded(dialect, utc),
    j: argumentsDone(dialect, utc),
    F: callAdded(dialect, oslo),
    G: argumentsDone(dialect, oslo),
    b: callAdded(dialect, badJson),
    l: argumentsDone(dialect, badJson),
    s: callAdded(dialect, rockets),
    S: argumentsDone(dialect, rockets),
    m: responseDone(dialect, 'resp_1', 'cancelled'),
  };

  describe('the marble checklist', () => {
    it('answers one call at its arguments.done, and sends the response.create at response.done', () => {
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const server = hot('-fg--d--|', L);
        expectObservable(server.pipe(runTools(syncTools))).toBe('--K--R--|', {
          K: output('call_1', weatherJson('Paris')),
          R: responseCreate,
        });
        expectSubscriptions(server.subscriptions).toBe('^-------!');
      });
    });

    it('sends ONE response.create after all calls of a response are answered, not one per call', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const server = hot('-fghj-d-------|', L);
        const time = cold('----(a|)', { a: '12:00 UTC' });
        const tools: Tools = { ...syncTools, get_time: () => time };
        expectObservable(server.pipe(runTools(tools))).toBe('--K-----(LR)--|', {
          K: output('call_1', weatherJson('Paris')),
          L: output('call_2', '12:00 UTC'),
          R: responseCreate,
        });
        // the handler starts at its arguments.done (frame 4), and is unsubscribed at its first value
        expectSubscriptions(time.subscriptions).toBe('----^---!');
      });
    });

    it('sends the outputs in the order of the calls: a fast answer waits behind a slow one', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const server = hot('-fghj-d-------|', L);
        const tools: Tools = {
          get_weather: ({ city }) => cold('-----(a|)', { a: weather(city) }),
          get_time: () => '12:00 UTC',
        };
        expectObservable(server.pipe(runTools(tools))).toBe('-------(KLR)--|', {
          K: output('call_1', weatherJson('Paris')),
          L: output('call_2', '12:00 UTC'),
          R: responseCreate,
        });
      });
    });

    it('answers a handler that throws, or whose Observable errors, with the error message', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const server = hot('-fghj-d-----|', L);
        const tools: Tools = {
          get_weather: () => {
            throw new Error('weather service down');
          },
          get_time: () => cold('--#', {}, new Error('clock broken')),
        };
        expectObservable(server.pipe(runTools(tools))).toBe('--K---(LR)--|', {
          K: errorOutput('call_1', 'weather service down'),
          L: errorOutput('call_2', 'clock broken'),
          R: responseCreate,
        });
      });
    });

    it('answers a handler whose Observable completes without a value with an error saying so', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const server = hot('-hj-d----|', L);
        const tools: Tools = { get_time: () => cold('---|') };
        expectObservable(server.pipe(runTools(tools))).toBe('-----(LR)|', {
          L: errorOutput('call_2', 'The tool get_time finished without a result.'),
          R: responseCreate,
        });
      });
    });

    it('answers arguments that are not JSON, and a tool it does not have, with an error output', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const server = hot('-bl-sS-d--|', L);
        expectObservable(server.pipe(runTools(syncTools))).toBe('--K--L-R--|', {
          K: errorOutput('call_4', `The arguments are not valid JSON: ${parseError(badJson.arguments)}`),
          L: errorOutput('call_5', 'Unknown tool: launch_rockets. The tools are: get_weather, get_time.'),
          R: responseCreate,
        });
      });
    });

    it('does not take Object.prototype names for tools', () => {
      const proto: CallSpec = { ...rockets, name: 'constructor' };
      testScheduler().run(({ hot, expectObservable }) => {
        const server = hot('-ab-d-|', {
          a: callAdded(dialect, proto),
          b: argumentsDone(dialect, proto),
          d: L['d']!,
        });
        expectObservable(server.pipe(runTools({ get_weather: syncTools['get_weather']! }))).toBe('--K-R-|', {
          K: errorOutput('call_5', 'Unknown tool: constructor. The tools are: get_weather.'),
          R: responseCreate,
        });
      });
    });

    it('keeps responses apart: a slow handler of one response never holds another response’s create', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const server = hot('-hj-FG-D-d------|', L);
        const tools: Tools = { ...syncTools, get_time: () => cold('--------(a|)', { a: '12:00 UTC' }) };
        expectObservable(server.pipe(runTools(tools))).toBe('-----K-R--(LR)--|', {
          K: output('call_3', weatherJson('Oslo')),
          L: output('call_2', '12:00 UTC'),
          R: responseCreate,
        });
      });
    });

    it.each(['cancelled', 'failed', 'incomplete'] as const)(
      'answers the calls of a %s response, but leaves the next response to the user (no create)',
      (status) => {
        testScheduler().run(({ hot, expectObservable }) => {
          const server = hot('-fg-m--|', { ...L, m: responseDone(dialect, 'resp_1', status) });
          expectObservable(server.pipe(runTools(syncTools))).toBe('--K----|', {
            K: output('call_1', weatherJson('Paris')),
          });
        });
      },
    );

    it('sends nothing for responses without calls, and passes other events, failures and unknown events by', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const server = hot('-coipatuxyqed-zkn-CD-|', L);
        expectObservable(server.pipe(runTools(syncTools))).toBe('---------------------|');
      });
    });

    it('answers the same call (one call_id) once', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const server = hot('-fgg-d-|', L);
        expectObservable(server.pipe(runTools(syncTools))).toBe('--K--R-|', {
          K: output('call_1', weatherJson('Paris')),
          R: responseCreate,
        });
      });
    });

    it('answers an Observable that emits synchronously at once', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const server = hot('-hj-d-|', L);
        expectObservable(server.pipe(runTools({ get_time: () => of('12:00 UTC', 'ignored') }))).toBe(
          '--L-R-|',
          {
            L: output('call_2', '12:00 UTC'),
            R: responseCreate,
          },
        );
      });
    });

    it('answers with an error output when a handler does not answer within timeoutMs', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const server = hot('-hj-d------|', L);
        expectObservable(server.pipe(runTools({ get_time: () => NEVER }, { timeoutMs: 5 }))).toBe(
          '-------(LR)|',
          {
            L: errorOutput('call_2', 'The tool get_time did not answer within 5 ms.'),
            R: responseCreate,
          },
        );
      });
    });

    it('never emits on a source that never emits, and completes with an empty one', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<ServerMessage>('-').pipe(runTools(syncTools))).toBe('-');
        expectObservable(cold<ServerMessage>('|').pipe(runTools(syncTools))).toBe('|');
      });
    });

    it('errors with the source, and unsubscribes the handlers still running', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const server = hot('-fghj--#', L);
        const time = cold('-----(a|)', { a: '12:00 UTC' });
        expectObservable(server.pipe(runTools({ ...syncTools, get_time: () => time }))).toBe('--K----#', {
          K: output('call_1', weatherJson('Paris')),
        });
        expectSubscriptions(time.subscriptions).toBe('----^--!');
      });
    });

    it('completes after the source once the running handlers have answered (no create without response.done)', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const server = hot('-hj-|', L);
        const tools: Tools = { get_time: () => cold('----(a|)', { a: '12:00 UTC' }) };
        expectObservable(server.pipe(runTools(tools))).toBe('------(L|)', {
          L: output('call_2', '12:00 UTC'),
        });
      });
    });

    it('unsubscribes the running handlers and the source when unsubscribed early', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const server = hot('-hj-------d--', L);
        const time = cold('--------(a|)', { a: '12:00 UTC' });
        expectObservable(server.pipe(runTools({ get_time: () => time })), '^----!').toBe('------');
        expectSubscriptions(time.subscriptions).toBe('--^--!');
        expectSubscriptions(server.subscriptions).toBe('^----!');
      });
    });
  });

  describe('Promise handlers and values', () => {
    const events = (...specs: CallSpec[]): ServerMessage[] => [
      ...specs.flatMap((c) => [callAdded(dialect, c), argumentsDone(dialect, c), callDone(dialect, c)]),
      responseDone(dialect, 'resp_1', 'completed'),
    ];

    it('waits for Promises, keeps the call order, and sends one create after the last one settles', async () => {
      let resolveWeather!: (v: unknown) => void;
      const tools: Tools = {
        get_weather: () => new Promise((resolve) => (resolveWeather = resolve)),
        get_time: async () => '12:00 UTC',
      };
      const out = lastValueFrom(from(events(paris, utc)).pipe(runTools(tools), toArray()));
      await new Promise((r) => setTimeout(r, 5));
      resolveWeather({ city: 'Paris', temperature: 21 });
      expect(await out).toEqual([
        output('call_1', weatherJson('Paris')),
        output('call_2', '12:00 UTC'),
        responseCreate,
      ]);
    });

    it('answers a rejected Promise with its message (an Error, a string, any value as JSON, or an empty Error by name)', async () => {
      const calls = ['get_weather', 'get_time', 'get_tide', 'get_moon'].map((name, i) => ({
        responseId: 'resp_1',
        callId: `call_${i}`,
        name,
        arguments: '{}',
        outputIndex: i,
      }));
      const tools: Tools = {
        get_weather: async () => {
          throw new Error('weather service down');
        },
        get_time: () => Promise.reject('clock broken'),
        get_tide: () => Promise.reject({ code: 42 }),
        get_moon: () => Promise.reject(new TypeError()),
      };
      expect(await lastValueFrom(from(events(...calls)).pipe(runTools(tools), toArray()))).toEqual([
        errorOutput('call_0', 'weather service down'),
        errorOutput('call_1', 'clock broken'),
        errorOutput('call_2', '{"code":42}'),
        errorOutput('call_3', 'TypeError'),
        responseCreate,
      ]);
    });

    it('sends a string as it is, undefined as null, and a value JSON cannot hold as an error output', async () => {
      const names = ['as_is', 'nothing', 'big', 'fn', 'object'];
      const calls = names.map((name, i) => ({
        responseId: 'resp_1',
        callId: `call_${i}`,
        name,
        arguments: '{}',
        outputIndex: i,
      }));
      const tools: Tools = {
        as_is: () => '{"not":"re-encoded"}',
        nothing: () => undefined,
        big: () => 10n,
        fn: () => () => 1,
        object: () => ({ nested: [1, 'two', null] }),
      };
      expect(await lastValueFrom(from(events(...calls)).pipe(runTools(tools), toArray()))).toEqual([
        output('call_0', '{"not":"re-encoded"}'),
        output('call_1', 'null'),
        errorOutput('call_2', "The tool's result is not JSON: Do not know how to serialize a BigInt"),
        errorOutput('call_3', "The tool's result is not JSON: a function."),
        output('call_4', '{"nested":[1,"two",null]}'),
        responseCreate,
      ]);
    });

    it('calls each handler with the parsed arguments and the call', async () => {
      const seen: unknown[] = [];
      const tools: Tools = {
        get_weather: (args, call) => {
          seen.push(args, { callId: call.callId, name: call.name, responseId: call.responseId });
          return 'ok';
        },
      };
      await lastValueFrom(from(events(paris)).pipe(runTools(tools), toArray()));
      expect(seen).toEqual([
        { city: 'Paris' },
        { callId: 'call_1', name: 'get_weather', responseId: 'resp_1' },
      ]);
    });

    it('tracks at most 64 responses with unanswered calls: the oldest is answered without its create', async () => {
      const server = new Subject<ServerMessage>();
      const sent: ClientEvent[] = [];
      const first = new Subject<string>();
      server
        .pipe(runTools({ get_time: (_args, call) => (call.responseId === 'resp_0' ? first : NEVER) }))
        .subscribe((e) => sent.push(e));
      for (let i = 0; i <= 64; i++) {
        const c: CallSpec = { ...utc, responseId: `resp_${i}`, callId: `call_${i}` };
        server.next(callAdded(dialect, c));
        server.next(argumentsDone(dialect, c));
        server.next(responseDone(dialect, `resp_${i}`, 'completed'));
      }
      first.next('12:00 UTC');
      expect(sent).toEqual([output('call_0', '12:00 UTC')]);
    });
  });
});

describe.each(DIALECTS)(
  'a weather tool agent, text in, against the emulator on a real socket (%s)',
  (dialect) => {
    const config = {
      instructions: 'Answer with the weather.',
      outputModalities: ['text'],
      turnDetection: null,
      tools: [
        {
          name: 'get_weather',
          description: 'The weather in a city.',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
    } as const;

    /**
     * One typed turn: sessionUpdate + userMessage, runTools fed back into the connection. Resolves after the second
     * response.done (the answer to the tool output) with what runTools sent, what the server sent, and the texts.
     */
    async function weatherAgent(
      replies: readonly Reply[],
      tools: Tools,
      more: SessionConfig = {},
      responses = 2,
    ) {
      const emulator = await startEmulator({ pace: 'fast', speech: 'builtin', reply: replies });
      const answers = new Subject<ClientEvent>();
      const sent: ClientEvent[] = [];
      const received: ServerMessage[] = [];
      const texts: string[] = [];
      const server$ = connect({
        endpoint: emulator.endpoint,
        deployment: 'test-deployment',
        dialect,
        apiKey: emulator.apiKey,
        pingIntervalMs: 0,
      })(
        merge(
          from([
            sessionUpdate({ ...config, ...more }, dialect),
            ...userMessage('What is the weather in Paris?'),
          ]),
          answers,
        ),
      ).pipe(share());
      const subs = new Subscription();
      const twoResponses = firstValueFrom(
        server$.pipe(
          tap((e) => received.push(e)),
          filter((e) => e.type === 'response.done'),
          take(responses),
          toArray(),
        ),
      );
      subs.add(
        server$.pipe(runTools(tools)).subscribe((e) => {
          sent.push(e);
          answers.next(e);
        }),
      );
      subs.add(server$.pipe(collectText()).subscribe((t) => texts.push(t.text)));
      let guard: ReturnType<typeof setTimeout> | undefined;
      try {
        // a guard against a hang (not a speed assertion): fail with what arrived
        await Promise.race([
          twoResponses,
          new Promise((_, reject) => {
            guard = setTimeout(
              () =>
                reject(
                  new Error(`not ${responses} response.done; saw ${received.map((e) => e.type).join(', ')}`),
                ),
              15_000,
            );
          }),
        ]);
      } finally {
        clearTimeout(guard);
        subs.unsubscribe();
        await emulator.close();
      }
      const callId = (
        received.find((e) => e.type === 'response.function_call_arguments.done') as { call_id: string }
      ).call_id;
      return { sent, received, texts, callId };
    }

    const callWeather: Reply = { functionCall: { name: 'get_weather', arguments: { city: 'Paris' } } };

    it('answers the call with the tool’s value, sends one response.create, and the model answers with it', async () => {
      const cities: unknown[] = [];
      const tools: Tools = {
        get_weather: async ({ city }) => {
          cities.push(city);
          return { city, temperature: 21, sky: 'clear' };
        },
      };
      const { sent, received, texts, callId } = await weatherAgent([callWeather], tools);
      const result = '{"city":"Paris","temperature":21,"sky":"clear"}';
      expect(cities).toEqual(['Paris']);
      expect(sent).toEqual([output(callId, result), responseCreate]);
      expect(texts).toEqual([`The function returned ${result}. This is the rx-realtime emulator.`]);
      expect(received.filter((e) => e.type === 'error')).toEqual([]);
      expect(notKnown(received, dialect)).toEqual([]);
    });

    it('answers with the error message when the tool throws, and the model still answers', async () => {
      const tools: Tools = {
        get_weather: () => {
          throw new Error('weather service down');
        },
      };
      const { sent, texts, callId, received } = await weatherAgent([callWeather], tools);
      const result = '{"error":"weather service down"}';
      expect(sent).toEqual([output(callId, result), responseCreate]);
      expect(texts).toEqual([`The function returned ${result}. This is the rx-realtime emulator.`]);
      expect(received.filter((e) => e.type === 'error')).toEqual([]);
    });

    it('answers a call of a tool it does not have, and arguments that are not JSON, with error outputs', async () => {
      const unknown = await weatherAgent([{ functionCall: { name: 'get_tide', arguments: {} } }], syncTools);
      const unknownResult = '{"error":"Unknown tool: get_tide. The tools are: get_weather, get_time."}';
      expect(unknown.sent).toEqual([output(unknown.callId, unknownResult), responseCreate]);
      expect(unknown.texts).toEqual([
        `The function returned ${unknownResult}. This is the rx-realtime emulator.`,
      ]);

      const bad = await weatherAgent(
        [{ functionCall: { name: 'get_weather', arguments: '{"city": Paris' } }],
        syncTools,
      );
      const badResult = JSON.stringify({
        error: `The arguments are not valid JSON: ${parseError('{"city": Paris')}`,
      });
      expect(bad.sent).toEqual([output(bad.callId, badResult), responseCreate]);
      expect(bad.received.filter((e) => e.type === 'error')).toEqual([]);
    });

    it('answers a response that says something and calls the tool with one output and one response.create', async () => {
      const tools: Tools = { get_weather: ({ city }) => ({ city, temperature: 21 }) };
      const { sent, texts, callId, received } = await weatherAgent(
        [{ text: 'Let me check.', functionCall: { name: 'get_weather', arguments: { city: 'Paris' } } }],
        tools,
      );
      const result = '{"city":"Paris","temperature":21}';
      expect(sent).toEqual([output(callId, result), responseCreate]);
      expect(texts).toEqual([
        'Let me check.',
        `The function returned ${result}. This is the rx-realtime emulator.`,
      ]);
      expect(received.filter((e) => e.type === 'error')).toEqual([]);
    });

    it('answers the call a named toolChoice forces (in the dialect’s tool_choice shape) without scripted replies', async () => {
      const cities: unknown[] = [];
      const tools: Tools = {
        get_weather: ({ city }) => {
          cities.push(city);
          return 'sunny';
        },
      };
      const { sent, texts, callId } = await weatherAgent([], tools, {
        toolChoice: { type: 'function', name: 'get_weather' },
      });
      // the emulator's default policy calls a forced function with arguments made from its JSON Schema
      expect(cities).toEqual(['emulator']);
      expect(sent).toEqual([output(callId, 'sunny'), responseCreate]);
      expect(texts).toEqual(['The function returned sunny. This is the rx-realtime emulator.']);
    });

    it('answers a chain of calls over several responses, one create per response', async () => {
      const cities: unknown[] = [];
      const tools: Tools = {
        get_weather: async ({ city }) => {
          cities.push(city);
          return { city, temperature: city === 'Paris' ? 21 : 3 };
        },
      };
      const call = (city: string): Reply => ({ functionCall: { name: 'get_weather', arguments: { city } } });
      const { sent, texts, received } = await weatherAgent([call('Paris'), call('Oslo')], tools, {}, 3);
      const callIds = received
        .filter((e) => e.type === 'response.function_call_arguments.done')
        .map((e) => (e as { call_id: string }).call_id);
      expect(cities).toEqual(['Paris', 'Oslo']);
      expect(sent).toEqual([
        output(callIds[0]!, '{"city":"Paris","temperature":21}'),
        responseCreate,
        output(callIds[1]!, '{"city":"Oslo","temperature":3}'),
        responseCreate,
      ]);
      expect(texts).toEqual([
        'The function returned {"city":"Oslo","temperature":3}. This is the rx-realtime emulator.',
      ]);
      expect(received.filter((e) => e.type === 'error')).toEqual([]);
    });

    it('takes the first value of an Observable handler', async () => {
      const tools: Tools = { get_weather: ({ city }) => of(`${city}: 21 °C`, 'ignored') };
      const { sent, texts, callId } = await weatherAgent([callWeather], tools);
      expect(sent).toEqual([output(callId, 'Paris: 21 °C'), responseCreate]);
      expect(texts).toEqual(['The function returned Paris: 21 °C. This is the rx-realtime emulator.']);
    });
  },
);
