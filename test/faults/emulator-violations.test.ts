// One hostile client must lose only its own socket: WebSocket protocol violations written as raw frames over a
// net.Socket after a real upgrade, TCP connections that never upgrade, and the emulator still serves everyone else.
import { randomBytes } from 'node:crypto';
import { connect as tcp, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/testing/emulator';
import { handshake } from '../emulator/harness';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ pace: 'fast', speech: 'builtin', upgradeTimeoutMs: 300 });
});
afterEach(async () => {
  await emulator.close();
});

/** A TCP socket that completed a real WebSocket upgrade with the emulator; `received` collects what follows. */
async function upgraded(
  e: Emulator,
): Promise<{ socket: Socket; received: () => Buffer; ended: Promise<void> }> {
  const { port } = new URL(e.endpoint);
  const socket = tcp(Number(port), '127.0.0.1');
  let buffer = Buffer.alloc(0);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.on('data', (d: Buffer) => (buffer = Buffer.concat([buffer, d])));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    [
      `GET /openai/realtime?api-version=2025-04-01-preview&deployment=d HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `api-key: ${e.apiKey}`,
      '',
      '',
    ].join('\r\n'),
  );
  await expect.poll(() => buffer.indexOf('\r\n\r\n') >= 0).toBe(true);
  const head = buffer.subarray(0, buffer.indexOf('\r\n\r\n')).toString();
  expect(head).toMatch(/^HTTP\/1\.1 101 /);
  buffer = buffer.subarray(buffer.indexOf('\r\n\r\n') + 4);
  return { socket, received: () => buffer, ended };
}

interface FrameSpec {
  fin?: boolean;
  rsv1?: boolean;
  opcode: number;
  masked?: boolean;
  payload?: Buffer;
  /** A declared length instead of the payload's (the payload is then not sent). */
  length?: number;
}

/** One client frame, masked unless said otherwise (RFC 6455 §5.2). */
function frame({
  fin = true,
  rsv1 = false,
  opcode,
  masked = true,
  payload = Buffer.alloc(0),
  length,
}: FrameSpec) {
  const n = length ?? payload.length;
  const b0 = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const m = masked ? 0x80 : 0;
  const header =
    n < 126
      ? Buffer.from([b0, m | n])
      : n < 65536
        ? Buffer.from([b0, m | 126, n >> 8, n & 0xff])
        : (() => {
            const h = Buffer.alloc(10);
            h[0] = b0;
            h[1] = m | 127;
            h.writeBigUInt64BE(BigInt(n), 2);
            return h;
          })();
  if (length !== undefined) return Buffer.concat([header, masked ? randomBytes(4) : Buffer.alloc(0)]);
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([header, key, body]);
}

/** The close code in the server's close frame among the frames received (unmasked server frames). */
function closeCode(bytes: Buffer): number | undefined {
  for (let at = 0; at + 2 <= bytes.length;) {
    const opcode = bytes[at]! & 0x0f;
    let n = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (n === 126) {
      n = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (n === 127) {
      n = Number(bytes.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (opcode === 0x8) return n >= 2 ? bytes.readUInt16BE(start) : 1005;
    at = start + n;
  }
  return undefined;
}

const closePayload = (code: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
};

const violations: [string, Buffer, number][] = [
  [
    'invalid UTF-8 in a text frame',
    frame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }),
    1007,
  ],
  ['a 33 MiB frame (above the 32 MiB limit)', frame({ opcode: 0x1, length: 33 * 1024 * 1024 }), 1009],
  ['a reserved opcode (0x3)', frame({ opcode: 0x3, payload: Buffer.from('x') }), 1002],
  ['an unmasked frame', frame({ opcode: 0x1, masked: false, payload: Buffer.from('{}') }), 1002],
  [
    'RSV1 set with no extension negotiated',
    frame({ opcode: 0x1, rsv1: true, payload: Buffer.from('{}') }),
    1002,
  ],
  ['a close frame with code 1005', frame({ opcode: 0x8, payload: closePayload(1005) }), 1002],
  ['a fragmented ping', frame({ opcode: 0x9, fin: false, payload: Buffer.from('p') }), 1002],
  [
    'a ping of 126 bytes (control frames carry at most 125)',
    frame({ opcode: 0x9, payload: Buffer.alloc(126) }),
    1002,
  ],
];

describe('a client that breaks the WebSocket protocol', () => {
  it.each(violations)('sending %s loses only its own socket (close %i)', async (_name, bytes, code) => {
    const bystander = await upgraded(emulator);
    const hostile = await upgraded(emulator);
    await expect.poll(() => emulator.sessions()).toBe(2);
    hostile.socket.write(bytes);
    await hostile.ended;
    expect(closeCode(hostile.received())).toBe(code);
    await expect.poll(() => emulator.sessions()).toBe(1);
    // the process and the other session go on: a new handshake is served, the bystander is still open
    const fresh = await handshake(emulator.url, { headers: { 'api-key': emulator.apiKey } });
    expect(fresh).toMatchObject({ first: { type: 'session.created' } });
    expect(bystander.socket.destroyed).toBe(false);
    bystander.socket.destroy();
  });
});

describe('a TCP connection that never upgrades', () => {
  it('is closed after upgradeTimeoutMs when it sends nothing', async () => {
    const { port } = new URL(emulator.endpoint);
    const socket = tcp(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(socket.destroyed).toBe(true);
  });

  it('is closed after upgradeTimeoutMs when its handshake stops halfway', async () => {
    const { port } = new URL(emulator.endpoint);
    const socket = tcp(Number(port), '127.0.0.1', () =>
      socket.write('GET /openai/realtime HTTP/1.1\r\nHost: x\r\n'),
    );
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(socket.destroyed).toBe(true);
  });

  it('does not cut a socket that upgraded in time', async () => {
    const c = await upgraded(emulator);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(c.socket.destroyed).toBe(false);
    expect(emulator.sessions()).toBe(1);
    c.socket.destroy();
  });
});

/** A `ws` client of the emulator's preview URL, open; `replies` counts the frames it has read. */
async function client(e: Emulator) {
  const ws = new WebSocket(e.url, { headers: { 'api-key': e.apiKey } });
  ws.on('error', () => undefined);
  const replies: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (d) => {
    replies.push(d.toString());
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  /** Resolves when the replies so far satisfy `done`. */
  const until = (done: (replies: readonly string[]) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (done(replies)) {
          waiters.delete(check);
          resolve();
        }
      };
      waiters.add(check);
      check();
    });
  return { ws, replies, until };
}

const retrieve = (id: string) =>
  JSON.stringify({ type: 'conversation.item.retrieve', event_id: id, item_id: `missing_${id}` });

describe('a client that floods the emulator', () => {
  it('does not starve another session: its round trips complete while the flood is still being answered', async () => {
    const flooder = await client(emulator);
    const other = await client(emulator);
    const FLOOD = 50_000;
    const clear = JSON.stringify({ type: 'input_audio_buffer.clear' });
    for (let i = 0; i < FLOOD; i++) flooder.ws.send(clear);
    // the other session asks 20 questions, one after the other, while the flood is in flight
    for (let i = 0; i < 20; i++) {
      other.ws.send(retrieve(`b${i}`));
      await other.until((r) => r.at(-1)!.includes(`"event_id":"b${i}"`));
    }
    const answeredDuring = flooder.replies.length;
    // every flood frame is still answered, in order, nothing lost
    await flooder.until((r) => r.length >= FLOOD + 1);
    expect(flooder.replies.filter((t) => t.includes('input_audio_buffer.cleared'))).toHaveLength(FLOOD);
    expect(answeredDuring).toBeLessThan(FLOOD + 1);
    flooder.ws.terminate();
    other.ws.terminate();
  });

  it('holds a bounded amount for a client that sends without reading, and loses nothing when it reads again', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const memory = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const flooder = await client(emulator);
    await flooder.until((r) => r.length > 0);
    const before = memory();
    flooder.ws.pause(); // reads nothing from here on
    const TOTAL = 200_000;
    let sent = 0;
    let stuckSince: number | undefined;
    // send as fast as the socket takes it (this client's own buffer kept under 1 MiB), until all are sent or
    // the emulator has stopped reading (nothing drains for a second)
    while (sent < TOTAL) {
      if (flooder.ws.bufferedAmount < 1024 * 1024) {
        stuckSince = undefined;
        for (let i = 0; i < 500 && sent < TOTAL; i++) flooder.ws.send(retrieve(`f${sent++}`));
        await new Promise((r) => setImmediate(r));
        continue;
      }
      stuckSince ??= performance.now();
      if (performance.now() - stuckSince > 1000) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // 200k error replies are about 50 MB: the emulator stopped reading long before holding them all
    expect(sent).toBeLessThan(TOTAL);
    expect(memory() - before).toBeLessThan(24 * 1024 * 1024);
    // reading again: the rest goes through and every frame sent is answered once, in order
    flooder.ws.resume();
    while (sent < TOTAL) {
      if (flooder.ws.bufferedAmount < 1024 * 1024) {
        for (let i = 0; i < 500 && sent < TOTAL; i++) flooder.ws.send(retrieve(`f${sent++}`));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await flooder.until((r) => r.length >= TOTAL + 1);
    const ids = flooder.replies
      .slice(1)
      .map((t) => (JSON.parse(t) as { error: { event_id: string } }).error.event_id);
    expect(ids).toHaveLength(TOTAL);
    expect(ids.every((id, i) => id === `f${i}`)).toBe(true);
    flooder.ws.terminate();
  }, 120_000);
});
