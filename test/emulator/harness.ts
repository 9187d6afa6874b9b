// Drives a real emulator through the library's own connect(): a session is a Subject of client events and the
// list of server events received so far.
import { readFileSync } from 'node:fs';
import { Subject, type Subscription } from 'rxjs';
import { connect, type ConnectOptions } from '../../src/client';
import {
  decodeServerEvent,
  isDecodeFailure,
  isUnknownEvent,
  type ClientEvent,
  type Dialect,
  type ServerMessage,
} from '../../src/protocol';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/testing';

export interface Live {
  readonly emulator: Emulator;
  readonly events: ServerMessage[];
  readonly client: Subject<ClientEvent>;
  send(...events: ClientEvent[]): void;
  /** Resolves with the first event (after `from`) that matches. */
  next(predicate: (e: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  types(): string[];
  error(): unknown;
  ended(): boolean;
  close(): Promise<void>;
}

export async function live(
  dialect: Dialect,
  options: EmulatorOptions = {},
  connectOptions: Partial<ConnectOptions> = {},
): Promise<Live> {
  const emulator = await startEmulator({ pace: 'fast', speech: 'builtin', ...options });
  const events: ServerMessage[] = [];
  const client = new Subject<ClientEvent>();
  let error: unknown;
  let ended = false;
  const waiters = new Set<() => void>();
  const sub: Subscription = connect({
    endpoint: emulator.endpoint,
    deployment: 'test-deployment',
    dialect,
    apiKey: emulator.apiKey,
    pingIntervalMs: 0,
    ...(emulator.certificate ? { ca: emulator.certificate } : {}),
    ...connectOptions,
  })(client).subscribe({
    next: (e) => {
      events.push(e);
      for (const w of [...waiters]) w();
    },
    error: (e) => {
      error = e;
      ended = true;
      for (const w of [...waiters]) w();
    },
    complete: () => {
      ended = true;
      for (const w of [...waiters]) w();
    },
  });
  let cursor = 0;
  return {
    emulator,
    events,
    client,
    send: (...e) => e.forEach((x) => client.next(x)),
    next: (predicate, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          for (; cursor < events.length; cursor++) {
            if (predicate(events[cursor]!)) {
              const found = events[cursor++]!;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(found);
              return;
            }
          }
          if (ended) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(
              new Error(
                `stream ended (${String(error)}) before the event came; saw ${events.map((e) => e.type).join(', ')}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; saw ${events.map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    types: () => events.map((e) => e.type as string),
    error: () => error,
    ended: () => ended,
    close: async () => {
      sub.unsubscribe();
      await emulator.close();
    },
  };
}

/** Every event decodes as a KNOWN event of its dialect (re-decoding the JSON with the dialect given). */
export function unknownOrInvalid(events: readonly ServerMessage[], dialect: Dialect): string[] {
  return events.flatMap((e) => {
    if (isDecodeFailure(e)) return [`failure: ${e.message}`];
    const again = decodeServerEvent(JSON.stringify(e), dialect);
    if (again._tag === 'Left') return [`${e.type as string}: ${again.left.message}`];
    return isUnknownEvent(again.right) ? [`unknown in ${dialect}: ${e.type as string}`] : [];
  });
}

export const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/audio/${name}`, import.meta.url)));
