/**
 * The shared legend of every marble diagram and spec: one letter = one event, in both dialects.
 *
 * Lowercase: response 1 (`resp_1`), an audio message `item_1`, content part 0 (audio + transcript "Hi there").
 * Uppercase: response 2 (`resp_2`), a text message `item_2`, content part 0 (text "Yes").
 *
 * | letter | event |
 * |---|---|
 * | c / C | response.created |
 * | o / O | response.output_item.added (message) |
 * | i / I | the item entering the conversation (preview `conversation.item.created`, GA `conversation.item.added`) |
 * | p / P | response.content_part.added (audio / text) |
 * | a | audio delta (3 bytes 0x00 0x01 0x02) · A: not used (keep `a` for audio) |
 * | t, u / T | transcript deltas "Hi", " there" / text delta "Yes" |
 * | x / X | audio done / text done ("Yes") |
 * | y | audio transcript done ("Hi there") |
 * | q / Q | response.content_part.done |
 * | e / E | response.output_item.done |
 * | d / D | response.done (completed) |
 * | v / w | input_audio_buffer.speech_started / speech_stopped (user item `item_u`) |
 * | z | error event (server_error) |
 * | k | a decode failure (a frame that was not JSON) |
 * | n | an unknown event type (`response.brand_new`) |
 *
 * A one-off event goes in a local map in its spec, never a re-used letter.
 */
import { decodeFailure, markUnknownEvent, type Dialect, type ServerMessage } from '../src/protocol';

export type Legend = Record<string, ServerMessage>;

export function legend(dialect: Dialect): Legend {
  const ga = dialect === 'ga';
  const name = (preview: string, gaName: string) => (ga ? gaName : preview) as never;
  const r = (n: 1 | 2) => `resp_${n}`;
  const item = (n: 1 | 2) => `item_${n}`;
  const ref = (n: 1 | 2) => ({ response_id: r(n), item_id: item(n), output_index: 0, content_index: 0 });
  const itemType = (n: 1 | 2) => (n === 1 ? (ga ? 'output_audio' : 'audio') : ga ? 'output_text' : 'text');
  const message = (n: 1 | 2, status: string) => ({
    id: item(n),
    type: 'message',
    status,
    role: 'assistant',
    content:
      status === 'completed'
        ? [n === 1 ? { type: itemType(1), transcript: 'Hi there' } : { type: itemType(2), text: 'Yes' }]
        : [],
    ...(ga ? {} : { object: 'realtime.item' }),
  });
  const response = (n: 1 | 2, status: string) => ({
    object: 'realtime.response',
    id: r(n),
    status,
    status_details: null,
    output: status === 'in_progress' ? [] : [message(n, 'completed')],
    metadata: n === 2 ? { topic: 'oob' } : null,
    usage: status === 'in_progress' ? null : { total_tokens: 10, input_tokens: 4, output_tokens: 6 },
  });
  const ev = (type: string, fields: object, id: string): ServerMessage =>
    ({ type, event_id: `event_${id}`, ...fields }) as never;
  return {
    c: ev('response.created', { response: response(1, 'in_progress') }, 'c'),
    o: ev(
      'response.output_item.added',
      { response_id: r(1), output_index: 0, item: message(1, 'in_progress') },
      'o',
    ),
    i: ev(
      name('conversation.item.created', 'conversation.item.added'),
      { previous_item_id: null, item: message(1, 'in_progress') },
      'i',
    ),
    p: ev('response.content_part.added', { ...ref(1), part: { type: 'audio', transcript: '' } }, 'p'),
    a: ev(name('response.audio.delta', 'response.output_audio.delta'), { ...ref(1), delta: 'AAEC' }, 'a'),
    t: ev(
      name('response.audio_transcript.delta', 'response.output_audio_transcript.delta'),
      { ...ref(1), delta: 'Hi' },
      't',
    ),
    u: ev(
      name('response.audio_transcript.delta', 'response.output_audio_transcript.delta'),
      { ...ref(1), delta: ' there' },
      'u',
    ),
    x: ev(name('response.audio.done', 'response.output_audio.done'), ref(1), 'x'),
    y: ev(
      name('response.audio_transcript.done', 'response.output_audio_transcript.done'),
      { ...ref(1), transcript: 'Hi there' },
      'y',
    ),
    q: ev('response.content_part.done', { ...ref(1), part: { type: 'audio', transcript: 'Hi there' } }, 'q'),
    e: ev(
      'response.output_item.done',
      { response_id: r(1), output_index: 0, item: message(1, 'completed') },
      'e',
    ),
    d: ev('response.done', { response: response(1, 'completed') }, 'd'),
    C: ev('response.created', { response: response(2, 'in_progress') }, 'C'),
    O: ev(
      'response.output_item.added',
      { response_id: r(2), output_index: 0, item: message(2, 'in_progress') },
      'O',
    ),
    I: ev(
      name('conversation.item.created', 'conversation.item.added'),
      { previous_item_id: item(1), item: message(2, 'in_progress') },
      'I',
    ),
    P: ev('response.content_part.added', { ...ref(2), part: { type: 'text', text: '' } }, 'P'),
    T: ev(name('response.text.delta', 'response.output_text.delta'), { ...ref(2), delta: 'Yes' }, 'T'),
    X: ev(name('response.text.done', 'response.output_text.done'), { ...ref(2), text: 'Yes' }, 'X'),
    Q: ev('response.content_part.done', { ...ref(2), part: { type: 'text', text: 'Yes' } }, 'Q'),
    E: ev(
      'response.output_item.done',
      { response_id: r(2), output_index: 0, item: message(2, 'completed') },
      'E',
    ),
    D: ev('response.done', { response: response(2, 'completed') }, 'D'),
    v: ev('input_audio_buffer.speech_started', { audio_start_ms: 500, item_id: 'item_u' }, 'v'),
    w: ev('input_audio_buffer.speech_stopped', { audio_end_ms: 2100, item_id: 'item_u' }, 'w'),
    z: ev(
      'error',
      { error: { type: 'server_error', code: null, message: 'boom', param: null, event_id: null } },
      'z',
    ),
    k: decodeFailure('invalid JSON: not json', 'not json'),
    n: markUnknownEvent({ type: 'response.brand_new', event_id: 'event_n' }) as never,
  };
}

/** The letters of a legend whose events belong to response 1 / response 2. */
export const RESPONSE_1 = 'coipatuxyqed';
export const RESPONSE_2 = 'COIPTXQED';
