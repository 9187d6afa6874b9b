/**
 * The `rx-realtime` executable (dist/cli.js, built with a `#!/usr/bin/env node` banner).
 *
 * `emulate` runs until SIGINT or SIGTERM and then closes the emulator cleanly (a second Ctrl-C exits at once with
 * 130); the other commands keep Node's default, so Ctrl-C ends them with 130.
 */
import { EXIT, main } from './main';

const argv = process.argv.slice(2);
const stop = new Promise<string>((resolve) => {
  if (argv[0] !== 'emulate') return;
  let signals = 0;
  const on = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(EXIT.interrupted);
    resolve(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
});

const exit = (code: number) => {
  process.exitCode = code;
  // normally the process ends when its output is flushed; a socket or timer someone left behind must not hold it
  setTimeout(() => process.exit(code), 1000).unref();
};

main(argv, process.env, { stdout: process.stdout, stderr: process.stderr }, stop).then(
  exit,
  (err: unknown) => {
    process.stderr.write(`rx-realtime: ${String(err)}\n`);
    exit(EXIT.failed);
  },
);
