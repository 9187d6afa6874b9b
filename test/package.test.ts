// The built package loads as its users load it: require and import, both entry points, types beside them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/client/version';

const root = new URL('..', import.meta.url);
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

describe('the built package', () => {
  if (!existsSync(new URL('dist/index.cjs', root))) {
    // CI builds before testing; a developer's first `npm test` builds here.
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }

  it('loads with require, both entry points', () => {
    expect(
      node([
        '-e',
        "const r=require('rx-realtime'),t=require('rx-realtime/testing');console.log(typeof r.connect,typeof r.decodeServerEvent,typeof r.encodeClientEvent,typeof r.splitResponses,typeof t.startEmulator)",
      ]),
    ).toBe('function function function function function');
  });

  it('loads with import, both entry points', () => {
    expect(
      node([
        '--input-type=module',
        '-e',
        "const r=await import('rx-realtime'),t=await import('rx-realtime/testing');console.log(typeof r.connect,typeof r.decodeServerEvent,typeof r.encodeClientEvent,typeof r.splitResponses,typeof t.startEmulator)",
      ]),
    ).toBe('function function function function function');
  });

  it('ships declarations for both module systems and a User-Agent version in step with package.json', () => {
    for (const f of ['index.d.ts', 'index.d.cts', 'testing.d.ts', 'testing.d.cts'])
      expect(existsSync(new URL(`dist/${f}`, root))).toBe(true);
    expect(JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version).toBe(VERSION);
  });
});
