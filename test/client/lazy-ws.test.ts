// `ws` loads at the first connect, not at import: a process that only uses the operators, the codecs or the
// testing kit never loads it. Checked on the built package in a fresh Node process, which then connects for real
// (a ws server on 127.0.0.1 in this test) and must find ws loaded after its first socket.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ensureBuilt, root } from '../cli/run';

const SCRIPT = `
import { createRequire } from 'node:module';
const require = createRequire(process.env.ROOT + '/package.json');
const wsLoaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/ws/'));
const rx = await import(process.env.DIST);
const { NEVER, firstValueFrom } = await import('rxjs');
const atImport = wsLoaded();
const first = await firstValueFrom(rx.connect({ url: process.env.URL, pingIntervalMs: 0 })(NEVER));
console.log(JSON.stringify({ atImport, afterConnect: wsLoaded(), first: first.type }));
process.exit(0);
`;

// The first import of ws fails (a resolve hook refuses it once): that connect fails saying so, and the next one
// imports ws again and connects.
const RETRY_SCRIPT = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "let refused = false; export async function resolve(s, c, next) {" +
  " if (s === 'ws' && !refused) { refused = true; throw new Error('ws refused by this test'); } return next(s, c); }"));
const rx = await import(process.env.DIST);
const { NEVER, firstValueFrom } = await import('rxjs');
const once = () => firstValueFrom(rx.connect({ url: process.env.URL, pingIntervalMs: 0 })(NEVER)).then(
  (e) => ({ first: e.type }),
  (err) => ({ error: err.name, message: err.message }));
const a = await once();
const b = await once();
console.log(JSON.stringify([a, b]));
process.exit(0);
`;

/** A ws server on 127.0.0.1 that greets each socket with `session.created`, and its realtime URL. */
async function greeter(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) =>
    socket.send(JSON.stringify({ type: 'session.created', event_id: 'e1', session: { id: 's1' } })),
  );
  const port = (wss.address() as { port: number }).port;
  return { wss, url: `ws://127.0.0.1:${port}/openai/realtime?api-version=2025-04-01-preview&deployment=d` };
}

/** `script` in a fresh Node process with the built package at DIST and `url` at URL; its stdout, trimmed. */
const runScript = (script: string, url: string): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        cwd: root,
        env: { ...process.env, ROOT: root, DIST: pathToFileURL(join(root, 'dist/index.js')).href, URL: url },
        timeout: 30_000,
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
    ),
  );

describe('the ws transport', () => {
  let wss: WebSocketServer | undefined;
  beforeAll(() => ensureBuilt(), 180_000);
  afterEach(() => new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve())));

  it('loads ws at the first connect, not at import, and that connect works', async () => {
    const server = await greeter();
    wss = server.wss;
    const out = await runScript(SCRIPT, server.url);
    expect(JSON.parse(out)).toEqual({ atImport: false, afterConnect: true, first: 'session.created' });
  }, 60_000);

  it('does not keep a failed import of ws: that connect fails saying so, the next imports it again', async () => {
    const server = await greeter();
    wss = server.wss;
    const out = await runScript(RETRY_SCRIPT, server.url);
    const [failed, connected] = JSON.parse(out) as [Record<string, string>, Record<string, string>];
    expect(failed.message).toContain('the ws package could not be loaded (ws refused by this test)');
    expect(connected).toEqual({ first: 'session.created' });
  }, 60_000);
});
