// Drives real emulators on 127.0.0.1: through the library's own connect() (a session is a Subject of client events
// and the list of server events received so far), or through a raw `ws` client for handshake-level checks. Every
// session opened with useSessions() is checked after its test: everything the emulator sent must decode as a
// KNOWN event of the session's dialect.
import { readFileSync } from 'node:fs';
import { Subject } from 'rxjs';
import { afterEach, expect } from 'vitest';
import WebSocket from 'ws';
import { bytesToBase64 } from '../../src/audio/base64';
import { toPcm16Mono24k } from '../../src/audio/wav';
import { connect, type ConnectOptions } from '../../src/client';
import {
  decodeServerEvent,
  isDecodeFailure,
  isUnknownEvent,
  type ClientEvent,
  type Dialect,
  type ServerMessage,
} from '../../src/protocol';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/testing/emulator';
import { record } from '../support/recorder';

/** A server event as a plain record, for reading fields in assertions. */
export type Ev = Record<string, unknown> & { type: string };

export interface Live {
  readonly emulator: Emulator;
  readonly dialect: Dialect;
  readonly events: ServerMessage[];
  send(...events: ClientEvent[]): void;
  /** The next event (after the previous match) of this type or matching this predicate. */
  next(match: string | ((e: Ev) => boolean), timeoutMs?: number): Promise<Ev>;
  /** The types received so far. */
  types(): string[];
  /** The types received so far, without deltas. */
  milestones(): string[];
  error(): unknown;
  ended(): boolean;
  /** Waits until the stream ended (error or complete). */
  end(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function live(
  dialect: Dialect,
  options: EmulatorOptions = {},
  connectOptions: Partial<ConnectOptions> = {},
): Promise<Live> {
  const emulator = await startEmulator({ pace: 'fast', speech: 'builtin', ...options });
  const client = new Subject<ClientEvent>();
  const recorder = record(
    connect({
      endpoint: emulator.endpoint,
      deployment: 'test-deployment',
      dialect,
      apiKey: emulator.apiKey,
      pingIntervalMs: 0,
      ...(emulator.certificate ? { ca: emulator.certificate } : {}),
      ...connectOptions,
    })(client),
    (e) => String(e.type),
  );
  const { events, until, error, ended } = recorder;
  let cursor = 0;
  const types = () => events.map((e) => e.type as string);
  return {
    emulator,
    dialect,
    events,
    send: (...e) => e.forEach((x) => client.next(x)),
    next: async (match, timeoutMs = 10_000) => {
      const test = typeof match === 'string' ? (e: Ev) => e.type === match : match;
      let found: Ev | undefined;
      await until(
        () => {
          for (; cursor < events.length; cursor++) {
            if (test(events[cursor] as unknown as Ev)) {
              found = events[cursor++] as unknown as Ev;
              return true;
            }
          }
          if (ended())
            throw new Error(
              `stream ended (${String(error())}) before ${String(match)}; saw ${types().join(', ')}`,
            );
          return false;
        },
        () => String(match),
        timeoutMs,
      );
      return found!;
    },
    types,
    milestones: () => types().filter((t) => !t.endsWith('.delta')),
    error,
    ended,
    end: (timeoutMs = 5000) => until(ended, 'the end of the stream', timeoutMs),
    close: async () => {
      recorder.subscription.unsubscribe();
      await emulator.close();
    },
  };
}

/** Every event decodes as a KNOWN event of its dialect (re-decoding its JSON with the dialect given). */
export function notKnown(events: readonly ServerMessage[], dialect: Dialect): string[] {
  return events.flatMap((e) => {
    if (isDecodeFailure(e)) return [`failure: ${e.message}`];
    const again = decodeServerEvent(JSON.stringify(e), dialect);
    if (again._tag === 'Left') return [`${e.type as string}: ${again.left.message}`];
    return isUnknownEvent(again.right) ? [`unknown in ${dialect}: ${e.type as string}`] : [];
  });
}

/**
 * `start(...)` opens a live session that is checked and closed after the test: every event it received must be a
 * known event of its dialect.
 */
export function useSessions(): typeof live {
  const opened: Live[] = [];
  afterEach(async () => {
    const sessions = opened.splice(0);
    try {
      for (const s of sessions) expect(notKnown(s.events, s.dialect)).toEqual([]);
    } finally {
      for (const s of sessions) await s.close();
    }
  });
  return async (...args) => {
    const s = await live(...args);
    opened.push(s);
    return s;
  };
}

export const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/audio/${name}`, import.meta.url)));
export const emulatorFixture = (name: string) =>
  readFileSync(new URL(`../fixtures/emulator/${name}`, import.meta.url), 'utf8');

/** hello.wav: 0.5 s of silence, a spoken question, 1.5 s of silence; 24 kHz mono PCM16. */
export const hello = () => toPcm16Mono24k(fixture('hello.wav'));

/** `input_audio_buffer.append` events of 100 ms each (PCM16, or any bytes per ms given). */
export function appends(bytes: Uint8Array, bytesPerMs = 48): ClientEvent[] {
  const out: ClientEvent[] = [];
  const chunk = 100 * bytesPerMs;
  for (let i = 0; i < bytes.byteLength; i += chunk)
    out.push({ type: 'input_audio_buffer.append', audio: bytesToBase64(bytes.subarray(i, i + chunk)) });
  return out;
}

export const silence = (ms: number) => new Uint8Array(ms * 48);

/** A user text message. */
export const userText = (text: string, eventId = 'evt_item'): ClientEvent => ({
  type: 'conversation.item.create',
  event_id: eventId,
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

/** A `session.update` for a text-only session, in the dialect's shape (§4), with more fields if given. */
export function textSession(dialect: Dialect, more: Record<string, unknown> = {}): ClientEvent {
  return {
    type: 'session.update',
    session:
      dialect === 'preview'
        ? { modalities: ['text'], ...more }
        : { type: 'realtime', output_modalities: ['text'], ...more },
  } as ClientEvent;
}

/** A `session.update` that sets turn detection (null: manual), in the dialect's shape. */
export function turnDetection(
  dialect: Dialect,
  td: Record<string, unknown> | null,
  more: Record<string, unknown> = {},
): ClientEvent {
  return {
    type: 'session.update',
    session:
      dialect === 'preview'
        ? { turn_detection: td, ...more }
        : { type: 'realtime', audio: { input: { turn_detection: td } }, ...more },
  } as ClientEvent;
}

/** Names that differ per dialect (§5). */
export const names = {
  preview: {
    itemAdded: ['conversation.item.created'],
    assistantItemDone: [] as string[],
    audio: 'response.audio',
    transcript: 'response.audio_transcript',
    text: 'response.text',
  },
  ga: {
    itemAdded: ['conversation.item.added', 'conversation.item.done'],
    assistantItemDone: ['conversation.item.done'],
    audio: 'response.output_audio',
    transcript: 'response.output_audio_transcript',
    text: 'response.output_text',
  },
};

/** The outcome of a raw WebSocket handshake: the HTTP refusal, or the first frame after it opened. */
export function handshake(
  url: string,
  options: WebSocket.ClientOptions = {},
  protocols?: string[],
): Promise<{ status: number; body: unknown } | { first: Ev }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as unknown });
        ws.terminate();
      });
    });
    ws.on('message', (data) => {
      resolve({ first: JSON.parse(data.toString()) as Ev });
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}
