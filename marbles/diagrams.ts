/**
 * One diagram per public operator: the pictures of the README, run by `diagrams.test.ts` through TestScheduler in
 * both dialects so the docs cannot drift. Letters are those of `legend.ts`; values a diagram emits are in its
 * own `values` map.
 */
import type { OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../src/protocol';
import {
  assistantSpeaking,
  audioDecodeFailure,
  audioDeltas,
  collectAudio,
  collectText,
  conversation,
  functionCallArguments,
  inputTranscripts,
  interruptOnSpeech,
  ofType,
  splitContentParts,
  splitItems,
  splitResponses,
  textDeltas,
  transcriptDeltas,
  turnMetrics,
  userSpeaking,
} from '../src/operators';

export interface Diagram {
  readonly operator: string;
  /** Server traffic (hot), in legend letters. */
  readonly source: string;
  readonly expected: string;
  /** Values of `expected` that are not legend events. */
  readonly values?: Record<string, unknown>;
  /** Inner streams of split operators: letter → cold diagram in legend letters. */
  readonly inner?: Record<string, string>;
  /** Extra legend entries for this diagram only. */
  readonly local?: (dialectLegend: Record<string, ServerMessage>) => Record<string, ServerMessage>;
  readonly apply: () => OperatorFunction<ServerMessage, unknown>;
}

const bytes = new Uint8Array([0, 1, 2]);
const item1 = {
  id: 'item_1',
  type: 'message',
  role: 'assistant',
  status: 'in_progress',
  text: '',
  audioMs: 0,
};

export const DIAGRAMS: readonly Diagram[] = [
  { operator: 'ofType', source: '--c--d--|', expected: '-----d--|', apply: () => ofType('response.done') },
  {
    operator: 'splitResponses',
    source: '--c-o-a-d--|',
    expected: '--r--------|',
    inner: { r: 'c-o-a-(d|)' },
    apply: splitResponses,
  },
  {
    operator: 'splitItems',
    source: '-o-p-a-q-e-|',
    expected: '-i---------|',
    inner: { i: 'o-p-a-q-(e|)' },
    apply: splitItems,
  },
  {
    operator: 'splitContentParts',
    source: '-p-a-t-x-q-|',
    expected: '-s---------|',
    inner: { s: 'p-a-t-x-(q|)' },
    apply: splitContentParts,
  },
  {
    operator: 'textDeltas',
    source: '-P-T-X-Q-|',
    expected: '---y-----|',
    values: { y: 'Yes' },
    apply: textDeltas,
  },
  {
    operator: 'transcriptDeltas',
    source: '-p-a-t-a-u-|',
    expected: '-----h---i-|',
    values: { h: 'Hi', i: ' there' },
    apply: transcriptDeltas,
  },
  {
    operator: 'audioDeltas',
    // b = a delta whose base64 is corrupt: an empty AudioDecodeFailure chunk, and the audio goes on
    source: '-a-t-b-a-|',
    expected: '-x---f-y-|',
    local: (l) => ({ b: { ...l['a']!, event_id: 'event_b', delta: 'AA!C' } as ServerMessage }),
    values: {
      x: bytes,
      f: audioDecodeFailure(
        {
          type: 'response.audio.delta',
          event_id: 'event_b',
          response_id: 'resp_1',
          item_id: 'item_1',
          output_index: 0,
          content_index: 0,
          delta: 'AA!C',
        },
        new RangeError('invalid base64: unexpected character "!" at position 2'),
      ),
      y: bytes,
    },
    apply: audioDeltas,
  },
  {
    operator: 'collectText',
    source: '-P-T-X-Q-|',
    expected: '-------v-|',
    values: { v: { responseId: 'resp_2', itemId: 'item_2', contentIndex: 0, text: 'Yes' } },
    apply: collectText,
  },
  {
    operator: 'collectAudio',
    // the value waits for response.done, whose status says how the part ended
    source: '-p-a-a-q-d-|',
    expected: '---------v-|',
    values: {
      v: {
        responseId: 'resp_1',
        itemId: 'item_1',
        contentIndex: 0,
        audio: new Uint8Array([0, 1, 2, 0, 1, 2]),
        text: 'Hi there',
        status: 'completed',
      },
    },
    apply: collectAudio,
  },
  {
    operator: 'userSpeaking',
    source: '-v-v-w-|',
    expected: 'ft---f-|',
    values: { f: false, t: true },
    apply: userSpeaking,
  },
  {
    operator: 'assistantSpeaking',
    source: '-c-a-a-x-d-|',
    expected: 'f--t---f---|',
    values: { f: false, t: true },
    apply: assistantSpeaking,
  },
  {
    operator: 'interruptOnSpeech',
    // b = 2 s of audio, sent at once (faster than real time); the response is done before the user speaks, and
    // without a playback source the heard position is the time since the first audio delta
    source: '-c-p-b-q-e-d-v-|',
    expected: '-------------t-|',
    local: (l) => ({ b: { ...l['a']!, delta: Buffer.alloc(96000).toString('base64') } as ServerMessage }),
    values: {
      t: { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 8 },
    },
    apply: () => interruptOnSpeech(),
  },
  {
    operator: 'conversation',
    source: '-i-p-t-u-|',
    expected: 'si---a-b-|',
    values: {
      s: { items: [] },
      i: { items: [item1], changed: item1 },
      a: { items: [{ ...item1, text: 'Hi' }], changed: { ...item1, text: 'Hi' } },
      b: { items: [{ ...item1, text: 'Hi there' }], changed: { ...item1, text: 'Hi there' } },
    },
    apply: () => conversation(),
  },
  {
    operator: 'inputTranscripts',
    // r, s = input transcription deltas of the user's item_u, f = its .completed, g = a .failed of item_v
    source: '-r-s-f-g-|',
    expected: '-h-i-j-k-|',
    local: () => {
      const ev = (type: string, fields: object) =>
        ({
          type: `conversation.item.input_audio_transcription.${type}`,
          event_id: `event_${type}`,
          ...fields,
        }) as never;
      return {
        r: ev('delta', { item_id: 'item_u', content_index: 0, delta: 'Hel' }),
        s: ev('delta', { item_id: 'item_u', content_index: 0, delta: 'lo' }),
        f: ev('completed', { item_id: 'item_u', content_index: 0, transcript: 'Hello' }),
        g: ev('failed', { item_id: 'item_v', content_index: 0, error: { code: 'audio_unintelligible' } }),
      };
    },
    values: {
      h: { itemId: 'item_u', contentIndex: 0, text: 'Hel', final: false, delta: 'Hel' },
      i: { itemId: 'item_u', contentIndex: 0, text: 'Hello', final: false, delta: 'lo' },
      j: { itemId: 'item_u', contentIndex: 0, text: 'Hello', final: true },
      k: {
        itemId: 'item_v',
        contentIndex: 0,
        text: '',
        final: true,
        error: { code: 'audio_unintelligible' },
      },
    },
    apply: inputTranscripts,
  },
  {
    operator: 'functionCallArguments',
    // F = output_item.added of a function_call (get_weather), G/H = its arguments deltas, J = arguments done
    source: '-F-G-H-J-|',
    expected: '---g-h---|',
    local: () => {
      const ref = { response_id: 'resp_1', item_id: 'item_f', output_index: 1, call_id: 'call_1' };
      const item = {
        id: 'item_f',
        type: 'function_call',
        status: 'in_progress',
        call_id: 'call_1',
        name: 'get_weather',
      };
      return {
        F: {
          type: 'response.output_item.added',
          event_id: 'event_F',
          response_id: 'resp_1',
          output_index: 1,
          item,
        } as never,
        G: {
          type: 'response.function_call_arguments.delta',
          event_id: 'event_G',
          ...ref,
          delta: '{"city":',
        } as never,
        H: {
          type: 'response.function_call_arguments.delta',
          event_id: 'event_H',
          ...ref,
          delta: '"Paris"}',
        } as never,
        J: {
          type: 'response.function_call_arguments.done',
          event_id: 'event_J',
          ...ref,
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        } as never,
      };
    },
    values: {
      g: { callId: 'call_1', itemId: 'item_f', responseId: 'resp_1', name: 'get_weather', delta: '{"city":' },
      h: { callId: 'call_1', itemId: 'item_f', responseId: 'resp_1', name: 'get_weather', delta: '"Paris"}' },
    },
    apply: functionCallArguments,
  },
  {
    operator: 'turnMetrics',
    // w = speech stopped, b = 2 s of audio; times are virtual milliseconds (one per dash)
    source: '-w-c-p-b-t-q-d-|',
    expected: '-------------m-|',
    local: (l) => ({ b: { ...l['a']!, delta: Buffer.alloc(96000).toString('base64') } as ServerMessage }),
    values: {
      m: {
        responseId: 'resp_1',
        status: 'completed',
        speechEndToFirstAudioMs: 6,
        speechEndToFirstTextMs: 8,
        durationMs: 10,
        audioMs: 2000,
        interrupted: false,
        usage: { total_tokens: 10, input_tokens: 4, output_tokens: 6 },
      },
    },
    apply: () => turnMetrics(),
  },
];
