import { describe, expect, it } from 'vitest';
import { decodeServerEvent, isEvent, isUnknownEvent } from '../../src/protocol';

describe('isEvent and the other dialect', () => {
  it('is false for a GA delta on a preview connection: it decoded as unknown, so it was never validated', () => {
    const frame = JSON.stringify({
      type: 'response.output_audio.delta',
      event_id: 'e',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: 42,
    });
    const preview = decodeServerEvent(frame, 'preview');
    if (preview._tag !== 'Right') throw new Error('expected an unknown event');
    expect(isUnknownEvent(preview.right)).toBe(true);
    expect(isEvent(preview.right, 'audioDelta')).toBe(false);
    // without a dialect the same frame is a known GA event with a wrong shape
    expect(decodeServerEvent(frame)._tag).toBe('Left');
  });
});
