// The §7 field tables of the protocol reference (test/fixtures/protocol/protocol-reference.md), row by row: every
// event of both dialects has a codec in its dialect's registry, every required field is required (but for the
// exceptions of §9 "Decisions"), and every listed field is checked for its type.
import { describe, expect, it } from 'vitest';
import { decodeClientEvent, decodeServerEvent, type Dialect } from '../../src/protocol';
import { clientCodec, serverCodec } from '../../src/protocol/decode';
import {
  gaClientTypes,
  gaServerTypes,
  outcome,
  previewClientTypes,
  previewServerTypes,
  section7,
  type Field,
  type Row,
} from './corpus';

const dialectOf = (row: Row): Dialect => (row.table.startsWith('Beta') ? 'preview' : 'ga');
const isServer = (row: Row) => row.table.endsWith('server');
const decode = (row: Row, payload: object) =>
  (isServer(row) ? decodeServerEvent : decodeClientEvent)(JSON.stringify(payload), dialectOf(row));

/** A value of the §7 type. GA's session.update session needs its `type` (§4: required there). */
function sample(type: string): unknown {
  const first = type.split(' | ')[0]!;
  if (first === 'string') return 'x';
  if (first === 'integer') return 1;
  if (first === 'number') return 1.5;
  if (first.startsWith('array<')) return [];
  if (first === 'RealtimeSessionCreateRequestGA') return { type: 'realtime' };
  return {}; // `object` and the named resources, whose fields are all optional (§9.3)
}

/** A value of the wrong JSON type for the §7 type (for `integer`, a fraction: JSON has no integer type). */
function wrong(type: string): unknown {
  const first = type.split(' | ')[0]!;
  if (first === 'string') return 1;
  if (first === 'integer') return 1.5;
  if (first === 'number') return '1';
  if (first.startsWith('array<')) return {};
  return 'x';
}

/** The name the codec gives the field's type, as failure messages print it. */
function expectedName(row: Row, field: Field): string {
  const byField: Record<string, string> = {
    error: 'ErrorDetails',
    part: 'ContentPart',
    rate_limits: 'Array<RateLimit>',
    previous_item_id: '(string | null)',
    event_id: '(string | null)',
    logprobs: '(Array<object> | null)',
    obfuscation: '(string | null)',
    languages: 'Array<unknown>',
    usage: 'object',
  };
  if (byField[field.name]) return byField[field.name]!;
  if (field.type === 'RealtimeConversationItem') return 'ConversationItem';
  if (field.type === 'RealtimeResponse') return 'Response';
  if (field.type === 'RealtimeResponseCreateParams') return 'ResponseCreateParams';
  if (field.type.startsWith('RealtimeSessionCreateRequestGA')) return 'GaSessionWithType';
  if (/Session/.test(field.type)) return 'Session';
  return field.type; // string, integer, number, object
}

/**
 * §9 "Decisions": required in §7, optional here. `event_id` (the GA DTMF event has none), `previous_item_id`
 * (real servers send null or omit it for the first item), GA transcription `usage` (recordings omit it).
 */
const OPTIONAL_BY_DECISION = (row: Row, field: Field) =>
  field.name === 'event_id' ||
  field.name === 'previous_item_id' ||
  (row.table === 'GA server' &&
    row.type === 'conversation.item.input_audio_transcription.completed' &&
    field.name === 'usage');

const minimal = (row: Row) =>
  Object.fromEntries([['type', row.type], ...row.required.map((f) => [f.name, sample(f.type)])]);

