// The emulator's time is injectable (a fake clock drives expiry), and what one session keeps of a flood of input
// audio is bounded: the per-turn buffer holds at most maxTurnAudioMs, whatever the client appends.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bytesToBase64 } from '../../src/audio/base64';
import type { Clock } from '../../src/testing/clock';
import { startEmulator, type Emulator } from '../../src/testing/emulator';

/** A clock whose time moves only when the test says. */
function fakeClock(startMs: number) {
  let now = startMs;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(++next, { at: now + ms, fn });
      return next;
    },
    clearTimeout: (t) => void timers.delete(t as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > now) continue;
      timers.delete(id);
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.size };
}

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function open(e: Emulator) {
  const ws = new WebSocket(e.url, { headers: { 'api-key': e.apiKey } });
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (d) => {
    events.push(JSON.parse(d.toString()) as Record<string, unknown>);
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  const until = (type: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const found = events.find((e) => e['type'] === type);
        if (found) {
          waiters.delete(check);
          resolve(found);
        }
      };
      waiters.add(check);
      check();
    });
  await new Promise((r) => ws.once('open', r));
  return { ws, events, until, closed };
}

describe('the injected clock', () => {
  it('sets expires_at from its time and expires the session when it says so, with session_expired and 1001', async () => {
    const fake = fakeClock(Date.UTC(2030, 0, 1));
    emulator = await startEmulator({
      pace: 'fast',
      speech: 'builtin',
      clock: fake.clock,
      maxSessionMs: 30 * 60_000,
    });
    const s = await open(emulator);
    const created = await s.until('session.created');
    expect((created['session'] as { expires_at: number }).expires_at).toBe(
      Date.UTC(2030, 0, 1, 0, 30) / 1000,
    );
    fake.advance(30 * 60_000 - 1);
    // a round trip: had it expired, the error would come first
    s.ws.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    await s.until('input_audio_buffer.cleared');
    expect(s.events.some((e) => e['type'] === 'error')).toBe(false);
    fake.advance(1);
    const expired = await s.until('error');
    expect(expired['error']).toMatchObject({
      code: 'session_expired',
      message: 'Your session hit the maximum duration of 30 minutes.',
      event_id: null,
    });
    expect(await s.closed).toBe(1001);
    expect(fake.pending()).toBe(0);
  });
});

describe('a flood of input audio', () => {
  it('keeps at most maxTurnAudioMs of one turn, however many MB are appended, and the commit is still transcribed', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heard: number[] = [];
    emulator = await startEmulator({
      pace: 'fast',
      speech: 'builtin',
      maxTurnAudioMs: 10_000,
      transcriber: (pcm) => {
        heard.push(pcm.byteLength);
        return 'ok';
      },
    });
    const s = await open(emulator);
    await s.until('session.created');
    s.ws.send(
      JSON.stringify({
        type: 'session.update',
        session: { turn_detection: null, input_audio_transcription: { model: 'gpt-4o-transcribe' } },
      }),
    );
    await s.until('session.updated');
    gc();
    const before = process.memoryUsage();
    // 120 appends of 1 MiB: about 22 minutes of 24 kHz PCM16, sent as fast as this client's socket takes it
    const chunk = JSON.stringify({
      type: 'input_audio_buffer.append',
      audio: bytesToBase64(new Uint8Array(1 << 20)),
    });
    for (let i = 0; i < 120; i++) {
      while (s.ws.bufferedAmount > 4 << 20) await new Promise((r) => setTimeout(r, 2));
      s.ws.send(chunk);
    }
    s.ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    const committed = await s.until('input_audio_buffer.committed');
    const done = await s.until('conversation.item.input_audio_transcription.completed');
    expect(done['item_id']).toBe(committed['item_id']);
    gc();
    const after = process.memoryUsage();
    // the transcriber got the last 10 s at most (10 s × 48 bytes/ms, plus one 1 MiB chunk of slack)
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBeLessThanOrEqual(10_000 * 48 + (1 << 20));
    expect(heard[0]).toBeGreaterThan(0);
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(
      32 << 20,
    );
    s.ws.terminate();
  });
});
