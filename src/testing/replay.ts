/**
 * Replay mode: plays a recorded session (server events, one per JSONL line, as in `sessions/*.jsonl` of the
 * protocol corpus) to a client, then closes with 1000. For scenario tests and benchmarks.
 *
 * Lines are sent exactly as given (so malformed lines test a client's decoder too). Client events are read and
 * ignored. Pacing: `'fast'` sends as fast as the socket drains; `'realtime'` waits, after each audio delta, the
 * duration of its audio at 24 kHz PCM16 (recordings carry no timestamps, so audio is the only clock they have).
 */
import type { WebSocket } from 'ws';

/** Recorded server events: JSONL text, or its lines, or already-parsed objects. */
export type Recording = string | readonly (string | object)[];

/** The events of a recording, one frame each (blank lines skipped). */
export function recordingFrames(recording: Recording): string[] {
  const items = typeof recording === 'string' ? recording.split(/\r?\n/) : recording;
  return items
    .map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))
    .filter((line) => line.trim().length > 0);
}

/** Plays `frames` on `ws`; resolves when done (or when the socket closed first). Timers stop with the socket. */
export function replay(ws: WebSocket, frames: readonly string[], pace: 'realtime' | 'fast'): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    ws.once('close', stop);
    const next = () => {
      timer = undefined;
      while (i < frames.length && ws.readyState === ws.OPEN) {
        const frame = frames[i++]!;
        ws.send(frame);
        const waitMs = pace === 'realtime' ? audioMsOf(frame) : 0;
        if (waitMs > 0) return void (timer = setTimeout(next, waitMs));
        // let the socket drain instead of buffering a whole recording in memory
        if (ws.bufferedAmount > 1024 * 1024) return void (timer = setTimeout(next, 5));
      }
      ws.off('close', stop);
      if (ws.readyState === ws.OPEN) ws.close(1000, 'replay finished');
      resolve();
    };
    next();
  });
}

/** Milliseconds of 24 kHz PCM16 in an audio delta frame (0 for anything else). */
function audioMsOf(frame: string): number {
  if (!frame.includes('audio.delta')) return 0;
  try {
    const e = JSON.parse(frame) as { type?: unknown; delta?: unknown };
    if (
      (e.type === 'response.audio.delta' || e.type === 'response.output_audio.delta') &&
      typeof e.delta === 'string'
    ) {
      const padding = e.delta.endsWith('==') ? 2 : e.delta.endsWith('=') ? 1 : 0;
      return ((e.delta.length / 4) * 3 - padding) / 48;
    }
  } catch {
    // not JSON: sent as is, no wait
  }
  return 0;
}
