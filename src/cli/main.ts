/**
 * `rx-realtime <command>`: the command line. Exit codes: 0 done; 1 the command failed (a connection error, a failed
 * doctor check, a missing file or setting); 2 a usage mistake (an unknown command or option, a missing argument);
 * 130 interrupted (Ctrl-C) before the command finished.
 */
import { readFileSync } from 'node:fs';
import { helpText, parseArgs, UsageError, type CommandSpec, type Parsed } from './args';
import { doctor, doctorSpec } from './doctor';
import { emulate, emulateSpec } from './emulate';
import { Output } from './output';
import { replay, replaySpec } from './replay';
import { talk, recordSpec, talkSpec } from './talk';
import type { Env } from './target';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

interface Command {
  readonly spec: CommandSpec;
  run(parsed: Parsed, env: Env, output: Output, stop: Promise<string>): Promise<boolean | unknown>;
}

const commands: Readonly<Record<string, Command>> = {
  emulate: { spec: emulateSpec, run: (p, env, out, stop) => emulate(p, env, out, stop) },
  talk: { spec: talkSpec, run: (p, env, out) => talk(p, env, out, 'talk') },
  record: { spec: recordSpec, run: (p, env, out) => talk(p, env, out, 'record') },
  replay: { spec: replaySpec, run: (p, _env, out) => replay(p, out) },
  doctor: { spec: doctorSpec, run: (p, env, out) => doctor(p, env, out) },
};

const usage = () =>
  [
    'usage: rx-realtime <command> [options]',
    '',
    'commands:',
    ...Object.values(commands).map(({ spec }) => `  ${spec.name.padEnd(8)} ${spec.brief}`),
    '',
    'rx-realtime <command> --help   the options of a command',
    'rx-realtime --version          the version',
    '',
    'exit codes: 0 done, 1 failed, 2 usage mistake, 130 interrupted',
    '',
  ].join('\n');

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string | undefined;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the command line; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  env: Env = process.env,
  io = { stdout: process.stdout, stderr: process.stderr },
  stop: Promise<string> = new Promise<string>(() => {}),
): Promise<number> {
  const output = new Output({ ...io, env });
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const sub = name === 'help' && rest[0] ? commands[rest[0]] : undefined;
    io.stdout.write(sub ? helpText(sub.spec) : usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr.write(`rx-realtime: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT.usage;
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs(command.spec, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`rx-realtime ${name}: ${err.message}\n\n${helpText(command.spec)}`);
      return EXIT.usage;
    }
    throw err;
  }
  if (parsed.help) {
    io.stdout.write(helpText(command.spec));
    return EXIT.ok;
  }
  try {
    const result = await command.run(parsed, env, output, stop);
    return result === false ? EXIT.failed : EXIT.ok;
  } catch (err) {
    output.log(`rx-realtime ${name}: ${describe(err)}`);
    return EXIT.failed;
  }
}

/** An error as one line for a person: its name when it says something, its message, its cause's code. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const plain = err.name === 'Error' || err.name === 'SettingsError' || err.name === 'TalkTimeout';
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  return `${plain ? '' : `${err.name}: `}${err.message}${typeof cause === 'string' && !err.message.includes(cause) ? ` (${cause})` : ''}`;
}
