// The emulator's payloads next to real ones: every recorded payload in test/fixtures/emulator/recorded-payloads.json
// (copied from the protocol corpus, with its source) has the same fields, of the same JSON types, in the emulator's
// version of that event; where the recording has the values a new session has, the values match too.
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/protocol';
import {
  appends,
  emulatorFixture,
  hello,
  textSession,
  useSessions,
  userText,
  type Ev,
  type Live,
} from './harness';

const start = useSessions();
const recorded = (
  JSON.parse(emulatorFixture('recorded-payloads.json')) as {
    events: { protocol: 'beta' | 'ga'; type: string; source: string; payload: Ev }[];
  }
).events;
const find = (protocol: 'beta' | 'ga', type: string, source = '') =>
  recorded.find((r) => r.protocol === protocol && r.type === type && r.source.includes(source))!.payload;

/** The fields and JSON types of a value: objects by key, arrays by their first element. */
function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return typeof v;
}

/** The paths of `recording`'s fields that `ours` lacks or types differently. */
function missingIn(ours: unknown, recording: unknown, path = ''): string[] {
  if (recording === null || typeof recording !== 'object')
    return JSON.stringify(shape(ours)) === JSON.stringify(shape(recording))
      ? []
      : [`${path}: ${JSON.stringify(shape(ours))} ≠ ${JSON.stringify(shape(recording))}`];
  if (Array.isArray(recording)) {
    if (!Array.isArray(ours)) return [`${path}: not an array`];
    return recording.length && ours.length ? missingIn(ours[0], recording[0], `${path}[0]`) : [];
  }
  if (ours === null || typeof ours !== 'object') return [`${path}: not an object`];
  return Object.keys(recording).flatMap((k) =>
    k in ours
      ? missingIn(
          (ours as Record<string, unknown>)[k],
          (recording as Record<string, unknown>)[k],
          `${path}.${k}`,
        )
      : [`${path}.${k}: missing`],
  );
}

const without = (o: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

async function audioTurn(dialect: Dialect): Promise<Live> {
  const s = await start(dialect, { reply: [{ text: 'Claro, dime.' }] });
  s.send(...appends(hello()));
  await s.next('rate_limits.updated');
  return s;
}

describe('GA payloads next to the recorded gpt-realtime session ([rec-GA])', () => {
  it('session.created: the same fields in the same order, the same defaults', async () => {
    const s = await start('ga');
    const ours = (await s.next('session.created'))['session'] as Record<string, unknown>;
    const real = find('ga', 'session.created')['session'] as Record<string, unknown>;
    expect(shape(ours)).toEqual(shape(real));
    expect(Object.keys(ours)).toEqual(Object.keys(real));
    expect(without(ours, 'id', 'model', 'instructions', 'expires_at')).toEqual(
      without(real, 'id', 'model', 'instructions', 'expires_at'),
    );
    // expires_at: epoch seconds, 30 minutes ahead (§1)
    const expected = (Date.now() + 30 * 60_000) / 1000;
    expect(ours['expires_at']).toBeGreaterThan(expected - 5);
    expect(ours['expires_at']).toBeLessThanOrEqual(expected);
  });

  it('session.updated, speech_started, response.created, response.done and rate_limits.updated have the recorded fields', async () => {
    const s = await audioTurn('ga');
    s.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Keep answers short.' } });
    await s.next('session.updated');
    const ours = (type: string) => s.events.find((e) => e.type === type) as unknown as Ev;
    for (const type of [
      'session.updated',
      'input_audio_buffer.speech_started',
      'response.created',
      'response.done',
      'rate_limits.updated',
    ]) {
      expect({ type, missing: missingIn(ours(type), find('ga', type)) }).toEqual({ type, missing: [] });
      expect({ type, shape: shape(ours(type)) }).toEqual({ type, shape: shape(find('ga', type)) });
    }
    const created = ours('response.created')['response'] as Record<string, unknown>;
    const real = find('ga', 'response.created')['response'] as Record<string, unknown>;
    expect(Object.keys(created)).toEqual(Object.keys(real));
    expect(without(created, 'id', 'conversation_id')).toEqual(without(real, 'id', 'conversation_id'));
    const done = ours('response.done')['response'] as { output: { content: unknown[] }[] };
    expect(done.output[0]!.content).toEqual([{ type: 'output_audio', transcript: 'Claro, dime.' }]);
  });

  it('error has the fields of the spec example', async () => {
    const s = await start('ga');
    s.send({ type: 'response.cancel', event_id: 'event_567' });
    const ours = await s.next('error');
    expect(shape(ours)).toEqual(shape(find('ga', 'error')));
  });
});

describe('preview payloads next to the recorded beta sessions (Azure how-to capture, [rec-beta])', () => {
  it('session.created has every field of the Azure capture, with its defaults', async () => {
    const s = await start('preview');
    const ours = (await s.next('session.created'))['session'] as Record<string, unknown>;
    const real = find('beta', 'session.created')['session'] as Record<string, unknown>;
    expect(missingIn(ours, real)).toEqual([]);
    const shared = Object.keys(real).filter(
      (k) => !['id', 'model', 'expires_at', 'instructions', 'turn_detection'].includes(k),
    );
    expect(Object.fromEntries(shared.map((k) => [k, ours[k]]))).toEqual(
      Object.fromEntries(shared.map((k) => [k, real[k]])),
    );
    // the 2024-12-17 capture predates create_response/interrupt_response; its values are ours
    expect(ours['turn_detection']).toMatchObject(real['turn_detection'] as object);
  });

  it('a text response.created is the recorded one but for IDs and metadata', async () => {
    const s = await start('preview');
    s.send(textSession('preview'), userText('hi'), {
      type: 'response.create',
      response: { metadata: { request_id: 'a68f767f-0d18-4494-9012-f113cf16d43a' } },
    });
    const ours = (await s.next('response.created'))['response'] as Record<string, unknown>;
    const real = find('beta', 'response.created', 'liusida')['response'] as Record<string, unknown>;
    expect(Object.keys(ours)).toEqual(Object.keys(real));
    expect(without(ours, 'id', 'conversation_id')).toEqual(without(real, 'id', 'conversation_id'));
  });

  it('an audio response.done has every field of the Azure capture', async () => {
    const s = await audioTurn('preview');
    const ours = s.events.find((e) => e.type === 'response.done') as unknown as Ev;
    expect(missingIn(ours, find('beta', 'response.done'))).toEqual([]);
    const created = s.events.find((e) => e.type === 'response.created') as unknown as Ev;
    expect(missingIn(created, find('beta', 'response.created', 'azure-ai-docs'))).toEqual([]);
  });
});
