// The service benchmark's harness at tiny scale, so that it cannot rot unnoticed: two sessions per client for
// about half a second, each client in its own process, the replay server in another. Nothing here is about
// speed (no figure is asserted); it checks that every client produced a well-formed, complete result: every
// session ended by itself, every audio delta and transcript character arrived, the server received the appends
// the client says it sent, and each measurement is a finite number.
import { describe, expect, it } from 'vitest';
import { CLIENT_NAMES } from '../../bench/service-client';
import { runService } from '../../bench/service.bench';

/** Two sessions per client, five deltas a response, about half a second measured, from the sources. */
const TINY = {
  sessions: 2,
  measureMs: 300,
  rounds: 1,
  deltas: 5,
  rampMs: 50,
  warmupMs: 100,
  turnMs: 100,
  source: 'src',
} as const;

describe('the service benchmark harness', () => {
  it('runs raw, rx-realtime, openai and the floor at tiny scale, each with a complete, well-formed result', async () => {
    const { config, rounds } = await runService(TINY);
    expect(rounds).toHaveLength(1);
    const round = rounds[0]!;
    expect(Object.keys(round).sort()).toEqual(['floor', 'openai', 'raw', 'rx']);
    const deltas = config.sessions * config.responses * config.deltas;
    for (const [client, r] of Object.entries(round)) {
      expect({ client, problems: r.problems }).toEqual({ client, problems: [] });
      expect(r.client).toBe(client);
      expect(r.audioDeltas).toBe(deltas);
      expect(r.audioBytes).toBe(deltas * 4800);
      expect(r.errors).toEqual([]);
      expect(r.unfinished).toBe(0);
      expect(r.appendsSent).toBeGreaterThan(0);
      expect(r.serverReceived).toBeLessThanOrEqual(r.appendsSent);
      expect(r.serverReceived).toBeGreaterThanOrEqual(r.appendsSent - config.sessions);
      expect(r.latency.n).toBeGreaterThan(0);
      for (const x of [r.cpuMs, r.cpuPercent, r.rssMB, r.heapMB, r.latency.p50, r.latency.p99, r.windowMs])
        expect(Number.isFinite(x) && x > 0).toBe(true);
      expect(r.latency.p50).toBeLessThanOrEqual(r.latency.p99);
      expect(r.latency.p99).toBeLessThanOrEqual(r.latency.p999);
    }
  });
});

describe.each(['extra', 'spaced', 'nested', 'escaped', 'full'] as const)(
  'the service benchmark harness, %s frames',
  (shape) => {
    it('gives every client every audio delta, transcript character and latency stamp in that shape', async () => {
      const clients = ['raw', 'rawRx', 'rawRxSplit', 'rx', 'openai', 'floor', 'floorDecode'] as const;
      const { config, rounds } = await runService({ ...TINY, shape, clients });
      expect(Object.keys(rounds[0]!).sort()).toEqual([...clients].sort());
      for (const [client, r] of Object.entries(rounds[0]!)) {
        expect({ client, problems: r.problems }).toEqual({ client, problems: [] });
        expect(r.audioDeltas).toBe(config.sessions * config.responses * config.deltas);
        expect(r.audioBytes).toBe(r.audioDeltas * 4800);
        expect(r.transcriptChars).toBe(r.audioDeltas * 5);
        // the send time rode in the event id: a latency that parsed would be finite and small
        expect(r.latency.n).toBeGreaterThan(0);
        expect(Number.isFinite(r.latency.p99) && r.latency.p99 < 60_000).toBe(true);
      }
    });
  },
);

describe('the service benchmark harness without an uplink', () => {
  it('sends no append from any client (every one of CLIENT_NAMES) and still delivers every audio delta and transcript character', async () => {
    const clients = CLIENT_NAMES;
    const { config, rounds } = await runService({ ...TINY, uplink: false, clients });
    expect(Object.keys(rounds[0]!).sort()).toEqual([...clients].sort());
    for (const [client, r] of Object.entries(rounds[0]!)) {
      expect({ client, problems: r.problems }).toEqual({ client, problems: [] });
      expect({ client, sent: r.appendsSent, received: r.serverReceived }).toEqual({
        client,
        sent: 0,
        received: 0,
      });
      expect(r.audioDeltas).toBe(config.sessions * config.responses * config.deltas);
      expect(r.transcriptChars).toBe(r.audioDeltas * 5);
    }
  });
});
