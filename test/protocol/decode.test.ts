import { describe, expect, it } from 'vitest';
import {
  decodeClientEvent,
  decodeServerEvent,
  encodeClientEvent,
  isDecodeFailure,
  isEvent,
  isUnknownEvent,
  unknownEventType,
  type DecodeFailure,
} from '../../src/protocol';
import { markBase64Append } from '../../src/protocol/encode';
import { bytesToBase64 } from '../../src/audio/base64';

const left = (data: unknown, dialect?: 'preview' | 'ga'): DecodeFailure => {
  const r = decodeServerEvent(data as string, dialect);
  if (r._tag !== 'Left') throw new Error(`expected Left, got ${JSON.stringify(r.right)}`);
  return r.left;
};
const right = (data: string, dialect?: 'preview' | 'ga') => {
  const r = decodeServerEvent(data, dialect);
  if (r._tag !== 'Right') throw new Error(`expected Right, got ${r.left.message}`);
  return r.right;
};
const jsonError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('decodeServerEvent failures name the path and the expected type', () => {
  it('invalid JSON keeps the raw frame', () => {
    const f = left('{"type":');
    expect(f.message).toBe(`invalid JSON: ${jsonError('{"type":')}`);
    expect(f.raw).toBe('{"type":');
    expect(isDecodeFailure(f)).toBe(true);
  });

  it('a JSON value that is not an object', () => {
    expect(left('[1,2]').message).toBe('expected a JSON object with a "type", got an array');
    expect(left('null').message).toBe('expected a JSON object with a "type", got null');
    expect(left('"x"').message).toBe('expected a JSON object with a "type", got string "x"');
  });

  it('a missing or non-string type', () => {
    expect(left('{"event_id":"e"}').message).toBe('invalid event: expected string at type, got undefined');
    expect(left('{"type":7}').message).toBe('invalid event: expected string at type, got 7');
  });

  it('a wrong field type at a nested path', () => {
    const f = left(
      '{"type":"response.done","event_id":"e","response":{"output":[{"id":"i","content":[{"type":3}]}]}}',
    );
    expect(f.message).toBe('response.done: expected ContentType at response.output.0.content.0.type, got 3');
    expect(f.eventType).toBe('response.done');
    expect(f.issues).toEqual([
      { path: 'response.output.0.content.0.type', expected: 'ContentType', actual: '3' },
    ]);
  });

  it('null where it is not allowed, and several issues', () => {
    const f = left(
      '{"type":"response.audio.delta","event_id":"e","response_id":null,"item_id":"i","output_index":0,"content_index":"0","delta":"AA=="}',
    );
    expect(f.message).toBe('response.audio.delta: expected string at response_id, got null (and 1 more)');
    expect(f.issues.map((i) => `${i.path}: ${i.expected}`)).toEqual([
      'response_id: string',
      'content_index: integer',
    ]);
  });

  it('a binary frame', () => {
    const f = left(new Uint8Array([0xde, 0xad]));
    expect(f.message).toBe('binary frame (2 bytes): the Realtime protocol sends only JSON text frames');
    expect(f.raw).toEqual(new Uint8Array([0xde, 0xad]));
    expect(left(undefined).message).toBe('expected a text frame (string), got undefined undefined');
  });
});

