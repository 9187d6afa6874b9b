import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { inputTranscripts } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

const ev = (type: string, fields: object, id: string) =>
  ({
    type: `conversation.item.input_audio_transcription.${type}`,
    event_id: `event_${id}`,
    ...fields,
  }) as ServerMessage;
const error = {
  type: 'transcription_error',
  code: 'audio_unintelligible',
  message: 'Audio is unintelligible.',
};
/** One-off events of these specs (the shared legend has no input transcription). */
export const transcriptionEvents = {
  r: ev('delta', { item_id: 'item_u', content_index: 0, delta: 'Hel' }, 'r'),
  s: ev('delta', { item_id: 'item_u', content_index: 0, delta: 'lo' }, 's'),
  f: ev('completed', { item_id: 'item_u', content_index: 0, transcript: 'Hello' }, 'f'),
  g: ev('failed', { item_id: 'item_v', content_index: 0, error }, 'g'),
  // another item's delta, without the optional content_index
  R: ev('delta', { item_id: 'item_v', delta: 'Bye' }, 'R'),
  F: ev(
    'completed',
    { item_id: 'item_v', content_index: 0, transcript: 'Bye.', usage: { type: 'duration', seconds: 1 } },
    'F',
  ),
};

const value = (itemId: string, text: string, final: boolean, more: object = {}) => ({
  itemId,
  contentIndex: 0,
  text,
  final,
  ...more,
});

describe.each(DIALECTS)('inputTranscripts (%s)', (dialect) => {
  const L = { ...legend(dialect), ...transcriptionEvents };

  it('gives the text so far at each delta, then the whole transcript once, final, at completed', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-v-w-r-c-s-a-f-d-|', L);
      expectObservable(source.pipe(inputTranscripts())).toBe('-----h---i---j---|', {
        h: value('item_u', 'Hel', false, { delta: 'Hel' }),
        i: value('item_u', 'Hello', false, { delta: 'lo' }),
        j: value('item_u', 'Hello', true),
      });
      expectSubscriptions(source.subscriptions).toBe('^----------------!');
    });
  });

  it('keeps interleaved items apart, and gives a final value with no deltas before it, with its usage', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-r-R-s-F-f-|', L).pipe(inputTranscripts())).toBe('-h-H-i-J-j-|', {
        h: value('item_u', 'Hel', false, { delta: 'Hel' }),
        H: value('item_v', 'Bye', false, { delta: 'Bye' }),
        i: value('item_u', 'Hello', false, { delta: 'lo' }),
        J: value('item_v', 'Bye.', true, { usage: { type: 'duration', seconds: 1 } }),
        j: value('item_u', 'Hello', true),
      });
      expectObservable(hot('-f-|', L).pipe(inputTranscripts())).toBe('-j-|', {
        j: value('item_u', 'Hello', true),
      });
    });
  });

  it('gives a failure as a final value with the error and the text so far; the stream goes on', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-R-g-r-|', L).pipe(inputTranscripts())).toBe('-H-k-h-|', {
        H: value('item_v', 'Bye', false, { delta: 'Bye' }),
        k: value('item_v', 'Bye', true, { error }),
        h: value('item_u', 'Hel', false, { delta: 'Hel' }),
      });
    });
  });

  it('ignores every other event, decode failures and unknown events included', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-p-a-t-k-n-z-d-|', L).pipe(inputTranscripts())).toBe('-----------------|');
    });
  });

  it('errors with the source, never ends with a never-ending source, and unsubscribes early', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<ServerMessage>('|').pipe(inputTranscripts())).toBe('|');
      expectObservable(cold<ServerMessage>('-').pipe(inputTranscripts())).toBe('-');
      const boom = new Error('boom');
      expectObservable(hot('-r-#', L, boom).pipe(inputTranscripts())).toBe(
        '-h-#',
        {
          h: value('item_u', 'Hel', false, { delta: 'Hel' }),
        },
        boom,
      );
      const never = hot('-r------', L);
      expectObservable(never.pipe(inputTranscripts()), '^--!').toBe('-h--', {
        h: value('item_u', 'Hel', false, { delta: 'Hel' }),
      });
      expectSubscriptions(never.subscriptions).toBe('^--!');
    });
  });
});
