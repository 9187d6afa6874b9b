// Builds dist/ as ESM (.js) + CJS (.cjs) with bundled declarations (.d.ts / .d.cts) for both entry points.
// Every dependency and peer stays external: the package ships only its own code.
import { chmodSync, readFileSync } from 'node:fs';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const deps = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
];
const external = (id) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));
// fp-ts has no "exports" map: Node's ESM loader needs the file's extension on a deep import.
const paths = (id) => (id.startsWith('fp-ts/lib/') && !id.endsWith('.js') ? `${id}.js` : id);
const entries = { index: 'src/index.ts', testing: 'src/testing/index.ts' };

// The browser build (dist/browser.js, ESM): src/client/defaultTransport.ts is swapped for its .browser.ts sibling
// (the platform's WebSocket), so that neither `ws` nor a Node built-in is reachable from it.
const browserTransport = {
  name: 'browser-default-transport',
  async resolveId(source, importer, options) {
    if (!/\/defaultTransport$/.test(source)) return null;
    const resolved = await this.resolve(`${source}.browser`, importer, { ...options, skipSelf: true });
    return resolved ?? null;
  },
};

// The command line (dist/cli.js): its own ESM build, never part of the library bundles (it bundles the library code
// it uses, so the library's entry points stay as they are).
const cli = {
  input: { cli: 'src/cli/index.ts' },
  external,
  plugins: [
    esbuild({ target: 'node20' }),
    { name: 'executable', writeBundle: () => chmodSync('dist/cli.js', 0o755) },
  ],
  output: {
    dir: 'dist',
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/cli-[name]-[hash].js',
    banner: '#!/usr/bin/env node',
    paths,
  },
};

export default [
  cli,
  {
    input: entries,
    external,
    plugins: [esbuild({ target: 'node20' })],
    output: [
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        paths,
      },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
        exports: 'named',
      },
    ],
  },
  {
    input: { browser: 'src/index.ts' },
    external: (id) => id !== 'ws' && !id.startsWith('node:') && external(id),
    plugins: [browserTransport, esbuild({ target: 'es2022' })],
    output: {
      dir: 'dist',
      format: 'es',
      paths,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
    },
  },
  ...Object.entries(entries).flatMap(([name, input]) => [
    { input, external, plugins: [dts()], output: { file: `dist/${name}.d.ts`, format: 'es' } },
    { input, external, plugins: [dts()], output: { file: `dist/${name}.d.cts`, format: 'es' } },
  ]),
];
