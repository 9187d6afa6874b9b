// Every ```ts block of README.md compiles as written against the BUILT package (resolved through its own
// package.json "exports", as a user's project resolves it), and every block marked `// runs against the emulator`
// runs to its end. One TypeScript program checks all blocks (strict, moduleResolution node16).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RUN_MARK = '// runs against the emulator';
/** A block that is a user's vitest test file: written as `block-N.test.ts` and run by vitest in the project. */
const TEST_MARK = '// a vitest test, run against the emulator';
/**
 * The line budgets of the Sessions examples (issue 14: what a new user writes for each task), by the heading the
 * block sits under. A block over its budget fails.
 */
const BUDGETS: Readonly<Record<string, number>> = {
  '(a) A spoken conversation from a WAV file': 40,
  '(b) A tool agent, text in': 30,
  '(c) Barge-in with your player’s clock': 40,
};

interface Block {
  readonly line: number;
  readonly section: string;
  readonly code: string;
  readonly file: string;
}

/** The ```ts blocks of a Markdown text, with the line they start on and the heading they sit under. */
export function tsBlocks(markdown: string): Omit<Block, 'file'>[] {
  const lines = markdown.split('\n');
  const blocks: Omit<Block, 'file'>[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6} /.test(line)) section = line.replace(/^#+ /, '');
    if (line.trim() !== '```ts' && line.trim() !== '```typescript') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    blocks.push({ line: start + 1, section, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

const blocks: Block[] = tsBlocks(readFileSync(join(root, 'README.md'), 'utf8')).map((b) => ({
  ...b,
  file: b.code.includes(TEST_MARK) ? `block-${b.line}.test.ts` : `block-${b.line}.ts`,
}));
let dir = '';
let diagnostics = new Map<string, string[]>();

beforeAll(() => {
  if (!existsSync(join(root, 'dist/index.d.ts')) || !existsSync(join(root, 'dist/testing.d.ts')))
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  // A fresh project: its node_modules holds rx-realtime (a link to this package) and what the blocks import.
  dir = mkdtempSync(join(tmpdir(), 'rx-realtime-readme-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  symlinkSync(root, join(modules, 'rx-realtime'), 'dir');
  for (const name of readdirSync(join(root, 'node_modules')))
    if (!name.startsWith('.')) symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-blocks', type: 'module' }));
  for (const b of blocks) writeFileSync(join(dir, b.file), b.code);
  // the WAV file the Sessions examples read, as a user's own file would sit beside their script
  writeFileSync(join(dir, 'two-turns.wav'), readFileSync(join(root, 'test/fixtures/audio/two-turns.wav')));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(modules, '@types')],
  };
  const program = ts.createProgram(
    blocks.map((b) => join(dir, b.file)),
    options,
  );
  diagnostics = new Map(blocks.map((b) => [b.file, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file ? d.file.fileName.slice(dir.length + 1) : '(program)';
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const list = diagnostics.get(file) ?? [];
    list.push(`line ${at}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    diagnostics.set(file, list);
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README.md', () => {
  it('has TypeScript blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('finds blocks and the section each sits under', () => {
    expect(
      tsBlocks('# A\n\n## B\n\n```ts\nconst x = 1;\n```\n\n```sh\nls\n```\n```ts\nlet y;\n```\n'),
    ).toEqual([
      { line: 6, section: 'B', code: 'const x = 1;' },
      { line: 13, section: 'B', code: 'let y;' },
    ]);
  });

  it.each(blocks.map((b) => [`line ${b.line} (${b.section})`, b] as const))(
    'the block at %s compiles as written against the built package',
    (_name, block) => {
      expect(diagnostics.get(block.file)).toEqual([]);
    },
  );

  const runnable = blocks.filter((b) => b.code.includes(RUN_MARK));
  it.each(runnable.map((b) => [`line ${b.line} (${b.section})`, b] as const))(
    'the block at %s runs against the emulator to its end',
    (_name, block) => {
      expect(diagnostics.get(block.file)).toEqual([]);
      const env = { ...process.env };
      delete env['AZURE_OPENAI_ENDPOINT'];
      delete env['AZURE_OPENAI_API_KEY'];
      delete env['OPENAI_API_KEY'];
      // throws (and fails the test) on a non-zero exit or when the block does not end within the timeout
      execFileSync(process.execPath, ['--import', 'tsx', block.file], {
        cwd: dir,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 60_000,
      });
    },
    90_000,
  );

  it.each(Object.entries(BUDGETS))('the example under "%s" is within %i lines', (section, budget) => {
    const block = blocks.find((b) => b.section === section);
    expect(block, `no ts block under the heading ${section}`).toBeDefined();
    const lines = block!.code.split('\n').filter((l) => l.trim() !== '' && l.trim() !== RUN_MARK).length;
    expect(lines).toBeLessThanOrEqual(budget);
  });

  const tests = blocks.filter((b) => b.code.includes(TEST_MARK));
  it.each(tests.map((b) => [`line ${b.line} (${b.section})`, b] as const))(
    'the vitest test at %s passes in a user project',
    (_name, block) => {
      expect(diagnostics.get(block.file)).toEqual([]);
      const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
      // throws (and fails this test) when the user's test fails or does not end
      execFileSync(process.execPath, [vitest, 'run', block.file, '--root', dir, '--reporter', 'dot'], {
        cwd: dir,
        env: { ...process.env, CI: 'true' },
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 60_000,
      });
    },
    90_000,
  );
});
