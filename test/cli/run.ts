// Runs the BUILT command line (dist/cli.js) as a child process, as `npx rx-realtime` would.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cli = join(root, 'dist/cli.js');
export const hello = join(root, 'test/fixtures/audio/hello.wav');

/** Builds dist/ when dist/cli.js is missing or older than a file of src/ (so the tests never run stale code). */
export function ensureBuilt(): void {
  const src = join(root, 'src');
  const newest = Math.max(
    ...readdirSync(src, { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(src, f)).mtimeMs),
  );
  if (existsSync(cli) && statSync(cli).mtimeMs >= newest) return;
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  if (!existsSync(cli)) throw new Error('npm run build made no dist/cli.js');
}

/** An environment with none of the settings the CLI reads (so a developer's own Azure settings never leak in). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(AZURE_OPENAI_|OPENAI_|RX_REALTIME_|NO_COLOR|FORCE_COLOR)/.test(k)) delete env[k];
  return { ...env, ...extra };
}

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rx-realtime ...args` to its end. */
export function run(
  args: readonly string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
  cwd = root,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running `rx-realtime ...args` (emulate): resolves once stdout has a line matching `ready`. */
export interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Sends SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function start(args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env,
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const running: Running = {
      child,
      stdout: '',
      stderr: '',
      stop: () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        return closed;
      },
    };
    let done = false;
    child.stdout!.on('data', (d: Buffer) => {
      running.stdout += d.toString();
      if (!done && ready.test(running.stdout)) {
        done = true;
        resolve(running);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (running.stderr += d.toString()));
    child.on('error', reject);
    void closed.then((code) => {
      if (!done) reject(new Error(`exited with ${code} before it was ready: ${running.stderr}`));
    });
  });
}
