// One client of the burst benchmark in a process of its own (bench/pipeline.bench.ts starts one per client,
// bundled by esbuild, and keeps it for all the rounds): for each line `run` on stdin it runs the whole burst once
// and prints one JSON line, {@link ClientRun}. The parent asks one process at a time, so the clients never run at
// once; each keeps its own heap, garbage and JIT state across the rounds, as a service's process does, and none
// pays for another's garbage.
import { createInterface } from 'node:readline';
import { clients, type ClientRun, type ClientName, type Server } from './pipeline.bench';
import type { Dialect } from '../src/protocol';

interface Config extends Server {
  readonly client: ClientName;
  readonly dialect: Dialect;
}

const config = JSON.parse(process.env['BENCH_PIPELINE_CLIENT'] ?? '') as Config;
const client = clients[config.client];

async function run(): Promise<ClientRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await client(config, config.dialect);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, result };
}

// one run at a time, in the order asked
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', () => {
  queue = queue.then(run).then(
    (r) => void process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
process.stdin.on('end', () => void queue.then(() => process.exit(0)));
