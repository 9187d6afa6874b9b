// The dialect-neutral table (src/protocol/dialect.ts) against the codecs: every neutral name is a typed event in
// each dialect, and isEvent recognises exactly its two wire names.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CONTENT_TYPES,
  EVENT_NAMES,
  decodeServerEvent,
  isAudioContent,
  isEvent,
  isTextContent,
  neutralNames,
  wireName,
  type NeutralEventName,
  type ServerMessage,
} from '../../src/protocol';
import { serverCodec } from '../../src/protocol/decode';
import { gaServerTypes, previewServerTypes } from './corpus';

const NAMES = Object.keys(EVENT_NAMES) as NeutralEventName[];

/** A decoded event of the wire type, built from the codec's required fields. */
const eventOf = (type: string) => {
  const part = { response_id: 'r', item_id: 'i', output_index: 0, content_index: 0 };
  const fields: Record<string, object> = {
    'conversation.item.created': { item: {} },
    'conversation.item.added': { item: {} },
    'conversation.item.done': { item: {} },
    'response.text.done': { ...part, text: 't' },
    'response.output_text.done': { ...part, text: 't' },
    'response.audio_transcript.done': { ...part, transcript: 't' },
    'response.output_audio_transcript.done': { ...part, transcript: 't' },
    'response.audio.done': part,
    'response.output_audio.done': part,
  };
  const r = decodeServerEvent(
    JSON.stringify({ type, event_id: 'e', ...(fields[type] ?? { ...part, delta: 'd' }) }),
  );
  if (r._tag !== 'Right') throw new Error(r.left.message);
  return r.right;
};

describe('the neutral names', () => {
  it('are this table (README §5)', () => {
    expect(EVENT_NAMES).toEqual({
      textDelta: { preview: 'response.text.delta', ga: 'response.output_text.delta' },
      textDone: { preview: 'response.text.done', ga: 'response.output_text.done' },
      audioDelta: { preview: 'response.audio.delta', ga: 'response.output_audio.delta' },
      audioDone: { preview: 'response.audio.done', ga: 'response.output_audio.done' },
      transcriptDelta: {
        preview: 'response.audio_transcript.delta',
        ga: 'response.output_audio_transcript.delta',
      },
      transcriptDone: {
        preview: 'response.audio_transcript.done',
        ga: 'response.output_audio_transcript.done',
      },
      itemAdded: { preview: 'conversation.item.created', ga: 'conversation.item.added' },
      itemDone: { preview: 'conversation.item.created', ga: 'conversation.item.done' },
    });
  });

  it.each(NAMES)('%s names a typed event in each dialect', (name) => {
    expect(previewServerTypes.has(wireName(name, 'preview'))).toBe(true);
    expect(gaServerTypes.has(wireName(name, 'ga'))).toBe(true);
    expect(serverCodec(wireName(name, 'preview'), 'preview')).toBeDefined();
    expect(serverCodec(wireName(name, 'ga'), 'ga')).toBeDefined();
  });

  it.each(NAMES)(
    'isEvent(e, %s) is true for its wire name in either dialect, false for every other name',
    (name) => {
      for (const other of NAMES) {
        for (const dialect of ['preview', 'ga'] as const) {
          const e = eventOf(wireName(other, dialect));
          expect(isEvent(e, name)).toBe(
            EVENT_NAMES[name].preview === e.type || EVENT_NAMES[name].ga === e.type,
          );
        }
      }
    },
  );

  it('isEvent is false for what is not an event', () => {
    const failure = decodeServerEvent('nope');
    expect(failure._tag === 'Left' && isEvent(failure.left, 'audioDelta')).toBe(false);
    expect(isEvent(null, 'audioDelta')).toBe(false);
    expect(isEvent(undefined, 'audioDelta')).toBe(false);
    expect(isEvent({ type: 'response.done' }, 'audioDelta')).toBe(false);
    // names outside the table (only possible from untyped code) match nothing, Object.prototype members included
    expect(isEvent({ type: undefined }, '__proto__' as NeutralEventName)).toBe(false);
    expect(isEvent({ type: 'response.audio.delta' }, 'toString' as NeutralEventName)).toBe(false);
  });

  it('wireName names the wire type per dialect, and refuses what is not in the table', () => {
    expect(wireName('audioDelta', 'ga')).toBe('response.output_audio.delta');
    expect(wireName('itemDone', 'preview')).toBe('conversation.item.created');
    expect(() => wireName('__proto__' as NeutralEventName, 'ga')).toThrow(
      new RangeError('wireName: unknown neutral event name "__proto__"'),
    );
    expect(() => wireName('audioDelta', 'beta' as never)).toThrow(
      new RangeError('wireName: unknown dialect "beta": expected "preview" or "ga"'),
    );
  });

  it('neutralNames lists what a wire name stands for', () => {
    expect(neutralNames('conversation.item.created')).toEqual(['itemAdded', 'itemDone']);
    expect(neutralNames('conversation.item.added')).toEqual(['itemAdded']);
    expect(neutralNames('response.output_audio.delta')).toEqual(['audioDelta']);
    expect(neutralNames('response.audio.delta')).toEqual(['audioDelta']);
    expect(neutralNames('response.done')).toEqual([]);
    expect(neutralNames('__proto__')).toEqual([]);
  });

  it('narrows to the event types of both dialects', () => {
    const e = eventOf('response.output_audio.delta') as ServerMessage;
    if (isEvent(e, 'audioDelta')) {
      expectTypeOf(e.delta).toEqualTypeOf<string>();
      expectTypeOf(e.type).toEqualTypeOf<'response.audio.delta' | 'response.output_audio.delta'>();
    }
    if (isEvent(e, 'itemAdded'))
      expectTypeOf(e.type).toEqualTypeOf<'conversation.item.created' | 'conversation.item.added'>();
  });
});

describe('content types of either dialect', () => {
  it('says text for text and output_text, audio for audio and output_audio (§5, §9.4)', () => {
    expect(CONTENT_TYPES).toEqual({ text: ['text', 'output_text'], audio: ['audio', 'output_audio'] });
    const all = [
      'text',
      'output_text',
      'audio',
      'output_audio',
      'input_text',
      'input_audio',
      'item_reference',
      undefined,
      3,
    ];
    expect(all.filter(isTextContent)).toEqual(['text', 'output_text']);
    expect(all.filter(isAudioContent)).toEqual(['audio', 'output_audio']);
  });
});