describe('decodeServerEvent keeps everything', () => {
  it('keeps unknown fields, top-level and nested', () => {
    const frame =
      '{"type":"response.created","event_id":"e","timestamp":"2:30:35 PM","response":{"id":"r","status":"in_progress","voice":"marin","extra":{"a":1}}}';
    expect(JSON.stringify(right(frame))).toBe(frame);
  });

  it('lets unknown types through with every field, marked but unchanged', () => {
    const frame = '{"type":"response.brand_new","event_id":"e","x":[1,{"y":null}]}';
    const e = right(frame);
    expect(isUnknownEvent(e)).toBe(true);
    if (!isUnknownEvent(e)) return;
    expect(unknownEventType(e)).toBe('response.brand_new');
    expect(JSON.stringify(e)).toBe(frame);
    expect(Object.keys(e)).toEqual(['type', 'event_id', 'x']);
  });

  it('accepts the nulls and enum drift real servers send (§9.2, §9.4)', () => {
    right(
      '{"type":"conversation.item.created","event_id":"e","previous_item_id":null,"item":{"id":"i","type":"message","status":"in_progress","role":"assistant","content":[{"type":"audio","transcript":null}]}}',
      'preview',
    );
    right(
      '{"type":"session.created","event_id":"e","session":{"type":"realtime","tracing":null,"prompt":null,"include":null,"audio":{"input":{"transcription":null,"noise_reduction":null,"turn_detection":{"type":"server_vad","idle_timeout_ms":null}},"output":{"voice":{"id":"custom"},"speed":1.0}}}}',
      'ga',
    );
    right('{"type":"rate_limits.updated","event_id":"e","rate_limits":[]}');
  });

  it('requires name on GA function_call_arguments.done only', () => {
    const frame =
      '{"type":"response.function_call_arguments.done","event_id":"e","response_id":"r","item_id":"i","output_index":0,"call_id":"c","arguments":"{}"}';
    right(frame, 'preview');
    right(frame);
    expect(left(frame, 'ga').message).toBe(
      'response.function_call_arguments.done: expected string at name, got undefined',
    );
  });

  it('treats GA names as unknown in preview and preview names as unknown in GA, known without a dialect', () => {
    const ga =
      '{"type":"response.output_text.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"x"}';
    expect(isUnknownEvent(right(ga, 'preview'))).toBe(true);
    expect(isUnknownEvent(right(ga))).toBe(false);
    expect(isEvent(right(ga), 'textDelta')).toBe(true);
  });

  it('never throws on hostile input', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => decodeServerEvent(deep)).not.toThrow();
    const big = JSON.stringify({
      type: 'response.audio.delta',
      event_id: 'e',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: 'A'.repeat(1 << 20),
    });
    expect(decodeServerEvent(big)._tag).toBe('Right');
    expect(
      decodeServerEvent(
        '{"type":"error","event_id":"e","error":{"message":"\\ud800","__proto__":{"x":1}},"n":1e400}',
      )._tag,
    ).toBe('Right');
    for (const value of [undefined, null, 42, {}, [], Symbol('s'), () => 1]) {
      expect(() => decodeServerEvent(value as never)).not.toThrow();
      expect(() => decodeClientEvent(value as never)).not.toThrow();
    }
  });
});

describe('encodeClientEvent', () => {
  it('is the JSON of the event', () => {
    expect(
      encodeClientEvent({
        type: 'response.create',
        response: { conversation: 'none', metadata: { k: 'v' } },
      }),
    ).toBe('{"type":"response.create","response":{"conversation":"none","metadata":{"k":"v"}}}');
  });

  it('adds the session type GA requires', () => {
    expect(encodeClientEvent({ type: 'session.update', session: { instructions: 'x' } }, 'ga')).toBe(
      '{"type":"session.update","session":{"type":"realtime","instructions":"x"}}',
    );
    expect(encodeClientEvent({ type: 'session.update', session: { instructions: 'x' } }, 'preview')).toBe(
      '{"type":"session.update","session":{"instructions":"x"}}',
    );
  });
});

describe('encodeClientEvent fast path for audio appends', () => {
  it('writes exactly what JSON.stringify writes for appends marked as library-encoded base64', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(4800).fill(255)]) {
      const event = markBase64Append({
        type: 'input_audio_buffer.append' as const,
        audio: bytesToBase64(bytes),
      });
      expect(encodeClientEvent(event)).toBe(JSON.stringify(event));
    }
    const unmarked = { type: 'input_audio_buffer.append' as const, audio: 'not "base64"' };
    expect(encodeClientEvent(unmarked)).toBe(JSON.stringify(unmarked));
  });
});
