/**
 * Where the CLI writes: results on stdout, status on stderr, colour only on a terminal without `NO_COLOR`, and every
 * line scrubbed of the secrets it knows (the api key, the bearer token) before it is written.
 *
 * A progress line (`\r`-updated, terminals only) is cleared before any other line is written, so a status line never
 * lands inside another line, and the transcript is written a whole line at a time.
 */
import { scrubber } from '../client/handshake';

export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

export interface OutputOptions {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export class Output {
  private readonly secrets = new Set<string>();
  /** {@link scrubber} of `secrets`, made again when one is added. */
  private scrubLine: ((text: string) => string) | undefined;
  private progressShown = false;
  readonly color: boolean;
  readonly interactive: boolean;

  constructor(private readonly options: OutputOptions) {
    const { env, stderr } = options;
    this.interactive = stderr.isTTY === true && env['TERM'] !== 'dumb';
    // https://no-color.org: any non-empty NO_COLOR turns colour off
    this.color = this.interactive && !env['NO_COLOR'] && env['FORCE_COLOR'] !== '0';
  }

  /**
   * A value never to be printed: every later line has it replaced by `***`, as the library's errors do (a short
   * value only where it stands alone, so that a test key does not mangle ordinary words).
   */
  secret(value: string | undefined): void {
    if (!value || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.scrubLine = scrubber([...this.secrets]);
  }

  scrub(text: string): string {
    return this.scrubLine === undefined ? text : this.scrubLine(text);
  }

  /** A result line on stdout. */
  out(line: string): void {
    this.clearProgress();
    this.options.stdout.write(`${this.scrub(line)}\n`);
  }

  /** A status line on stderr. */
  log(line: string): void {
    this.clearProgress();
    this.options.stderr.write(`${this.scrub(line)}\n`);
  }

  /** A progress line: redrawn in place on a terminal; elsewhere written only when `final` (no noise in logs). */
  progress(line: string, final = false): void {
    if (this.interactive) {
      this.options.stderr.write(`\r\x1b[2K${this.scrub(line)}${final ? '\n' : ''}`);
      this.progressShown = !final;
    } else if (final) this.log(line);
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.options.stderr.write('\r\x1b[2K');
    this.progressShown = false;
  }

  /** Styles: no escape codes when colour is off. */
  green = (s: string) => this.paint(32, s);
  red = (s: string) => this.paint(31, s);
  yellow = (s: string) => this.paint(33, s);
  dim = (s: string) => this.paint(2, s);
  bold = (s: string) => this.paint(1, s);

  private paint(code: number, s: string): string {
    return this.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

/** A progress bar of `width` cells for `done / total`. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
