/**
 * Serves the browser example on 127.0.0.1: the page, its bundle (built by esbuild from the built package,
 * dist/browser.js, as a user's bundler would see `rx-realtime`), and `POST /session`, which mints an ephemeral key
 * server-side with `createClientSecret()`. The server's own key never reaches the page.
 *
 * Where it mints: Azure when `AZURE_OPENAI_ENDPOINT` is set (with `AZURE_OPENAI_DEPLOYMENT` and
 * `AZURE_OPENAI_API_KEY`, or Microsoft Entra ID through `DefaultAzureCredential`; optionally
 * `AZURE_OPENAI_TRANSCRIPTION_DEPLOYMENT` for the transcript of what you say), else an emulator it starts here.
 *
 *     npm run build && npx tsx examples/browser/serve.ts [--port 8080]
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { createClientSecret, type ClientSecretOptions } from 'rx-realtime';
import { startEmulator, type Emulator, type EmulatorOptions } from 'rx-realtime/testing';

const here = new URL('./', import.meta.url);
const root = new URL('../../', import.meta.url);

export interface DemoOptions {
  /** Port on 127.0.0.1. Default `0` (any free port). */
  readonly port?: number;
  /** Options of the emulator started when no Azure endpoint is configured. Default: realtime pacing. */
  readonly emulator?: EmulatorOptions;
  /** Where to read `AZURE_OPENAI_*` from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Demo {
  /** The page's address, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The emulator, when one was started. */
  readonly emulator: Emulator | undefined;
  /** The files esbuild bundled into the page and its worklets (the built package among them). */
  readonly bundleInputs: readonly string[];
  /** How many keys `POST /session` minted. */
  readonly minted: () => number;
  close(): Promise<void>;
}

/** The page's three scripts, bundled for the browser from the built package. */
async function bundle(): Promise<{ files: Map<string, string>; inputs: string[] }> {
  if (!existsSync(new URL('dist/browser.js', root)))
    throw new Error(
      'dist/browser.js is missing: run `npm run build` first (the page uses the built package)',
    );
  const result = await build({
    entryPoints: ['app', 'capture-worklet', 'playback-worklet'].map((n) =>
      fileURLToPath(new URL(`${n}.ts`, here)),
    ),
    absWorkingDir: fileURLToPath(root),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outdir: 'out',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // not the repo's tsconfig `paths` (they map rx-realtime to src): the package as a user installs it
    tsconfigRaw: '{}',
  });
  const files = new Map<string, string>();
  for (const f of result.outputFiles) files.set(`/${f.path.split('/').pop()}`, f.text);
  return { files, inputs: Object.keys(result.metafile.inputs) };
}

/** Starts the emulator (unless Azure is configured), bundles the page and serves both. */
export async function serveDemo(options: DemoOptions = {}): Promise<Demo> {
  const env = options.env ?? process.env;
  const { files, inputs } = await bundle();
  const html = await readFile(new URL('index.html', here), 'utf8');

  let emulator: Emulator | undefined;
  let mintOptions: ClientSecretOptions;
  // what the page needs besides its key: where to connect, and the input-transcription model (on Azure a
  // deployment name, protocol README §8; none, and the page shows no transcript of what you said)
  let page: { endpoint: string; deployment: string; transcription?: string };
  const azure = env['AZURE_OPENAI_ENDPOINT'];
  if (azure) {
    const deployment = env['AZURE_OPENAI_DEPLOYMENT'];
    if (!deployment) throw new Error('AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_DEPLOYMENT is not');
    const apiKey = env['AZURE_OPENAI_API_KEY'];
    const auth = apiKey
      ? { apiKey }
      : { credential: new (await import('@azure/identity')).DefaultAzureCredential() };
    mintOptions = { endpoint: azure, deployment, ...auth };
    const transcription = env['AZURE_OPENAI_TRANSCRIPTION_DEPLOYMENT'];
    page = { endpoint: azure, deployment, ...(transcription ? { transcription } : {}) };
  } else {
    emulator = await startEmulator({ pace: 'realtime', ...options.emulator });
    mintOptions = { endpoint: emulator.endpoint, apiKey: emulator.apiKey, deployment: 'gpt-realtime' };
    page = { endpoint: emulator.endpoint, deployment: 'gpt-realtime', transcription: 'whisper-1' };
  }

  let minted = 0;
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'POST' && path === '/session') {
      // minted here, server-side: the page gets a key that opens sessions for a few minutes, never our own key
      const secret = await createClientSecret({ ...mintOptions, expiresAfterSeconds: 600 });
      minted += 1;
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({ ...page, key: secret.value, expiresAt: secret.expiresAt }),
      );
    }
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', html);
    const script = files.get(path);
    if (script !== undefined) return send(res, 200, 'text/javascript; charset=utf-8', script);
    return send(res, 404, 'text/plain', 'not found');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      // the error of createClientSecret() never holds a key (ClientSecretError scrubs it)
      console.error(`serve: ${req.method} ${req.url}: ${err.message}`);
      if (!res.headersSent) send(res, 502, 'text/plain', err.message);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    emulator,
    bundleInputs: inputs,
    minted: () => minted,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator?.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 8080;
  const demo = await serveDemo({ port });
  console.log(`rx-realtime browser example: open ${demo.url}`);
  console.log(
    demo.emulator ? `(talking to the emulator at ${demo.emulator.endpoint})` : '(talking to Azure)',
  );
  process.once('SIGINT', () => void demo.close().then(() => process.exit(0)));
}
