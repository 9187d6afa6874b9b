// Rollover, make-before-break, on real sockets: a spoken two-turn conversation streamed at real-time pace into an
// emulator whose sessions last 5 s. The session rolls over between turns, without a reconnect or an error, and
// the server VAD hears the same speech as in a run with no rollover (no audio lost or doubled). Both dialects.
import { readFileSync } from 'node:fs';
import { Subject, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { toPcm16Mono24k } from '../../src/audio/wav';
import { isSessionState, type SessionState } from '../../src/operators/sessionState';
import type { ServerMessage } from '../../src/protocol';
import { session, type SessionInput } from '../../src/session';
import { startEmulator, type Emulator } from '../../src/testing/emulator';
import type { ReplyContext } from '../../src/testing/replies';

type Out = ServerMessage | SessionState;
const speech = toPcm16Mono24k(readFileSync(new URL('../fixtures/audio/two-turns.wav', import.meta.url)));

const emulators: Emulator[] = [];
const subscriptions: Subscription[] = [];
afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

/** Streams the fixture (then 1 s of silence) at real-time pace through a session; resolves with what came out. */
async function run(dialect: 'preview' | 'ga', maxSessionMs: number, rollover: boolean) {
  const contexts: ReplyContext[] = [];
  const emulator = await startEmulator({
    pace: 'fast',
    speech: 'builtin',
    maxSessionMs,
    reply: (ctx) => {
      contexts.push(ctx);
      return { text: `heard ${ctx.input.kind}` };
    },
  });
  emulators.push(emulator);
  const input = new Subject<SessionInput>();
  const events: Out[] = [];
  let error: unknown;
  subscriptions.push(
    session({
      endpoint: emulator.endpoint,
      deployment: 'test-deployment',
      dialect,
      apiKey: emulator.apiKey,
      pingIntervalMs: 0,
      config: { outputModalities: ['text'] },
      rollover: rollover ? { leadMs: 3000 } : false,
    })(input).subscribe({ next: (e) => events.push(e), error: (e) => (error = e) }),
  );
  const audio = new Uint8Array(speech.byteLength + 48_000);
  audio.set(speech);
  const chunk = 40 * 48; // 40 ms
  const started = Date.now();
  for (let sent = 0; sent < audio.byteLength; sent += chunk) {
    input.next(audio.slice(sent, sent + chunk));
    // real-time pace against the wall clock (a late timer catches up rather than drifting)
    const due = started + (sent + chunk) / 48;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  // the last turn's answer
  const deadline = Date.now() + 5000;
  while (contexts.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  return { events, contexts, error, states: events.filter(isSessionState).map((s) => s.state) };
}

describe.concurrent.each(['preview', 'ga'] as const)('session() rollover (%s)', (dialect) => {
  it('rolls over between turns with audio flowing: no reconnect, no error, the same speech heard', async () => {
    const [rolled, baseline] = await Promise.all([run(dialect, 5000, true), run(dialect, 60_000, false)]);
    const summary = (r: typeof rolled) =>
      JSON.stringify({ states: r.states, heard: r.contexts.map((c) => c.input) });
    expect(baseline.states, summary(baseline)).toEqual(['connecting', 'open']);
    expect(rolled.error).toBeUndefined();
    expect(rolled.states).not.toContain('reconnecting');
    expect(rolled.states.filter((s) => s === 'rolled_over').length).toBeGreaterThanOrEqual(1);
    // the turns the VAD found without a rollover (the emulator's VAD hears the second utterance as two turns)
    // reached a server session once each with the rollover too, and were answered once each
    const heard = (r: typeof rolled) => r.contexts.map((c) => c.input);
    expect(heard(baseline).length, summary(baseline)).toBeGreaterThanOrEqual(2);
    expect(
      heard(rolled).map((i) => i.kind),
      summary(rolled),
    ).toEqual(heard(baseline).map((i) => i.kind));
    heard(rolled).forEach((turn, i) => {
      // the VAD measured the same speech (± one 40 ms chunk and the VAD's frame)
      expect(Math.abs(turn.audioMs! - heard(baseline)[i]!.audioMs!)).toBeLessThanOrEqual(100);
    });
    const answers = (r: typeof rolled) =>
      r.events.filter(
        (e) => !isSessionState(e) && e.type === 'response.output_item.done' && e.item.role === 'assistant',
      );
    expect(answers(rolled)).toHaveLength(answers(baseline).length);
    // the session that answered the second turn had the first turn replayed (as its answer's text at least)
    const second = rolled.contexts[1]!;
    expect(second.conversation.some((item) => item.role === 'assistant')).toBe(true);
  }, 30_000);
});

describe('session() rollover that finds no moment between turns', () => {
  it('takes the already open second socket at the limit, with no backoff, and answers the cut turn there', async () => {
    let replies = 0;
    const emulator = await startEmulator({
      pace: 'realtime', // a spoken answer takes as long as it lasts: the first one outlasts the session
      speech: 'builtin',
      maxSessionMs: 3000,
      reply: () =>
        ++replies === 1
          ? {
              text: 'This first answer is long enough to still be playing when the session reaches its limit, and then some more words.',
            }
          : { text: 'Short.' },
    });
    emulators.push(emulator);
    const input = new Subject<SessionInput>();
    const events: Out[] = [];
    let error: unknown;
    subscriptions.push(
      session({
        endpoint: emulator.endpoint,
        deployment: 'test-deployment',
        dialect: 'ga',
        apiKey: emulator.apiKey,
        pingIntervalMs: 0,
        rollover: { leadMs: 1500 },
      })(input).subscribe({ next: (e) => events.push(e), error: (e) => (error = e) }),
    );
    input.next('Tell me something long.');
    const states = () => events.filter(isSessionState);
    const deadline = Date.now() + 15_000;
    while (!states().some((x) => x.state === 'replayed') && Date.now() < deadline && error === undefined)
      await new Promise((r) => setTimeout(r, 20));
    const answered = () =>
      events.filter(
        (e) => !isSessionState(e) && e.type === 'response.done' && e.response.status === 'completed',
      );
    while (answered().length === 0 && Date.now() < deadline && error === undefined)
      await new Promise((r) => setTimeout(r, 20));
    expect(error).toBeUndefined();
    const reconnecting = states().find((x) => x.state === 'reconnecting');
    expect(reconnecting, JSON.stringify(states())).toMatchObject({ attempt: 1, delayMs: 0 });
    expect(reconnecting!.reason).toMatch(/1001/);
    expect(states().map((x) => x.state)).not.toContain('rolled_over');
    // the cut turn was answered again on the second socket
    expect(answered()).toHaveLength(1);
    expect(replies).toBe(2);
  }, 30_000);
});
