// The parent's side of bench/solo-client.ts (the memory and latency benchmarks' client processes): the bundle
// they run, and one run of one task in a fresh process.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundle, buildBundle } from './shared';
import type { SoloConfig } from './solo-client';

/** What a client process runs: its bundle and, in a file of its own, rx-realtime's. */
export interface SoloBundle {
  readonly client: string;
  readonly rxModule: string;
  /** The directory both are in (remove it when done). */
  readonly dir: string;
}

/**
 * bench/solo-client.ts bundled by esbuild (as the package ships: no tsx), and rx-realtime's sources beside it,
 * in bench/.build. rx-realtime is a file of its own, imported by the rx client at run time: bundled into the
 * client, its packages (rxjs, io-ts, fp-ts) would load in every client's process.
 */
export async function soloBundle(): Promise<SoloBundle> {
  const client = await buildBundle('solo-client');
  const dir = dirname(client);
  const rx = join(dir, 'rx-realtime.mjs');
  await bundle(fileURLToPath(new URL('../src/index.ts', import.meta.url)), rx);
  return { client, rxModule: pathToFileURL(rx).href, dir };
}

/** A task for {@link runSolo}: a {@link SoloConfig} without the module, which the bundle gives. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type SoloTask = OmitEach<SoloConfig, 'rxModule'>;

/** How much of a failed client's stderr its run's error quotes. */
const STDERR_KEPT = 2000;

/**
 * Runs one task in a fresh client process (`node --expose-gc`) and resolves with the JSON line it prints last.
 * A client that exits otherwise fails the run with its name, its exit code and the end of its stderr (which is
 * also passed through); one that hangs (a socket that never closes) is killed after `timeoutMs`.
 */
export function runSolo<T>(bundled: SoloBundle, config: SoloTask, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', bundled.client], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, BENCH_SOLO_CLIENT: JSON.stringify({ ...config, rxModule: bundled.rxModule }) },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk);
      err = (err + chunk).slice(-STDERR_KEPT);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // the result is the last line (a library's notice on stdout before it must not break the parse)
      if (code === 0) return resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      const why =
        signal === 'SIGKILL'
          ? `the ${config.client} client gave no result in ${timeoutMs / 1000} s`
          : `the ${config.client} client exited with ${code ?? signal}`;
      reject(new Error(err.trim() ? `${why}: ${err.trim().split('\n').slice(-3).join(' / ')}` : why));
    });
  });
}
