// decodeServerEvent / decodeClientEvent / decodeServerEventObject: the exact failure messages (pinned as io-ts
// pins its reporters'), what a decoded event keeps, and inputs that must not throw.
import { describe, expect, it } from 'vitest';
import {
  decodeClientEvent,
  decodeServerEvent,
  decodeServerEventObject,
  isDecodeFailure,
  isEvent,
  isUnknownEvent,
  unknownEventType,
  type DecodeFailure,
  type Dialect,
} from '../../src/protocol';

const left = (data: unknown, dialect?: Dialect): DecodeFailure => {
  const r = decodeServerEvent(data as string, dialect);
  if (r._tag !== 'Left') throw new Error(`expected Left, got ${JSON.stringify(r.right)}`);
  return r.left;
};
const right = (data: string, dialect?: Dialect) => {
  const r = decodeServerEvent(data, dialect);
  if (r._tag !== 'Right') throw new Error(`expected Right, got ${r.left.message}`);
  return r.right;
};
const message = (data: unknown, dialect?: Dialect) => left(data, dialect).message;

const DELTA = {
  type: 'response.audio.delta',
  event_id: 'event_1',
  response_id: 'resp_1',
  item_id: 'item_1',
  output_index: 0,
  content_index: 0,
  delta: 'AAAA',
};
const UNKNOWN_BRAND = Symbol.for('rx-realtime.UnknownEvent');

