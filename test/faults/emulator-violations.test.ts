// One hostile client must lose only its own socket: WebSocket protocol violations written as raw frames over a
// net.Socket after a real upgrade, TCP connections that never upgrade, and the emulator still serves everyone else.
import { randomBytes } from 'node:crypto';
import { connect as tcp, type Socket } from 'node:net';
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
