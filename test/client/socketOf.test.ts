// socketOf(): a transport's socket with a live `bufferedAmount`, in a fast (non-dictionary) shape. An object
// literal with a getter is a dictionary-mode object in V8, and the send queue reads `bufferedAmount` on every send.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { socketOf } from '../../src/client/transport';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('socketOf', () => {
  it('reads bufferedAmount live and keeps the calls', () => {
    let buffered = 3;
    const sent: string[] = [];
    const socket = socketOf(
      { send: (f) => void sent.push(f), close: () => {}, terminate: () => {} },
      () => buffered,
    );
    expect(socket.bufferedAmount).toBe(3);
    buffered = 70_000;
    expect(socket.bufferedAmount).toBe(70_000);
    socket.send('x');
    expect(sent).toEqual(['x']);
    expect('bufferedAmount' in socket).toBe(true);
  });

  it('has fast properties where an object literal with the same getter has not (V8, in a child process)', async () => {
    const script = `
      import { socketOf } from './src/client/transport.ts';
      const fast = new Function('o', 'return %HasFastProperties(o)');
      const calls = () => ({ send() {}, close() {}, terminate() {}, pause() {}, resume() {} });
      const literal = { send() {}, get bufferedAmount() { return 1; }, close() {}, terminate() {} };
      // a second and a third socket too: a getter defined on each object leaves the first fast and the next ones not
      const sockets = [1, 2, 3].map((n) => socketOf(calls(), () => n));
      console.log(JSON.stringify({ socketOf: sockets.every((s) => fast(s)), literal: fast(literal) }));
    `;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: root },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    expect(JSON.parse(out.trim())).toEqual({ socketOf: true, literal: false });
  }, 30_000);
});
