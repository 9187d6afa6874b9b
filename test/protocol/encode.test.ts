import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../../src/audio/base64';
import { decodeClientEvent, encodeClientEvent, type ClientEvent } from '../../src/protocol';
import { base64Append } from '../../src/protocol/encode';

describe('encodeClientEvent', () => {
  it('is the JSON of the event, in either dialect', () => {
    const event: ClientEvent = {
      type: 'response.create',
      response: { conversation: 'none', metadata: { k: 'v' } },
    };
    const frame = '{"type":"response.create","response":{"conversation":"none","metadata":{"k":"v"}}}';
    expect(encodeClientEvent(event)).toBe(frame);
    expect(encodeClientEvent(event, 'preview')).toBe(frame);
    expect(encodeClientEvent(event, 'ga')).toBe(frame);
  });

  it("adds session.type 'realtime' to a GA session.update that has none (§4), and nothing else", () => {
    expect(encodeClientEvent({ type: 'session.update', session: { instructions: 'x' } }, 'ga')).toBe(
      '{"type":"session.update","session":{"type":"realtime","instructions":"x"}}',
    );
    expect(
      encodeClientEvent({ type: 'session.update', event_id: 'e', session: { type: 'transcription' } }, 'ga'),
    ).toBe('{"type":"session.update","event_id":"e","session":{"type":"transcription"}}');
    expect(encodeClientEvent({ type: 'session.update', session: { instructions: 'x' } }, 'preview')).toBe(
      '{"type":"session.update","session":{"instructions":"x"}}',
    );
    expect(encodeClientEvent({ type: 'session.update', session: { instructions: 'x' } })).toBe(
      '{"type":"session.update","session":{"instructions":"x"}}',
    );
  });

  it('never mutates the event it is given', () => {
    const event = { type: 'session.update' as const, session: { instructions: 'x' } };
    encodeClientEvent(event, 'ga');
    expect(event).toEqual({ type: 'session.update', session: { instructions: 'x' } });
  });

  it('gives a frame the GA decoder accepts where the GA codec requires session.type', () => {
    const frame = encodeClientEvent({ type: 'session.update', session: { voice: 'marin' } }, 'ga');
    expect(decodeClientEvent(frame, 'ga')._tag).toBe('Right');
    expect(decodeClientEvent('{"type":"session.update","session":{"voice":"marin"}}', 'ga')._tag).toBe(
      'Left',
    );
  });

  it("throws JSON.stringify's TypeError for what JSON cannot hold (not an event)", () => {
    expect(() => encodeClientEvent({ type: 'response.cancel', response_id: 10n } as never)).toThrow(
      'Do not know how to serialize a BigInt',
    );
  });
});

describe('encodeClientEvent for appends marked as library-encoded base64', () => {
  it('writes exactly what JSON.stringify writes', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(4800).fill(255)]) {
      const event = base64Append(bytesToBase64(bytes));
      // it is the plain { type, audio } to every reader: keys, spread, equality
      expect(Object.keys(event)).toEqual(['type', 'audio']);
      expect({ ...event }).toEqual({ type: 'input_audio_buffer.append', audio: event.audio });
      expect(encodeClientEvent(event)).toBe(JSON.stringify(event));
      expect(encodeClientEvent(event, 'ga')).toBe(JSON.stringify(event));
    }
    const unmarked = { type: 'input_audio_buffer.append' as const, audio: 'not "base64"' };
    expect(encodeClientEvent(unmarked)).toBe(JSON.stringify(unmarked));
  });

  it('falls back to JSON.stringify when the event changed after it was marked', () => {
    const withId = base64Append('AAEC') as {
      type: 'input_audio_buffer.append';
      audio: string;
      event_id?: string;
    };
    withId.event_id = 'e1';
    expect(encodeClientEvent(withId)).toBe(
      '{"type":"input_audio_buffer.append","audio":"AAEC","event_id":"e1"}',
    );
    const replaced = base64Append('AAEC') as { type: 'input_audio_buffer.append'; audio: string };
    replaced.audio = 'a "quoted" string';
    expect(encodeClientEvent(replaced)).toBe(JSON.stringify(replaced));
    expect(JSON.parse(encodeClientEvent(replaced))).toEqual(replaced);
    // a copy is a plain object: the general path, the same text
    const copy = { ...base64Append('AAEC') };
    expect(encodeClientEvent(copy)).toBe(JSON.stringify(copy));
  });
});