describe('decode failures: the message names the path and the expected type', () => {
  it('invalid JSON: V8\'s reason without the "(line L column C)" only Node 22 adds; the frame kept', () => {
    // These strings are the same on Node 20 and Node 22 (checked on v20.20.2 and v22.23.3).
    expect(message('{"type":')).toBe('invalid JSON: Unexpected end of JSON input');
    expect(message('')).toBe('invalid JSON: Unexpected end of JSON input');
    expect(message('not json')).toBe('invalid JSON: Unexpected token \'o\', "not json" is not valid JSON');
    expect(message('{"type":"error",}')).toBe(
      'invalid JSON: Expected double-quoted property name in JSON at position 16',
    );
    expect(message('{\n"type":"error",\n}')).toBe(
      'invalid JSON: Expected double-quoted property name in JSON at position 18',
    );
    expect(message('{"type":"error"}x')).toBe(
      'invalid JSON: Unexpected non-whitespace character after JSON at position 16',
    );
    const f = left('{"type":');
    expect(f.raw).toBe('{"type":');
    expect(f.eventType).toBeUndefined();
    expect(f.issues).toEqual([]);
    expect(isDecodeFailure(f)).toBe(true);
    expect(f.type).toBe('rx-realtime.decode_failure');
  });

  it('a JSON value that is not an object', () => {
    expect(message('[1,2]')).toBe('expected a JSON object with a "type", got an array');
    expect(message('null')).toBe('expected a JSON object with a "type", got null');
    expect(message('"x"')).toBe('expected a JSON object with a "type", got string "x"');
    expect(message('42')).toBe('expected a JSON object with a "type", got number 42');
    expect(message('false')).toBe('expected a JSON object with a "type", got boolean false');
  });

  it('a missing type', () => {
    const f = left('{"event_id":"e"}');
    expect(f.message).toBe('invalid event: expected string at type, got undefined');
    expect(f.issues).toEqual([{ path: 'type', expected: 'string', actual: 'undefined' }]);
    expect(f.eventType).toBeUndefined();
    // an own "__proto__" key is data, not a prototype: its "type" is not the event's
    expect(message('{"__proto__":{"type":"error"}}')).toBe(
      'invalid event: expected string at type, got undefined',
    );
  });

  it('a type that is not a string', () => {
    expect(message('{"type":7}')).toBe('invalid event: expected string at type, got 7');
    expect(message('{"type":null}')).toBe('invalid event: expected string at type, got null');
    expect(message('{"type":["error"]}')).toBe('invalid event: expected string at type, got ["error"]');
    expect(message('{"type":{"name":"error"}}')).toBe(
      'invalid event: expected string at type, got {"name":"error"}',
    );
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
    expect(
      message('{"type":"rate_limits.updated","event_id":"e","rate_limits":[{"name":"tokens","limit":"10"}]}'),
    ).toBe('rate_limits.updated: expected number at rate_limits.0.limit, got "10"');
    expect(
      message(
        '{"type":"session.updated","event_id":"e","session":{"audio":{"input":{"turn_detection":"server_vad"}}}}',
        'ga',
      ),
    ).toBe(
      'session.updated: expected (TurnDetection | null) at session.audio.input.turn_detection, got "server_vad"',
    );
    expect(
      message('{"type":"conversation.item.truncated","item_id":"i","content_index":0.5,"audio_end_ms":1}'),
    ).toBe('conversation.item.truncated: expected integer at content_index, got 0.5');
  });

  it('null where it is not allowed, with the count of the other issues', () => {
    const f = left(JSON.stringify({ ...DELTA, response_id: null, content_index: '0' }));
    expect(f.message).toBe('response.audio.delta: expected string at response_id, got null (and 1 more)');
    expect(f.issues).toEqual([
      { path: 'response_id', expected: 'string', actual: 'null' },
      { path: 'content_index', expected: 'integer', actual: '"0"' },
    ]);
    expect(
      message('{"type":"response.output_item.added","response_id":"r","output_index":0,"item":null}'),
    ).toBe('response.output_item.added: expected ConversationItem at item, got null');
    expect(message('{"type":"error","event_id":"e","error":{"message":null}}')).toBe(
      'error: expected string at error.message, got null',
    );
  });

  it('a binary frame, as ws hands it over (Buffer, ArrayBuffer, fragments)', () => {
    const f = left(new Uint8Array([0xde, 0xad]));
    expect(f.message).toBe('binary frame (2 bytes): the Realtime protocol sends only JSON text frames');
    expect(f.raw).toEqual(new Uint8Array([0xde, 0xad]));
    expect(message(Buffer.from('{"type":"error"}'))).toBe(
      'binary frame (16 bytes): the Realtime protocol sends only JSON text frames',
    );
    expect(message(new ArrayBuffer(3))).toBe(
      'binary frame (3 bytes): the Realtime protocol sends only JSON text frames',
    );
    const fragments = left([Buffer.from([1]), Buffer.from([2, 3])]);
    expect(fragments.message).toBe(
      'binary frame (3 bytes): the Realtime protocol sends only JSON text frames',
    );
    expect(fragments.raw).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('something that is not a frame at all, at run time', () => {
    expect(message(undefined)).toBe('expected a text frame (string), got undefined');
    expect(message(null)).toBe('expected a text frame (string), got null');
    expect(message(42)).toBe('expected a text frame (string), got number 42');
    expect(message({ type: 'error' })).toBe('expected a text frame (string), got an object');
    expect(message(() => 1)).toBe('expected a text frame (string), got a function');
    expect(message(10n)).toBe('expected a text frame (string), got bigint 10n');
    expect(message(Symbol('s'))).toBe('expected a text frame (string), got symbol Symbol(s)');
    expect(message(Object.create(null))).toBe('expected a text frame (string), got an object');
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(left(hostile).raw).toBe('{}');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(left(proxy)).toMatchObject({
      message: "could not decode: Cannot perform 'getPrototypeOf' on a proxy that has been revoked",
      raw: '[unprintable object]',
    });
  });

  it('a dialect that is neither "preview" nor "ga"', () => {
    expect(message('{"type":"error"}', 'beta' as Dialect)).toBe(
      'unknown dialect "beta": expected "preview", "ga" or none',
    );
  });

  it('renders a value in at most 60 characters, and 1e400 as Infinity', () => {
    expect(message(`{"type":"response.done","response":${JSON.stringify('y'.repeat(100))}}`)).toBe(
      `response.done: expected Response at response, got "${'y'.repeat(56)}...`,
    );
    expect(message(`{"type":"response.done","response":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).toBe(
      `response.done: expected Response at response, got ${'['.repeat(57)}...`,
    );
    expect(
      message('{"type":"conversation.item.truncated","item_id":"i","content_index":0,"audio_end_ms":1e400}'),
    ).toBe('conversation.item.truncated: expected integer at audio_end_ms, got Infinity');
  });

  it('keeps at most 20 issues and counts the rest', () => {
    const limits = Array.from({ length: 1000 }, () => ({ limit: '1' }));
    const f = left(JSON.stringify({ type: 'rate_limits.updated', rate_limits: limits }));
    expect(f.message).toBe(
      'rate_limits.updated: expected number at rate_limits.0.limit, got "1" (and 999 more)',
    );
    expect(f.issues).toHaveLength(20);
    expect(f.issues[19]).toEqual({ path: 'rate_limits.19.limit', expected: 'number', actual: '"1"' });
  });

  it('decodes client frames by the same rules', () => {
    const f = decodeClientEvent('{"type":"conversation.item.truncate","item_id":"i","content_index":0}');
    expect(f._tag === 'Left' && f.left.message).toBe(
      'conversation.item.truncate: expected integer at audio_end_ms, got undefined',
    );
    const ga = decodeClientEvent('{"type":"session.update","session":{"instructions":"x"}}', 'ga');
    expect(ga._tag === 'Left' && ga.left.message).toBe(
      'session.update: expected string at session.type, got undefined',
    );
    expect(
      decodeClientEvent('{"type":"session.update","session":{"instructions":"x"}}', 'preview')._tag,
    ).toBe('Right');
  });
});

describe('decoding keeps everything and changes nothing', () => {
  it('keeps unknown fields, top-level and nested, on the event itself', () => {
    const frame =
      '{"type":"response.created","event_id":"e","timestamp":"2:30:35 PM","response":{"id":"r","status":"in_progress","voice":"marin","extra":{"a":1},"output":[{"id":"i","future":[1,2]}]}}';
    const e = right(frame);
    expect(JSON.stringify(e)).toBe(frame);
    expect(e).toEqual(JSON.parse(frame));
    expect((e as Record<string, unknown>)['timestamp']).toBe('2:30:35 PM');
  });

  it('lets unknown types through with every field, so that JSON.stringify gives the frame back', () => {
    const frame = '{"type":"response.brand_new","event_id":"e","x":[1,{"y":null}],"n":1.5,"s":"\\u00e9"}';
    const e = right(frame);
    expect(isUnknownEvent(e)).toBe(true);
    if (!isUnknownEvent(e)) return;
    expect(unknownEventType(e)).toBe('response.brand_new');
    expect(JSON.stringify(e)).toBe(JSON.stringify(JSON.parse(frame))); // "\u00e9" comes back as "é", as JSON.parse gives it
    const plain =
      '{"type":"mcp_approval.future","event_id":"event_9","nested":{"list":[1,2.5,"three",null,true]},"z":{}}';
    expect(JSON.stringify(right(plain))).toBe(plain);
    expect(JSON.stringify(right(plain, 'preview'))).toBe(plain);
    expect(Object.keys(e)).toEqual(['type', 'event_id', 'x', 'n', 's']);
    expect(e).toEqual(JSON.parse(frame));
  });

  it('returns the parsed object itself: a known event has no property JSON.parse did not make', () => {
    const frame = JSON.stringify({ ...DELTA, obfuscation: 'abc' });
    const e = right(frame);
    expect(Reflect.ownKeys(e)).toEqual(Reflect.ownKeys(JSON.parse(frame)));
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    const done = right('{"type":"response.done","event_id":"e","response":{"usage":null,"output":[]}}');
    expect(Reflect.ownKeys(done)).toEqual(['type', 'event_id', 'response']);
  });

  it('adds only a non-enumerable brand to an unknown event', () => {
    const frame = '{"type":"x.y","a":{"b":[]}}';
    const e = right(frame);
    expect(Reflect.ownKeys(e)).toEqual(['type', 'a', UNKNOWN_BRAND]);
    expect(Object.getOwnPropertyDescriptor(e, UNKNOWN_BRAND)).toEqual({
      value: true,
      enumerable: false,
      writable: false,
      configurable: false,
    });
    expect({ ...e }).toEqual(JSON.parse(frame));
  });

  it('decodeServerEventObject validates the very object, touching nothing; a frozen unknown one is copied', () => {
    const event = { ...DELTA, extra: { z: 1 } };
    const before = structuredClone(event);
    const r = decodeServerEventObject(event, 'preview');
    expect(r._tag === 'Right' && r.right).toBe(event);
    expect(event).toEqual(before);
    expect(Reflect.ownKeys(event)).toEqual(Reflect.ownKeys(before));
    const frozen = Object.freeze({ type: 'brand.new', a: 1 });
    const u = decodeServerEventObject(frozen);
    expect(u._tag === 'Right' && isUnknownEvent(u.right) && u.right).toEqual({ type: 'brand.new', a: 1 });
    expect(Reflect.ownKeys(frozen)).toEqual(['type', 'a']);
    const bad = decodeServerEventObject({ ...DELTA, delta: 5 }, 'preview', 'the frame');
    expect(bad._tag === 'Left' && [bad.left.message, bad.left.raw]).toEqual([
      'response.audio.delta: expected string at delta, got 5',
      'the frame',
    ]);
    const getter = decodeServerEventObject({
      get type(): string {
        throw new Error('getter');
      },
    });
    expect(getter._tag === 'Left' && getter.left.message).toBe('could not decode: getter');
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
    right(
      '{"type":"rate_limits.updated","event_id":"e","rate_limits":[{"name":"tokens","reset_seconds":2.265}]}',
    );
    right(
      '{"type":"response.done","event_id":"e","response":{"status":"cancelled","status_details":{"type":"cancelled","reason":"turn_detected"},"metadata":null,"conversation_id":null,"max_output_tokens":"inf","usage":{"input_tokens":127,"input_token_details":{"cached_tokens":384}}}}',
    );
    right(
      '{"type":"response.output_item.done","response_id":"r","output_index":0,"item":{"type":"mcp_call","id":"m","server_label":"s","name":"n","arguments":"{}","output":null,"error":null}}',
      'ga',
    );
    right(
      '{"type":"session.updated","event_id":"e","session":{"turn_detection":{"type":"none"},"tools":[{"name":"f","parameters":{}}],"tool_choice":{"type":"function","function":{"name":"f"}}}}',
      'preview',
    );
    right(
      '{"type":"error","event_id":"e","error":{"type":"invalid_request_error","code":null,"message":"m","param":null,"event_id":null}}',
    );
  });

  it('requires name on GA response.function_call_arguments.done only (§5)', () => {
    const frame =
      '{"type":"response.function_call_arguments.done","event_id":"e","response_id":"r","item_id":"i","output_index":0,"call_id":"c","arguments":"{}"}';
    right(frame, 'preview');
    right(frame);
    expect(message(frame, 'ga')).toBe(
      'response.function_call_arguments.done: expected string at name, got undefined',
    );
    right(frame.replace('"arguments"', '"name":"f","arguments"'), 'ga');
  });

  it('treats GA names as unknown in preview and preview names as unknown in GA, both known without a dialect', () => {
    const ga = JSON.stringify({ ...DELTA, type: 'response.output_text.delta' });
    expect(isUnknownEvent(right(ga, 'preview'))).toBe(true);
    expect(isUnknownEvent(right(ga, 'ga'))).toBe(false);
    expect(isUnknownEvent(right(ga))).toBe(false);
    expect(isEvent(right(ga), 'textDelta')).toBe(true);
    const beta = JSON.stringify(DELTA);
    expect(isUnknownEvent(right(beta, 'ga'))).toBe(true);
    expect(isEvent(right(beta), 'audioDelta')).toBe(true);
  });
});

describe('decoding never throws', () => {
  it('on 100 000 nested arrays, at the top and inside an event', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(message(deep)).toBe('expected a JSON object with a "type", got an array');
    const inOpenField = right(
      `{"type":"response.done","event_id":"e","response":{"metadata":{"a":${deep}}}}`,
    );
    expect(isUnknownEvent(inOpenField)).toBe(false);
    expect(message(`{"type":"x","n":${'['.repeat(100_000)}`)).toBe(
      'invalid JSON: Unexpected end of JSON input',
    );
    expect(() => decodeServerEvent('{"a":'.repeat(100_000))).not.toThrow();
  });

  it('on 1 MB strings, valid or not', () => {
    const big = JSON.stringify({ ...DELTA, delta: 'A'.repeat(1 << 20) });
    expect(right(big)).toEqual(JSON.parse(big));
    expect(message('A'.repeat(1 << 20))).toBe(
      'invalid JSON: Unexpected token \'A\', "AAAAAAAAAA"... is not valid JSON',
    );
    expect(message(`{"type":"x","s":"${'A'.repeat(1 << 20)}`)).toBe(
      'invalid JSON: Unterminated string in JSON at position 1048593',
    );
  });

  it('on __proto__ keys, lone surrogates, 1e400 and type names that are Object.prototype members', () => {
    const proto = right(
      '{"type":"error","event_id":"e","error":{"message":"m","__proto__":{"x":1}},"__proto__":[]}',
    );
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['type', 'event_id', 'error', '__proto__']);
    const surrogate = right(JSON.stringify({ ...DELTA, type: 'response.text.delta', delta: '\ud800' }));
    expect((surrogate as { delta: string }).delta).toBe('\ud800');
    expect(right('{"type":"error","event_id":"e","error":{"message":"\\udc00"},"n":1e400}')).toMatchObject({
      n: Infinity,
    });
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      expect(isUnknownEvent(right(JSON.stringify({ type })))).toBe(true);
    }
  });

  it('on any value at all, for every decoder', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const values = [
      undefined,
      null,
      42,
      NaN,
      {},
      [],
      [1],
      Symbol('s'),
      () => 1,
      10n,
      proxy,
      Object.create(null),
    ];
    for (const value of values) {
      for (const dialect of [undefined, 'ga', 'preview', 'nope'] as Dialect[]) {
        expect(decodeServerEvent(value as never, dialect)._tag).toBe('Left');
        expect(decodeClientEvent(value as never, dialect)._tag).toBe('Left');
        expect(() => decodeServerEventObject(value, dialect)).not.toThrow();
      }
    }
  });
});
