// scrub(): what every error message, log line and printed URL goes through before anyone sees it.
import { describe, expect, it } from 'vitest';
import { scrub, scrubber } from '../../src/client/handshake';
import { Output } from '../../src/cli/output';

const KEY = 'a1B2c3D4e5F6g7H8';

describe('scrub', () => {
  it('replaces a long secret wherever it appears, inside words and percent-encoded too', () => {
    expect(scrub(`key ${KEY}, x${KEY}y, again ${KEY}`, [KEY])).toBe('key ***, x***y, again ***');
    const tricky = 'ab+cd/ef=gh$ij&kl';
    expect(scrub(`?api-key=${encodeURIComponent(tricky)}&v=1 or ${tricky}`, [tricky])).toBe(
      '?api-key=***&v=1 or ***',
    );
  });

  it('replaces the longest first, so a secret inside another goes with it', () => {
    expect(scrub('token abcdefghij-XYZ and abcdefghij', ['abcdefghij', 'abcdefghij-XYZ'])).toBe(
      'token *** and ***',
    );
  });

  it('replaces a short secret only as a whole token, so ordinary words survive', () => {
    expect(scrub('keep-alive: no pong; api-key=k&deployment=d; Bearer k', ['k'])).toBe(
      'keep-alive: no pong; api-key=***&deployment=d; Bearer ***',
    );
    expect(scrub('k', ['k'])).toBe('***');
    // regular-expression characters in a short secret are matched as themselves
    expect(scrub('a.b axb (a.b)', ['a.b'])).toBe('*** axb (***)');
  });

  it('ignores empty and absent secrets', () => {
    expect(scrub('nothing to hide', ['', undefined])).toBe('nothing to hide');
  });

  it('scrubs line after line with one scrubber, as the CLI writes a recording', () => {
    const line = scrubber([KEY, 'k']);
    // the short secret's pattern is global: each line is scrubbed from its start, whatever the line before
    for (let i = 0; i < 3; i++) {
      expect(line(`api-key=k&x=${KEY} keep`)).toBe('api-key=***&x=*** keep');
      expect(line('k')).toBe('***');
      expect(line('nothing')).toBe('nothing');
    }
  });
});

describe('the CLI output', () => {
  it('scrubs every later line of a secret added, and of each one added after it', () => {
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text) };
    const output = new Output({ stdout: stream, stderr: stream, env: {} });
    output.out(`before ${KEY}`);
    output.secret(KEY);
    output.out(`after ${KEY}`);
    output.secret('tok');
    output.secret('tok');
    output.log(`Bearer tok and ${KEY}`);
    expect(written).toEqual([`before ${KEY}\n`, 'after ***\n', 'Bearer *** and ***\n']);
  });
});
