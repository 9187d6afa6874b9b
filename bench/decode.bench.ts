// decodeServerEvent against bare JSON.parse on the same realistic frames, in both dialects.
import { bytesToBase64 } from '../src/audio/base64';
import { decodeServerEvent, type Dialect } from '../src/protocol';
import { compare, type Comparison } from './harness';

/** One response's frames as the service sends them: 50 audio deltas of 100 ms (24 kHz PCM16) interleaved with 50 transcript deltas. */
export function responseFrames(dialect: Dialect, n = 0): string[] {
  const ga = dialect === 'ga';
  const r = `resp_${n}`;
  const i = `item_${n}`;
  const ref = { response_id: r, item_id: i, output_index: 0, content_index: 0 };
  const pcm = new Uint8Array(4800);
  for (let k = 0; k < pcm.length; k++) pcm[k] = (k * 31 + n) & 0xff;
  const audio = bytesToBase64(pcm);
  const ev = (type: string, fields: object, k: number) =>
    JSON.stringify({ type, event_id: `event_${n}_${k}`, ...fields });
  const item = { id: i, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
  const frames = [
    ev(
      'response.created',
      {
        response: {
          object: 'realtime.response',
          id: r,
          status: 'in_progress',
          status_details: null,
          output: [],
          usage: null,
          metadata: null,
        },
      },
      0,
    ),
    ev('response.output_item.added', { response_id: r, output_index: 0, item }, 1),
    ev(ga ? 'conversation.item.added' : 'conversation.item.created', { previous_item_id: null, item }, 2),
    ev('response.content_part.added', { ...ref, part: { type: 'audio', transcript: '' } }, 3),
  ];
  for (let k = 0; k < 50; k++) {
    frames.push(
      ev(
        ga ? 'response.output_audio_transcript.delta' : 'response.audio_transcript.delta',
        { ...ref, delta: 'word ' },
        10 + 2 * k,
      ),
    );
    frames.push(
      ev(ga ? 'response.output_audio.delta' : 'response.audio.delta', { ...ref, delta: audio }, 11 + 2 * k),
    );
  }
  frames.push(
    ev(ga ? 'response.output_audio.done' : 'response.audio.done', ref, 200),
    ev(
      ga ? 'response.output_audio_transcript.done' : 'response.audio_transcript.done',
      { ...ref, transcript: 'word '.repeat(50) },
      201,
    ),
    ev(
      'response.content_part.done',
      { ...ref, part: { type: 'audio', transcript: 'word '.repeat(50) } },
      202,
    ),
    ev(
      'response.output_item.done',
      {
        response_id: r,
        output_index: 0,
        item: {
          ...item,
          status: 'completed',
          content: [{ type: ga ? 'output_audio' : 'audio', transcript: 'word '.repeat(50) }],
        },
      },
      203,
    ),
    ev(
      'response.done',
      {
        response: {
          object: 'realtime.response',
          id: r,
          status: 'completed',
          status_details: null,
          output: [],
          usage: {
            total_tokens: 300,
            input_tokens: 100,
            output_tokens: 200,
            input_token_details: { cached_tokens: 0, text_tokens: 100, audio_tokens: 0 },
            output_token_details: { text_tokens: 20, audio_tokens: 180 },
          },
        },
      },
      204,
    ),
    ev(
      'rate_limits.updated',
      {
        rate_limits: [
          { name: 'requests', limit: 1000, remaining: 999, reset_seconds: 0.06 },
          { name: 'tokens', limit: 40000, remaining: 39700, reset_seconds: 0.45 },
        ],
      },
      205,
    ),
  );
  return frames;
}

export async function benchDecode(): Promise<Comparison[]> {
  return (['preview', 'ga'] as const).map((dialect) => {
    const frames = responseFrames(dialect);
    return compare(
      `decodeServerEvent vs JSON.parse (${dialect}, ${frames.length} frames a response)`,
      () => {
        for (const f of frames) decodeServerEvent(f, dialect);
      },
      () => {
        for (const f of frames) JSON.parse(f);
      },
      { unit: 'events', perCall: frames.length },
    );
  });
}
