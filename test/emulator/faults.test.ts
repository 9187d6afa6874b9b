// Fault injection: drops (no close frame), 1011 closes, stalls and refused handshakes, on real sockets, and the
// reply context's `conversation`. Both dialects.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConnectionClosedError, HandshakeError } from '../../src/client';
import type { Dialect } from '../../src/protocol';
import { startEmulator, type Emulator } from '../../src/testing/emulator';
import { seeded, type FaultRecord } from '../../src/testing/faults';
import type { ReplyContext } from '../../src/testing/replies';
import { names, textSession, useSessions, userText, type Ev } from './harness';

const start = useSessions();

/** A raw client on the emulator's URL for `dialect`: its frames, and how it ended. */
function raw(emulator: Emulator, dialect: Dialect) {
  const url =
    dialect === 'preview'
      ? `${emulator.endpoint.replace('http', 'ws')}/openai/realtime?api-version=2025-04-01-preview&deployment=d`
      : `${emulator.endpoint.replace('http', 'ws')}/openai/v1/realtime?model=d`;
  const ws = new WebSocket(url, { headers: { 'api-key': emulator.apiKey } });
  const frames: Ev[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Ev));
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return { ws, frames, closed, opened };
}

describe.each(['preview', 'ga'] as const)('fault injection (%s)', (dialect) => {
  const n = names[dialect];

  it('drops the socket just before the nth event of a type, and the client sees 1006', async () => {
    const s = await start(dialect, { faults: [{ action: 'drop', atEvent: 'response.done', nth: 2 }] });
    s.send(textSession(dialect), userText('one'), { type: 'response.create' });
    await s.next('response.done');
    s.send(userText('two', 'evt_2'), { type: 'response.create' });
    await s.end();
    expect((s.error() as ConnectionClosedError).code).toBe(1006);
    expect(s.types().filter((t) => t === 'response.done')).toHaveLength(1);
    expect(s.types().at(-1)).toBe(n.assistantItemDone.at(-1) ?? 'response.output_item.done');
    expect(s.emulator.faults.log()).toEqual([
      { action: 'drop', trigger: 'event', eventType: 'response.done', session: 0 },
    ]);
  });

  it('drops just before handling a client event of the type named', async () => {
    const s = await start(dialect, { faults: [{ action: 'drop', atEvent: 'response.create' }] });
    s.send(textSession(dialect), userText('one'), { type: 'response.create' });
    await s.end();
    expect((s.error() as ConnectionClosedError).code).toBe(1006);
    expect(s.types()).not.toContain('response.created');
    expect(s.types()).toContain(n.itemAdded[0]);
  });

  it("closes with 1011 'Internal server error' when the fault's action is close", async () => {
    const s = await start(dialect, { faults: [{ action: 'close', atEvent: 'response.created' }] });
    s.send(userText('one'), { type: 'response.create' });
    await s.end();
    const e = s.error() as ConnectionClosedError;
    expect([e.code, e.reason]).toEqual([1011, 'Internal server error']);
    expect(s.types()).not.toContain('response.created');
  });

  it('stalls: nothing more is sent, nothing read, no close; emulator.close() still ends it', async () => {
    const emulator = await startEmulator({
      pace: 'fast',
      speech: 'builtin',
      faults: [{ action: 'stall', atEvent: 'response.created' }],
    });
    const c = raw(emulator, dialect);
    await c.opened;
    c.ws.send(JSON.stringify(userText('one')));
    c.ws.send(JSON.stringify({ type: 'response.create' }));
    await expect.poll(() => emulator.faults.log().length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // frames sent before the stall arrive
    const seen = c.frames.length;
    const pong = new Promise<'pong'>((resolve) => c.ws.once('pong', () => resolve('pong')));
    c.ws.ping();
    c.ws.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    const outcome = await Promise.race([
      pong,
      new Promise<'silence'>((resolve) => setTimeout(() => resolve('silence'), 300)),
    ]);
    expect(outcome).toBe('silence');
    expect(c.frames.length).toBe(seen);
    expect(c.frames.map((f) => f.type)).not.toContain('response.created');
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(emulator.sessions()).toBe(1);
    await emulator.close();
    await c.closed;
  });

  it('drops every session that lives longer than afterMs, once per session until spent', async () => {
    const emulator = await startEmulator({
      pace: 'fast',
      faults: [{ action: 'drop', afterMs: 50, times: 2 }],
    });
    const clients = [raw(emulator, dialect), raw(emulator, dialect), raw(emulator, dialect)];
    await Promise.all(clients.map((c) => c.opened));
    await expect.poll(() => emulator.faults.log().length).toBe(2);
    expect(emulator.faults.log().map((r) => [r.action, r.trigger])).toEqual([
      ['drop', 'time'],
      ['drop', 'time'],
    ]);
    await expect.poll(() => emulator.sessions()).toBe(1);
    await emulator.close();
    expect((await Promise.all(clients.map((c) => c.closed))).map((c) => c.code).sort()).toEqual([
      1001, 1006, 1006,
    ]);
  });

  it('refuses the next handshakes with 429 and 503, then lets the next one in', async () => {
    const emulator = await startEmulator({ pace: 'fast', refuseHandshakes: { count: 1 } });
    emulator.faults.refuseHandshakes(2, 503);
    const statuses: (number | string)[] = [];
    for (let i = 0; i < 3; i++) {
      const c = raw(emulator, dialect);
      statuses.push(
        await c.opened.then(
          () => 'open',
          (e: Error) => e.message,
        ),
      );
      c.ws.terminate();
    }
    expect(statuses).toEqual(['HTTP 503', 'HTTP 503', 'open']);
    await emulator.close();
  });

  it('gives connect() a HandshakeError with the 429 status and the service-style message', async () => {
    const s = await start(dialect, { refuseHandshakes: { count: 1, status: 429 } });
    await s.end();
    const e = s.error() as HandshakeError;
    expect(e).toBeInstanceOf(HandshakeError);
    expect(e.status).toBe(429);
    expect(e.message).toContain('exceeded the rate limit');
  });

  it('acts on every open session now: closeAll() closes with 1011, dropAll() with no close frame', async () => {
    const emulator = await startEmulator({ pace: 'fast' });
    const a = raw(emulator, dialect);
    await a.opened;
    emulator.faults.closeAll();
    expect((await a.closed).code).toBe(1011);
    const b = raw(emulator, dialect);
    await b.opened;
    emulator.faults.dropAll();
    expect((await b.closed).code).toBe(1006);
    await emulator.close();
  });

  it('a reply policy sees the conversation the session holds, in order', async () => {
    const contexts: ReplyContext[] = [];
    const s = await start(dialect, {
      reply: (ctx) => {
        contexts.push(ctx);
        return { text: `answer ${ctx.responseCount}` };
      },
    });
    s.send(textSession(dialect), userText('first', 'e1'), { type: 'response.create' });
    await s.next('response.done');
    s.send(userText('second', 'e2'), { type: 'response.create' });
    await s.next('response.done');
    const view = (ctx: ReplyContext) =>
      ctx.conversation.map((i) => [i.role, i.content?.[0]?.text ?? i.content?.[0]?.transcript]);
    expect(view(contexts[0]!)).toEqual([['user', 'first']]);
    expect(view(contexts[1]!)).toEqual([
      ['user', 'first'],
      ['assistant', 'answer 0'],
      ['user', 'second'],
    ]);
    // copies: a policy cannot change the session's items
    expect(contexts[1]!.conversation[0]).not.toBe(contexts[0]!.conversation[0]);
  });

  it('runs a 20-turn conversation through 20 seeded drops at random points, every turn answered once', async () => {
    const emulator = await startEmulator({
      pace: 'fast',
      speech: 'builtin',
      faults: [{ action: 'drop', random: { seed: 2026, probability: 0.03 }, times: 20 }],
      reply: (ctx) => ({ text: `answer to ${ctx.input.text ?? '?'}` }),
    });
    const answered: string[] = [];
    const history: string[] = [];
    let attempts = 0;
    let lastConversation = 0;
    for (let turn = 0; turn < 20;) {
      attempts++;
      expect(attempts).toBeLessThan(100);
      const c = raw(emulator, dialect);
      await c.opened;
      // what a reconnecting client does: the config, the history as text, then the turn
      const send = (e: object) => c.ws.readyState === WebSocket.OPEN && c.ws.send(JSON.stringify(e));
      send(textSession(dialect));
      for (const h of history)
        send({
          type: 'conversation.item.create',
          item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: h }] },
        });
      send(userText(`turn ${turn}`, `e${turn}`));
      send({ type: 'response.create' });
      const done = await Promise.race([
        new Promise<Ev | undefined>((resolve) => {
          const check = () => {
            const d = c.frames.find((f) => f.type === 'response.done');
            if (d) resolve(d);
            else setTimeout(check, 5);
          };
          check();
        }),
        c.closed.then(() => undefined),
      ]);
      if (done) {
        const text = c.frames
          .filter((f) => f.type === `${names[dialect].text}.done`)
          .map((f) => f.text as string);
        answered.push(...text);
        history.push(`turn ${turn}`);
        lastConversation = history.length;
        turn++;
      }
      c.ws.terminate();
      await c.closed;
    }
    const drops = emulator.faults.log();
    expect(drops).toHaveLength(20);
    expect(drops.every((d: FaultRecord) => d.action === 'drop' && d.trigger === 'random')).toBe(true);
    expect(answered).toEqual(Array.from({ length: 20 }, (_, i) => `answer to turn ${i}`));
    expect(lastConversation).toBe(20);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThanOrEqual(40);
    await expect.poll(() => emulator.sessions()).toBe(0);
    await emulator.close();
  });
});

describe('seeded', () => {
  it('repeats the same numbers for the same seed, in [0, 1)', () => {
    const a = seeded(7);
    const b = seeded(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seeded(8)()).not.toBe(xs[0]);
  });
});
