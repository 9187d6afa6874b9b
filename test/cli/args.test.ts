import { describe, expect, it } from 'vitest';
import { helpText, parseArgs, UsageError, type CommandSpec } from '../../src/cli/args';
import { Output } from '../../src/cli/output';
import { readRecording, redact } from '../../src/cli/recording';

const spec: CommandSpec = {
  name: 'x',
  brief: 'x',
  usage: 'x <file>',
  summary: 'Does x.',
  flags: {
    out: { type: 'string', value: 'file', description: 'where' },
    port: { type: 'number', description: 'port' },
    fast: { type: 'boolean', description: 'fast' },
    mode: { type: 'string', description: 'mode', choices: ['a', 'b'] },
  },
  positionals: [1, 1],
};
const mistake = (argv: string[]) => {
  try {
    parseArgs(spec, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no UsageError');
};

describe('parseArgs', () => {
  it('reads --name value, --name=value, flags, --no-flag and positionals', () => {
    const p = parseArgs(spec, ['f.wav', '--out', 'o.wav', '--port=8080', '--fast']);
    expect([...p.flags]).toEqual([
      ['out', 'o.wav'],
      ['port', 8080],
      ['fast', true],
    ]);
    expect(p.positionals).toEqual(['f.wav']);
    expect(parseArgs(spec, ['--no-fast', 'f']).flags.get('fast')).toBe(false);
    expect(parseArgs(spec, ['--', '--not-a-flag']).positionals).toEqual(['--not-a-flag']);
  });

  it('refuses unknown, repeated, valueless and mistyped options, and wrong positional counts', () => {
    expect(mistake(['f', '--bogus'])).toBe('unknown option --bogus');
    expect(mistake(['f', '-x'])).toBe('unknown option -x');
    expect(mistake(['f', '--out', 'a', '--out', 'b'])).toBe('--out given twice');
    expect(mistake(['f', '--out'])).toBe('--out needs a file');
    expect(mistake(['f', '--out', '--fast'])).toBe('--out needs a file');
    expect(mistake(['f', '--port', '12x'])).toBe('--port must be a number (got "12x")');
    expect(mistake(['f', '--mode', 'c'])).toBe('--mode must be one of a, b (got "c")');
    expect(mistake(['f', '--fast=yes'])).toBe('--fast takes no value (or =true / =false)');
    expect(mistake(['f', '--no-out'])).toBe('unknown option --no-out');
    expect(mistake([])).toBe('missing argument: rx-realtime x <file>');
    expect(mistake(['a', 'b'])).toBe('unexpected argument "b"');
    expect(mistake(['f', '--constructor'])).toBe('unknown option --constructor');
  });

  it('takes --help anywhere, without checking the positionals', () => {
    expect(parseArgs(spec, ['--help']).help).toBe(true);
    expect(helpText(spec)).toContain('  --out <file>    where\n');
    expect(helpText(spec)).toContain('  --mode <value>  mode (a | b)\n');
  });
});

describe('Output', () => {
  const sink = (isTTY: boolean) => {
    const s = { text: '', isTTY, write: (t: string) => (s.text += t) };
    return s;
  };

  it('never writes a known secret, raw or percent-encoded', () => {
    const stdout = sink(false);
    const o = new Output({ stdout, stderr: sink(false), env: {} });
    o.secret('k/y+secret');
    o.out('key k/y+secret in k%2Fy%2Bsecret');
    expect(stdout.text).toBe('key *** in ***\n');
  });

  it('has no colour and no progress redraws off a terminal or with NO_COLOR', () => {
    const stderr = sink(false);
    const o = new Output({ stdout: sink(false), stderr, env: {} });
    o.progress('half');
    o.progress('all', true);
    expect(o.red('x')).toBe('x');
    expect(stderr.text).toBe('all\n');
    expect(new Output({ stdout: sink(true), stderr: sink(true), env: { NO_COLOR: '1' } }).red('x')).toBe('x');
    expect(new Output({ stdout: sink(true), stderr: sink(true), env: {} }).red('x')).toBe('\x1b[31mx\x1b[0m');
  });

  it('clears a progress line before another line is written, so lines never interleave', () => {
    const stderr = sink(true);
    const o = new Output({ stdout: sink(true), stderr, env: { NO_COLOR: '1' } });
    o.progress('up 1');
    o.log('● you: speaking');
    expect(stderr.text).toBe('\r\x1b[2Kup 1\r\x1b[2K● you: speaking\n');
  });
});

describe('recordings', () => {
  it('redact secret-named string fields, and keep token counts', () => {
    expect(
      redact({
        session: { client_secret: { value: 'ek_1' }, api_key: 'k', max_output_tokens: 'inf' },
        usage: { input_tokens: 3 },
        headers: { Authorization: 'Bearer t', 'x-token': 't' },
      }),
    ).toEqual({
      session: { client_secret: '[redacted]', api_key: '[redacted]', max_output_tokens: 'inf' },
      usage: { input_tokens: 3 },
      headers: { Authorization: '[redacted]', 'x-token': '[redacted]' },
    });
  });

  it('read back: server lines as written, client lines counted apart', () => {
    const r = readRecording(
      '{"type":"session.created"}\n{"type":"rx-realtime.client_event","event":{"type":"response.create"}}\n\nnot json\n',
    );
    expect(r).toEqual({ serverFrames: ['{"type":"session.created"}', 'not json'], clientEvents: 1 });
  });
});
