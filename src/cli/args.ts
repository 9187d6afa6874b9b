/**
 * The command line's arguments: `--name value`, `--name=value`, `--flag`, `--no-flag` and positionals, checked
 * against a command's declared flags. Hand-written (node's `parseArgs` lacks per-command help and typed numbers).
 */

/** A flag a command accepts. */
export interface FlagSpec {
  readonly type: 'string' | 'number' | 'boolean';
  /** One line for `--help`. */
  readonly description: string;
  /** The value's name in `--help` (`--out <file>`). Default `value`. */
  readonly value?: string | undefined;
  /** Allowed values of a string flag. */
  readonly choices?: readonly string[] | undefined;
}

/** A command: its flags, its positionals and its help. */
export interface CommandSpec {
  readonly name: string;
  /** `talk <file.wav>`: the usage line after `rx-realtime`. */
  readonly usage: string;
  readonly summary: string;
  /** A few words for the list of commands. */
  readonly brief: string;
  /** Extra help text (environment, examples). */
  readonly details?: string | undefined;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** How many positionals: [min, max]. */
  readonly positionals: readonly [number, number];
}

export interface Parsed {
  readonly flags: ReadonlyMap<string, string | number | boolean>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** A mistake on the command line: exit code 2, with the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: CommandSpec,
  ) {
    super(message);
  }
}

/** Parses `argv` (the words after the command) against `spec`; throws {@link UsageError} on any mistake. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags = new Map<string, string | number | boolean>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === '--help' || word === '-h') {
      help = true;
      continue;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    if (!word.startsWith('--')) throw new UsageError(`unknown option ${word}`, spec);
    const eq = word.indexOf('=');
    let name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    let inline: string | undefined = eq < 0 ? undefined : word.slice(eq + 1);
    let negated = false;
    if (!(name in spec.flags) && name.startsWith('no-') && spec.flags[name.slice(3)]?.type === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (!flag) throw new UsageError(`unknown option --${name}`, spec);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`, spec);
    if (flag.type === 'boolean') {
      if (inline !== undefined) {
        if (inline !== 'true' && inline !== 'false')
          throw new UsageError(`--${name} takes no value (or =true / =false)`, spec);
        flags.set(name, (inline === 'true') !== negated);
      } else flags.set(name, !negated);
      continue;
    }
    if (negated) throw new UsageError(`unknown option --no-${name}`, spec);
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new UsageError(`--${name} needs a ${flag.value ?? 'value'}`, spec);
      inline = next;
      i++;
    }
    if (flag.choices && !flag.choices.includes(inline))
      throw new UsageError(
        `--${name} must be one of ${flag.choices.join(', ')} (got ${JSON.stringify(inline)})`,
        spec,
      );
    if (flag.type === 'number') {
      const n = Number(inline);
      if (inline.trim() === '' || !Number.isFinite(n))
        throw new UsageError(`--${name} must be a number (got ${JSON.stringify(inline)})`, spec);
      flags.set(name, n);
    } else flags.set(name, inline);
  }
  if (!help) {
    const [min, max] = spec.positionals;
    if (positionals.length < min) throw new UsageError(`missing argument: rx-realtime ${spec.usage}`, spec);
    if (positionals.length > max)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`, spec);
  }
  return { flags, positionals, help };
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const left = f.type === 'boolean' ? `--${name}` : `--${name} <${f.value ?? 'value'}>`;
    const choices = f.choices ? ` (${f.choices.join(' | ')})` : '';
    return [left, `${f.description}${choices}`] as const;
  });
  rows.push(['--help', 'this help']);
  const width = Math.max(...rows.map(([l]) => l.length));
  return [
    `usage: rx-realtime ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`),
    ...(spec.details ? ['', spec.details] : []),
    '',
  ].join('\n');
}

/** Typed reads of parsed flags. */
export const str = (p: Parsed, name: string): string | undefined => {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
};
export const num = (p: Parsed, name: string): number | undefined => {
  const v = p.flags.get(name);
  return typeof v === 'number' ? v : undefined;
};
export const bool = (p: Parsed, name: string): boolean => p.flags.get(name) === true;
