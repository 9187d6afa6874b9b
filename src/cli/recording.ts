/**
 * A session's recording as JSONL: one event per line in the order they happened. Server events are written as the
 * plain event objects (the format the emulator's replay mode and recorded-session corpora use); client events are
 * wrapped as `{"type":"rx-realtime.client_event","event":{…}}` so a reader can tell them apart and a replay can skip
 * them. Every line is redacted: values of secret-named fields (`api_key`, `client_secret`, `authorization`, `*_token`,
 * `password`, `secret`) become `"[redacted]"`, and the secrets the CLI knows are cut out of the text.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ClientEvent, ServerMessage } from '../protocol';
import type { Output } from './output';

export const CLIENT_EVENT = 'rx-realtime.client_event';

const SECRET_FIELD = /(^|[-_])(api[-_]?key|secret|client_secret|password|authorization|token)$/i;

/** A copy of `value` with the values of secret-named fields replaced (numbers stay: `max_output_tokens` is no secret). */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_FIELD.test(k) && v !== null && typeof v !== 'number' && typeof v !== 'boolean'
        ? '[redacted]'
        : redact(v);
  }
  return out;
}

/** Writes a recording line by line (synchronously, so the order is the order of events and nothing is held). */
export class Recorder {
  private fd: number | undefined;
  serverEvents = 0;
  clientEvents = 0;

  constructor(
    readonly path: string,
    private readonly output: Output,
  ) {
    this.fd = openSync(path, 'w');
  }

  server(event: ServerMessage): void {
    // a frame that did not decode is kept as it came, when it was text (it is what the service sent)
    if (event.type === 'rx-realtime.decode_failure') {
      const raw = (event as { raw: unknown }).raw;
      if (typeof raw === 'string' && !raw.includes('\n')) this.line(raw);
      return;
    }
    this.serverEvents++;
    this.line(JSON.stringify(redact(event)));
  }

  client(event: ClientEvent): void {
    this.clientEvents++;
    this.line(JSON.stringify({ type: CLIENT_EVENT, event: redact(event) }));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private line(text: string): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${this.output.scrub(text)}\n`);
  }
}

/** A recording read back: the server frames (text, as written) and how many client events it held. */
export interface ReadRecording {
  readonly serverFrames: readonly string[];
  readonly clientEvents: number;
}

export function readRecording(text: string): ReadRecording {
  const serverFrames: string[] = [];
  let clientEvents = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (line.includes(CLIENT_EVENT) && isClientLine(line)) clientEvents++;
    else serverFrames.push(line);
  }
  return { serverFrames, clientEvents };
}

const isClientLine = (line: string): boolean => {
  try {
    return (JSON.parse(line) as { type?: unknown }).type === CLIENT_EVENT;
  } catch {
    return false;
  }
};