describe('§7: the tables of the protocol reference', () => {
  it('has the four tables with the rows this suite was written against', () => {
    const count = (table: Row['table']) => section7.filter((r) => r.table === table).length;
    expect([count('Beta client'), count('Beta server'), count('GA client'), count('GA server')]).toEqual([
      12, 34, 12, 47,
    ]);
  });

  it.each(section7.map((row) => [row.table, row.type, row] as const))(
    '%s %s: has a codec in its dialect, and its required fields decode',
    (_table, _type, row) => {
      const codec = (isServer(row) ? serverCodec : clientCodec)(row.type, dialectOf(row));
      expect(codec, `no codec for ${row.type} in ${dialectOf(row)}`).toBeDefined();
      expect(outcome(decode(row, minimal(row)))).toBe('known');
      expect(outcome(decode(row, { ...minimal(row), event_id: 'event_1' }))).toBe('known');
    },
  );

  it.each(section7.map((row) => [row.table, row.type, row] as const))(
    '%s %s: a missing or mistyped field is a Left that names it',
    (_table, _type, row) => {
      for (const field of row.required) {
        const { [field.name]: _dropped, ...without } = minimal(row);
        const missing = decode(row, without);
        if (OPTIONAL_BY_DECISION(row, field)) expect(outcome(missing)).toBe('known');
        else
          expect(outcome(missing)).toBe(
            `Left: ${row.type}: expected ${expectedName(row, field)} at ${field.name}, got undefined`,
          );
      }
      for (const field of [...row.required, ...row.optional]) {
        const bad = wrong(field.type);
        expect(outcome(decode(row, { ...minimal(row), [field.name]: bad }))).toBe(
          `Left: ${row.type}: expected ${expectedName(row, field)} at ${field.name}, got ${JSON.stringify(bad)}`,
        );
      }
      for (const field of row.optional) {
        expect(outcome(decode(row, { ...minimal(row), [field.name]: sample(field.type) }))).toBe('known');
      }
    },
  );

  it('makes optional exactly the required fields that §9 "Decisions" names', () => {
    const relaxed = section7.flatMap((row) =>
      row.required
        .filter((field) => {
          const { [field.name]: _dropped, ...without } = minimal(row);
          return outcome(decode(row, without)) === 'known';
        })
        .map((field) => `${row.table} ${row.type} ${field.name}`),
    );
    // event_id in all 81 server rows, plus these
    expect(relaxed.filter((r) => !r.endsWith(' event_id'))).toEqual([
      'Beta server conversation.item.created previous_item_id',
      'Beta server input_audio_buffer.committed previous_item_id',
      'GA server conversation.item.input_audio_transcription.completed usage',
    ]);
    expect(relaxed.filter((r) => r.endsWith(' event_id'))).toHaveLength(34 + 47 - 1); // the DTMF row lists none
  });

  it('types nothing §7 does not list, but for the beta transcription_session.created of the corpus', () => {
    const listed = (table: Row['table']) =>
      new Set(section7.filter((r) => r.table === table).map((r) => r.type));
    const extra = (typed: Set<string>, table: Row['table']) =>
      [...typed].filter((type) => !listed(table).has(type));
    expect(extra(previewServerTypes, 'Beta server')).toEqual(['transcription_session.created']);
    expect(extra(gaServerTypes, 'GA server')).toEqual([]);
    expect(extra(previewClientTypes, 'Beta client')).toEqual([]);
    expect(extra(gaClientTypes, 'GA client')).toEqual([]);
  });

  it('keeps each dialect to its own names: a name of the other dialect only is an unknown event there', () => {
    const betaOnly = [...previewServerTypes].filter((type) => !gaServerTypes.has(type));
    const gaOnly = [...gaServerTypes].filter((type) => !previewServerTypes.has(type));
    expect(betaOnly).toEqual([
      'transcription_session.created',
      'response.text.delta',
      'response.text.done',
      'response.audio.delta',
      'response.audio.done',
      'response.audio_transcript.delta',
      'response.audio_transcript.done',
    ]);
    expect(gaOnly).toHaveLength(19);
    for (const type of betaOnly)
      expect(outcome(decodeServerEvent(JSON.stringify({ type }), 'ga'))).toBe('unknown');
    for (const type of gaOnly)
      expect(outcome(decodeServerEvent(JSON.stringify({ type }), 'preview'))).toBe('unknown');
  });
});
