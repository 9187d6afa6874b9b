// The conformance corpus (copied from ../shared/protocol, see test/fixtures/protocol) is this project's Autobahn:
// every real payload decodes, every template and malformed example comes back as a typed failure or an unknown
// event, never as a throw.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ClientEvents,
  decodeClientEvent,
  decodeServerEvent,
  encodeClientEvent,
  EVENT_NAMES,
  isUnknownEvent,
  ServerEvents,
  type Dialect,
} from '../../src/protocol';

interface Entry {
  source: string;
  protocol: 'beta' | 'ga';
  type: string;
  payload: Record<string, unknown>;
  template?: boolean;
  notes?: string[];
}
const load = (name: string): Entry[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/protocol/${name}`, import.meta.url), 'utf8'));
const server = load('server-events.json');
const client = load('client-events.json');
const dialectOf = (e: Entry): Dialect => (e.protocol === 'beta' ? 'preview' : 'ga');
const wire = (codecs: readonly { types: readonly [{ props: { type: { value: string } } }, unknown] }[]) =>
  new Set(codecs.map((c) => c.types[0].props.type.value));
const previewServerTypes = wire(ServerEvents.previewServerCodecs as never);
const gaServerTypes = wire(ServerEvents.gaServerCodecs as never);
const clientTypes = wire(ClientEvents.previewClientCodecs as never);

/** The templates (Azure placeholder blocks) that lack a field §7 requires: exactly these are Left. */
const TEMPLATES_MISSING_A_REQUIRED_FIELD = [
  'conversation.item.created: expected ConversationItem at item, got undefined',
  'conversation.item.retrieved: expected ConversationItem at item, got undefined',
  'output_audio_buffer.cleared: expected string at response_id, got undefined',
  'output_audio_buffer.stopped: expected string at response_id, got undefined',
  'response.content_part.added: expected ContentPart at part, got undefined',
  'response.content_part.done: expected ContentPart at part, got undefined',
  'response.created: expected Response at response, got undefined',
  'response.done: expected Response at response, got undefined',
  'response.output_item.added: expected ConversationItem at item, got undefined',
  'response.output_item.done: expected ConversationItem at item, got undefined',
  'session.created: expected Session at session, got undefined',
  'session.updated: expected Session at session, got undefined',
  'conversation.item.create: expected ConversationItem at item, got undefined',
  'session.update: expected Session at session, got undefined',
];

describe('the server-event corpus', () => {
  const real = server.filter((e) => !e.template);

  it.each(real.map((e, i) => [i, e.protocol, e.type, e] as const))(
    '#%i (%s %s) decodes to Right in its dialect and without one',
    (_i, _p, _t, entry) => {
      const frame = JSON.stringify(entry.payload);
      for (const dialect of [dialectOf(entry), undefined]) {
        const result = decodeServerEvent(frame, dialect);
        expect(result._tag, result._tag === 'Left' ? result.left.message : '').toBe('Right');
        if (result._tag !== 'Right') continue;
        const known = (
          dialect === 'ga'
            ? gaServerTypes
            : dialect === 'preview'
              ? previewServerTypes
              : new Set([...previewServerTypes, ...gaServerTypes])
        ).has(entry.payload['type'] as string);
        // known types decode to their known variant; the only unknown one is the malformed leading-space dtmf type (§9.7)
        expect(isUnknownEvent(result.right)).toBe(!known);
        expect(JSON.stringify(result.right)).toBe(frame); // nothing dropped, nothing added
      }
    },
  );

  it('has exactly one non-template payload of an unknown type: the leading-space dtmf example of §9.7', () => {
    const unknown = real.filter((e) => {
      const r = decodeServerEvent(JSON.stringify(e.payload), dialectOf(e));
      return r._tag === 'Right' && isUnknownEvent(r.right);
    });
    expect(unknown.map((e) => e.payload['type'])).toEqual([' input_audio_buffer.dtmf_event_received']);
  });

  it('decodes templates to Left exactly where a required field is missing, and never throws', () => {
    const lefts: string[] = [];
    for (const entry of [...server, ...client].filter((e) => e.template)) {
      const decode = server.includes(entry) ? decodeServerEvent : decodeClientEvent;
      const result = decode(JSON.stringify(entry.payload), dialectOf(entry));
      if (result._tag === 'Left') lefts.push(result.left.message);
    }
    expect(lefts).toEqual(TEMPLATES_MISSING_A_REQUIRED_FIELD);
  });

  it('counts the event types typed per dialect', () => {
    expect([previewServerTypes.size, gaServerTypes.size, clientTypes.size]).toEqual([35, 47, 12]);
    for (const names of Object.values(EVENT_NAMES)) {
      expect(previewServerTypes.has(names.preview)).toBe(true);
      expect(gaServerTypes.has(names.ga)).toBe(true);
    }
  });
});

describe('the recorded sessions', () => {
  const lines = (name: string) =>
    readFileSync(new URL(`../fixtures/sessions/${name}`, import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');

  it('decodes the GA VAD turn line by line as known GA events', () => {
    const results = lines('ga-openai-gpt-realtime-vad-turn.bravedigger-sip-gateway.jsonl').map((l) =>
      decodeServerEvent(l, 'ga'),
    );
    expect(results.map((r) => (r._tag === 'Right' && !isUnknownEvent(r.right) ? 'known' : 'other'))).toEqual(
      Array(10).fill('known'),
    );
  });

  it('decodes the beta text response line by line; the two lossy "[Object]" lines are Left', () => {
    const results = lines('beta-openai-text-response.liusida-dictionary.jsonl').map((l) =>
      decodeServerEvent(l, 'preview'),
    );
    expect(results).toHaveLength(85);
    const lefts = results.flatMap((r, i) => (r._tag === 'Left' ? [[i + 1, r.left.message]] : []));
    expect(lefts.map(([line]) => line)).toEqual([84, 85]);
    expect(results.slice(0, 83).every((r) => r._tag === 'Right' && !isUnknownEvent(r.right))).toBe(true);
  });
});

describe('the client-event corpus', () => {
  it.each(client.filter((e) => !e.template).map((e, i) => [i, e.protocol, e.type, e] as const))(
    '#%i (%s %s) decodes and round-trips through encodeClientEvent',
    (_i, _p, _t, entry) => {
      const frame = JSON.stringify(entry.payload);
      const decoded = decodeClientEvent(frame, dialectOf(entry));
      expect(decoded._tag, decoded._tag === 'Left' ? decoded.left.message : '').toBe('Right');
      if (decoded._tag !== 'Right' || isUnknownEvent(decoded.right))
        throw new Error('expected a known client event');
      const again = decodeClientEvent(encodeClientEvent(decoded.right, dialectOf(entry)), dialectOf(entry));
      expect(again).toEqual(decoded);
    },
  );
});
