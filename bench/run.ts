// npm run bench: every benchmark, printed as ratios against a baseline measured in the same run.
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { benchUpload } from './audio.bench';
import { benchDecode } from './decode.bench';
import type { Comparison } from './harness';

const pkg = (name: string) => {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'))
      .version as string;
  } catch {
    return '?';
  }
};

async function main() {
  const started = Date.now();
  console.log(
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}`,
  );
  console.log(`versions: rxjs ${pkg('rxjs')}, io-ts ${pkg('io-ts')}, ws ${pkg('ws')}`);
  console.log(
    'ratios: candidate / baseline throughput, median (min–max) of interleaved rounds; absolute numbers do not carry between runs\n',
  );
  const rows: Comparison[] = [...(await benchDecode()), ...(await benchUpload())];
  console.log('| benchmark | ratio (median) | min–max | notes |');
  console.log('|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.ratio.toFixed(2)}× | ${r.min.toFixed(2)}–${r.max.toFixed(2)} | ${r.details} |`,
    );
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
