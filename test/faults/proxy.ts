// A small TCP proxy on 127.0.0.1 for the fault tests: it forwards bytes both ways until told to black-hole them
// (keep both sockets, forward nothing), stall (stop reading from the client), or cut (destroy both without a FIN).
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Proxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: an `endpoint` for connect(). */
  readonly endpoint: string;
  /** New bytes are kept and forwarded to nobody, both ways; connections stay open. */
  blackHole(): void;
  /** Stop reading what the client sends (its writes pile up in the client); server bytes still flow. */
  stall(): void;
  /** Destroy every connection at once (the client sees a drop, 1006). */
  cut(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** A proxy to `127.0.0.1:targetPort`; with `blackHole: true` it forwards nothing from the start. */
export async function tcpProxy(targetPort: number, options: { blackHole?: boolean } = {}): Promise<Proxy> {
  const pairs: { client: Socket; upstream: Socket }[] = [];
  let holed = options.blackHole ?? false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    pairs.push({ client, upstream });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => holed || upstream.write(chunk));
    upstream.on('data', (chunk) => holed || client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    blackHole: () => void (holed = true),
    stall: () => {
      for (const p of pairs) p.client.pause();
    },
    cut: () => {
      for (const p of pairs) {
        p.client.resetAndDestroy();
        p.upstream.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) {
          p.client.destroy();
          p.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** The resources this process holds, by type (`process.getActiveResourcesInfo()`), e.g. `{ Timeout: 2 }`. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Waits (polling every 10 ms, up to `ms`) until the sockets, servers and timers are back to `baseline`. */
export async function expectResourcesBackTo(baseline: Record<string, number>, ms = 5000): Promise<void> {
  const kinds = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'TLSWrap'];
  const leftover = () => {
    const now = activeResources();
    return kinds
      .filter((k) => (now[k] ?? 0) > (baseline[k] ?? 0))
      .map((k) => `${k} ${now[k]} > ${baseline[k] ?? 0}`);
  };
  const start = Date.now();
  // the poll's own setTimeout is one Timeout: count it in
  while (leftover().length > 0) {
    if (Date.now() - start > ms) throw new Error(`resources left: ${leftover().join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
