// session(): cold connect with config, text turns, reconnect with replay after real drops (emulator fault
// injection on real sockets), input kept while down, fatal endings, splits ending at a drop, and 20 seeded drops
// in a 20-turn conversation. Both dialects.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Subject, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { HandshakeError, ConnectionClosedError } from '../../src/client';
import { IncompleteStreamError, splitResponses } from '../../src/operators';
import { isSessionState, type SessionState } from '../../src/operators/sessionState';
import type { ServerMessage } from '../../src/protocol';
import { session, type SessionInput, type SessionOptions } from '../../src/session';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/testing/emulator';
import type { ReplyContext } from '../../src/testing/replies';
import { record } from '../support/recorder';

type Out = ServerMessage | SessionState;

const emulators: Emulator[] = [];
const subscriptions: Subscription[] = [];
afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

/** The text of a finished assistant message (its `response.output_item.done`): its text or transcript. */
const answerOf = (event: Out): string | undefined => {
  if (isSessionState(event) || event.type !== 'response.output_item.done') return undefined;
  const item = (event as { item: { role?: string; content?: { text?: string; transcript?: string }[] } })
    .item;
  if (item.role !== 'assistant') return undefined;
  return (item.content ?? []).map((c) => c.text ?? c.transcript ?? '').join('');
};

/** A session on a fresh emulator whose replies say what they answer, recording each reply's context. */
async function start(
  dialect: 'preview' | 'ga',
  emulatorOptions: EmulatorOptions = {},
  sessionOptions: Partial<SessionOptions> = {},
) {
  const contexts: ReplyContext[] = [];
  const emulator = await startEmulator({
    pace: 'fast',
    speech: 'builtin',
    reply: (ctx) => {
      contexts.push(ctx);
      return { text: `answer to ${ctx.input.text ?? ctx.input.kind}` };
    },
    ...emulatorOptions,
  });
  emulators.push(emulator);
  const input = new Subject<SessionInput>();
  const recorder = record(
    session({
      endpoint: emulator.endpoint,
      deployment: 'test-deployment',
      dialect,
      apiKey: emulator.apiKey,
      pingIntervalMs: 0,
      config: { outputModalities: ['text'], instructions: 'Be brief.' },
      reconnect: { initialDelayMs: 5, maxDelayMs: 40, maxAttempts: 30 },
      ...sessionOptions,
    })(input),
    (e) => (e.type === 'rx-realtime.session_state' ? (e as SessionState).state : String(e.type)),
  );
  subscriptions.push(recorder.subscription);
  const { events, until } = recorder;
  const states = () => events.filter(isSessionState).map((s) => s.state);
  const answers = () => events.map(answerOf).filter((a): a is string => a !== undefined);
  return {
    emulator,
    input,
    events,
    contexts,
    states,
    answers,
    until,
    error: recorder.error,
    ended: recorder.ended,
    answered: (text: string) => until(() => answers().includes(`answer to ${text}`), `the answer to ${text}`),
  };
}

describe.each(['preview', 'ga'] as const)('session() (%s)', (dialect) => {
  it('is cold: connects on subscribe, sends the config first, answers text turns, closes on unsubscribe', async () => {
    const s = await start(dialect);
    expect(s.states()).toEqual(['connecting']);
    s.input.next('hello');
    await s.answered('hello');
    const updated = s.events.find((e) => !isSessionState(e) && e.type === 'session.updated') as {
      session: { instructions: string };
    };
    expect(updated.session.instructions).toBe('Be brief.');
    // the config was in place before the turn: the reply saw the session's instructions
    expect(s.contexts[0]!.instructions).toBe('Be brief.');
    s.input.next('again');
    await s.answered('again');
    expect(s.states()).toEqual(['connecting', 'open']);
    expect(s.answers()).toEqual(['answer to hello', 'answer to again']);
  });

  it('reconnects after a drop that cut a response, replays config and conversation, and answers the cut turn once', async () => {
    const textDelta = dialect === 'ga' ? 'response.output_text.delta' : 'response.text.delta';
    // the second response's first delta: it is cut mid-stream (with the default reply, three deltas a response)
    const s = await start(dialect, { faults: [{ action: 'drop', atEvent: textDelta, nth: 4 }] });
    s.input.next('one');
    await s.answered('one');
    s.input.next('two');
    await s.answered('two');
    s.input.next('three');
    await s.answered('three');
    expect(s.answers()).toEqual(['answer to one', 'answer to two', 'answer to three']);
    const reconnecting = s.events.filter(isSessionState).find((x) => x.state === 'reconnecting')!;
    expect(reconnecting.attempt).toBe(1);
    expect(reconnecting.reason).toMatch(/1006/);
    expect(s.states()).toEqual(['connecting', 'open', 'reconnecting', 'open', 'replayed']);
    const replayed = s.events.filter(isSessionState).find((x) => x.state === 'replayed')!;
    // user one, assistant one, user two (the cut answer is not replayed: it is asked again)
    expect(replayed.items).toBe(3);
    // the new server session got the config and the conversation before it answered again
    const again = s.contexts.find((c) => c.input.text === 'two' && c.conversation.length > 1)!;
    const texts = again.conversation.map((item) =>
      (item.content ?? []).map((c) => c.text ?? c.transcript ?? '').join(''),
    );
    expect(texts).toEqual(['one', 'answer to one', 'two']);
    expect(again.instructions).toBe('Be brief.');
    // the replayed items kept their ids, and their echoes were not shown twice
    const created = s.events.filter(
      (e) =>
        !isSessionState(e) &&
        (e.type === 'conversation.item.created' || e.type === 'conversation.item.added'),
    ) as { item: { id: string } }[];
    const ids = created.map((e) => e.item.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the input emitted while down, in order, and sends it once the new socket is up', async () => {
    const s = await start(dialect);
    s.input.next('first');
    await s.answered('first');
    s.emulator.faults.refuseHandshakes(3, 503);
    s.emulator.faults.dropAll();
    await s.until(() => s.states().includes('reconnecting'), 'reconnecting');
    s.input.next('while down 1');
    s.input.next('while down 2');
    await s.answered('while down 2');
    expect(s.answers()).toEqual(['answer to first', 'answer to while down 1', 'answer to while down 2']);
    const attempts = s.events.filter(isSessionState).filter((x) => x.state === 'reconnecting');
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(attempts[1]!.reason).toMatch(/HandshakeError.*503/);
    expect(s.emulator.faults.log().filter((r) => r.action === 'refuse')).toHaveLength(3);
  });

  it('ends with the fatal error of a refused key, without retrying', async () => {
    const s = await start(dialect, {}, { apiKey: 'wrong-key' });
    await s.until(s.ended, 'the end');
    expect(s.error()).toBeInstanceOf(HandshakeError);
    expect((s.error() as HandshakeError).status).toBe(401);
    expect(s.states()).toEqual(['connecting', 'closed']);
    expect(JSON.stringify(s.events)).not.toContain('wrong-key');
  });

  it('with reconnect: false, the first drop ends the session as connect() does', async () => {
    const s = await start(dialect, {}, { reconnect: false });
    s.input.next('one');
    await s.answered('one');
    s.emulator.faults.dropAll();
    await s.until(s.ended, 'the end');
    expect((s.error() as ConnectionClosedError).code).toBe(1006);
    expect(s.states()).toEqual(['connecting', 'open', 'closed']);
  });

  it('ends the response open on a dropped socket with an IncompleteStreamError that says so', async () => {
    const s = await start(dialect, {
      faults: [
        { action: 'drop', atEvent: dialect === 'ga' ? 'response.output_text.delta' : 'response.text.delta' },
      ],
    });
    const out$ = new Subject<Out>();
    const ended = new Promise<unknown>((resolve) => {
      const sub = out$.pipe(splitResponses()).subscribe((response) => {
        response.subscribe({ error: resolve, complete: () => resolve('completed') });
        sub.unsubscribe();
      });
    });
    const forward = setInterval(() => {
      while (s.events.length > forwarded) out$.next(s.events[forwarded++]!);
    }, 5);
    let forwarded = 0;
    s.input.next('one');
    const reason = await ended;
    clearInterval(forward);
    expect(reason).toBeInstanceOf(IncompleteStreamError);
    expect((reason as IncompleteStreamError).reason).toMatch(/socket dropped.*1006.*reconnects/);
    await s.answered('one'); // and the turn is answered on the new socket
  });
});

describe.each(['preview', 'ga'] as const)('session() with tools (%s)', (dialect) => {
  it.each([
    // the runTools create is the 2nd response.create the emulator handles: the socket drops just before it
    ['between the output and its response.create', { action: 'drop', atEvent: 'response.create', nth: 2 }],
    // the call's response loses its done: runTools answers it and asks for the answer on the new socket
    ['before the call response’s response.done', { action: 'drop', atEvent: 'response.done', nth: 1 }],
  ] as const)('runs the tool once and answers with its output, across a drop %s', async (_when, fault) => {
    const cities: string[] = [];
    const contexts: ReplyContext[] = [];
    const s = await start(
      dialect,
      {
        faults: [fault],
        reply: (ctx) => {
          contexts.push(ctx);
          const output = ctx.functionOutputs.at(-1);
          return output
            ? { text: `answer to weather ${output.output}` }
            : { functionCall: { name: 'get_weather', arguments: { city: 'Paris' } } };
        },
      },
      {
        config: {
          outputModalities: ['text'],
          tools: [
            {
              type: 'function',
              name: 'get_weather',
              description: 'The weather in a city.',
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
          ],
        },
        tools: {
          get_weather: ({ city }: { city: string }) => {
            cities.push(city);
            return { city, sky: 'clear' };
          },
        },
      },
    );
    s.input.next('What is the weather in Paris?');
    await s.answered('weather {"city":"Paris","sky":"clear"}');
    expect(
      cities,
      JSON.stringify(contexts.map((c) => [c.functionOutputs, c.conversation.map((i) => i.type)])),
    ).toEqual(['Paris']);
    expect(s.states()).toContain('replayed');
    expect(s.events.filter((e) => !isSessionState(e) && e.type === 'error')).toEqual([]);
    // the new server session got the turn, the call and its output, in order, before it answered
    const last = contexts.at(-1)!;
    expect(last.conversation.map((item) => item.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
    ]);
    expect(s.emulator.faults.log()).toHaveLength(1);
  });
});

describe.each(['preview', 'ga'] as const)('session() under 20 seeded drops (%s)', (dialect) => {
  it('answers every one of 20 turns exactly once, and the last server session holds the whole conversation', async () => {
    const s = await start(dialect, {
      faults: [{ action: 'drop', random: { seed: dialect === 'ga' ? 7 : 3, probability: 0.08 }, times: 20 }],
    });
    const turns = Array.from({ length: 20 }, (_, i) => `turn ${i + 1}`);
    for (const turn of turns) {
      s.input.next(turn);
      await s.answered(turn);
    }
    expect(s.emulator.faults.log().length).toBeGreaterThanOrEqual(10);
    expect(s.answers()).toEqual(turns.map((t) => `answer to ${t}`));
    expect(s.error()).toBeUndefined();
    // the server session that gave the last answer holds every turn and every answer, in order, once
    const last = s.contexts.filter((c) => c.input.text === 'turn 20').at(-1)!;
    const users = last.conversation
      .filter((item) => item.role === 'user')
      .map((item) => (item.content ?? []).map((c) => c.text ?? '').join(''));
    expect(users).toEqual(turns);
    const assistants = last.conversation.filter((item) => item.role === 'assistant');
    expect(assistants).toHaveLength(19);
    expect(s.states().filter((x) => x === 'reconnecting').length).toBeGreaterThanOrEqual(
      s.emulator.faults.log().length,
    );
  }, 60_000);
});

describe('session() over a long life', () => {
  it('holds heap near its baseline over 300 drop → replay cycles of a 50-item conversation, and leaves nothing open', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const resources = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    const before = resources();
    const s = await start(
      'preview',
      {},
      { reconnect: { initialDelayMs: 0, maxDelayMs: 0, maxAttempts: 5, resetAfterMs: 0 } },
    );
    for (let t = 0; t < 25; t++) {
      s.input.next(`turn ${t}`);
      await s.answered(`turn ${t}`);
    }
    const replayed = () => s.states().filter((x) => x === 'replayed').length;
    const cycle = async (n: number) => {
      s.emulator.faults.dropAll();
      await s.until(() => replayed() >= n, `replay ${n}`);
    };
    for (let i = 1; i <= 30; i++) await cycle(i); // warm up
    gc();
    const heap = process.memoryUsage().heapUsed;
    for (let i = 31; i <= 330; i++) await cycle(i);
    // the output list of this test grows by the events of each cycle: count them out of the growth
    const kept = s.events.length;
    s.events.splice(0, s.events.length - 10);
    await new Promise((r) => setTimeout(r, 100));
    gc();
    const growth = process.memoryUsage().heapUsed - heap;
    expect(growth, `${kept} events`).toBeLessThan(8 * 1024 * 1024);
    const last = s.events.filter(isSessionState).at(-1)!;
    expect(last).toMatchObject({ state: 'replayed', items: 50, skipped: 0 });
    for (const sub of subscriptions.splice(0)) sub.unsubscribe();
    await Promise.all(emulators.splice(0).map((e) => e.close()));
    await new Promise((r) => setTimeout(r, 50));
    expect(resources()).toBeLessThanOrEqual(before);
  }, 120_000);
});
