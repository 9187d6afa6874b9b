import { of, Subject, type Observable } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { legend } from '../../marbles/legend';
import {
  assistantSpeaking,
  audioAppends,
  audioDeltas,
  collectText,
  functionCallOutput,
  functionCalls,
  IncompleteStreamError,
  ofType,
  textDeltas,
  transcriptDeltas,
  userSpeaking,
  userSpeech,
  writeAudio,
} from '../../src/operators';
import type { ServerEvents, ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

describe.each(DIALECTS)('delta operators (%s)', (dialect) => {
  const L = legend(dialect);

  it('textDeltas emits the text chunks only', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-C-P-T-a-t-X-Q-D-k-n-|', L);
      expectObservable(source.pipe(textDeltas())).toBe('-----y---------------|', { y: 'Yes' });
      expectSubscriptions(source.subscriptions).toBe('^--------------------!');
    });
  });

  it('transcriptDeltas emits the transcript chunks only', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-p-a-t-a-u-T-y-|', L);
      expectObservable(source.pipe(transcriptDeltas())).toBe('-----h---i-----|', { h: 'Hi', i: ' there' });
    });
  });

  // audioDeltas: test/operators/audioDeltas.test.ts

  it('propagates source errors and never-ending sources', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      expectObservable(hot('-T-#', L).pipe(textDeltas())).toBe('-y-#', { y: 'Yes' });
      expectObservable(cold<ServerMessage>('-').pipe(textDeltas())).toBe('-');
      expectObservable(cold<ServerMessage>('|').pipe(audioDeltas())).toBe('|');
    });
  });
});

describe.each(DIALECTS)('collectText and collectAudio (%s)', (dialect) => {
  const L = legend(dialect);

  it('collectText gives one value per text part at content_part.done', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-C-O-P-T-X-Q-E-D-|', L);
      expectObservable(source.pipe(collectText())).toBe('-----------v-----|', {
        v: { responseId: 'resp_2', itemId: 'item_2', contentIndex: 0, text: 'Yes' },
      });
    });
  });

  // collectAudio: test/operators/collectAudio.test.ts

  it('errors with IncompleteStreamError when the source completes inside a part', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-P-T-|', L).pipe(collectText())).toBe(
        '-----#',
        undefined,
        new IncompleteStreamError('content part', 'item_2:0', 'source completed'),
      );
    });
  });
});

describe.each(DIALECTS)('speaking states (%s)', (dialect) => {
  const L = legend(dialect);

  it('userSpeaking starts false and follows speech_started / speech_stopped, distinct', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-v-v-a-w-w-|', L);
      expectObservable(source.pipe(userSpeaking())).toBe('ft-----f---|', { f: false, t: true });
    });
  });

  it('userSpeech carries the item id and the audio position', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-v-w-|', L).pipe(userSpeech())).toBe('st-f-|', {
        s: { speaking: false, itemId: undefined, audioMs: undefined },
        t: { speaking: true, itemId: 'item_u', audioMs: 500 },
        f: { speaking: false, itemId: 'item_u', audioMs: 2100 },
      });
    });
  });

  it('assistantSpeaking is true from the first audio delta to audio done', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-c-p-a-a-t-x-q-d-|', L);
      expectObservable(source.pipe(assistantSpeaking())).toBe('f----t-----f-----|', { f: false, t: true });
    });
  });

  it('assistantSpeaking turns false at response.done when the audio never finished (barge-in)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-c-a-v-d-|', L);
      expectObservable(source.pipe(assistantSpeaking())).toBe('f--t---f-|', { f: false, t: true });
    });
  });
});

describe.each(DIALECTS)('functionCalls (%s)', (dialect) => {
  const added = {
    type: 'response.output_item.added',
    event_id: 'e1',
    response_id: 'resp_f',
    output_index: 1,
    item: {
      id: 'item_f',
      type: 'function_call',
      status: 'in_progress',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '',
    },
  } as ServerMessage;
  const argsDone = (args: string) =>
    ({
      type: 'response.function_call_arguments.done',
      event_id: 'e2',
      response_id: 'resp_f',
      item_id: 'item_f',
      output_index: 1,
      call_id: 'call_1',
      arguments: args,
      ...(dialect === 'ga' ? { name: 'get_weather' } : {}),
    }) as ServerMessage;

  it('emits one parsed call per arguments.done, with the name from output_item.added in preview', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-g-|', { a: added, g: argsDone('{"city":"Paris"}') });
      expectObservable(source.pipe(functionCalls())).toBe('---c-|', {
        c: {
          ok: true,
          callId: 'call_1',
          name: 'get_weather',
          arguments: { city: 'Paris' },
          rawArguments: '{"city":"Paris"}',
          itemId: 'item_f',
          responseId: 'resp_f',
        },
      });
    });
  });

  it('turns arguments that are not JSON into a typed value, not a crash', () => {
    const out: unknown[] = [];
    of(added, argsDone('{"city":'))
      .pipe(functionCalls())
      .subscribe((c) => out.push(c));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ ok: false, callId: 'call_1', name: 'get_weather', arguments: undefined });
    expect((out[0] as { parseError: string }).parseError).toMatch(/JSON/);
  });

  it('functionCallOutput builds the output item and the follow-up response.create', () => {
    expect(functionCallOutput({ callId: 'call_1' }, { temperature: 21 })).toEqual([
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_1', output: '{"temperature":21}' },
      },
      { type: 'response.create' },
    ]);
  });
});

// interruptOnSpeech: test/operators/interruptOnSpeech.test.ts

describe('ofType', () => {
  it('narrows to the codec type', () => {
    const source = new Subject<ServerMessage>();
    const done = source.pipe(ofType('response.done'));
    expectTypeOf(done).toEqualTypeOf<Observable<ServerEvents.ResponseDone>>();
    const both = source.pipe(ofType('response.audio.delta', 'response.output_audio.delta'));
    expectTypeOf(both).toEqualTypeOf<
      Observable<ServerEvents.ResponseAudioDelta | ServerEvents.ResponseOutputAudioDelta>
    >();
  });

  it('passes only the named types', () => {
    const L = legend('ga');
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-k-n-d-z-|', L).pipe(ofType('response.done', 'error'))).toBe('-------d-z-|', L);
    });
  });
});

describe('audioAppends', () => {
  const pcm = new Uint8Array(4800 * 2 + 100); // 200 ms + a tail

  it('paces 100 ms chunks in real time and commits at the end', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const a = (bytes: number) => ({
        type: 'input_audio_buffer.append',
        audio: Buffer.alloc(bytes).toString('base64'),
      });
      expectObservable(audioAppends(pcm, { scheduler, commit: true })).toBe('a 99ms b 99ms (cd|)', {
        a: a(4800),
        b: a(4800),
        c: a(100),
        d: { type: 'input_audio_buffer.commit' },
      });
    });
  });

  it('sends everything at once with pace fast, and re-chunks a stream of PCM keeping one partial chunk', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(audioAppends(pcm, { pace: 'fast', chunkMs: 200 })).toBe('(ab|)', {
        a: { type: 'input_audio_buffer.append', audio: Buffer.alloc(9600).toString('base64') },
        b: { type: 'input_audio_buffer.append', audio: Buffer.alloc(100).toString('base64') },
      });
      const stream = cold('-x-y-|', { x: new Uint8Array(3000), y: new Uint8Array(3000) });
      expectObservable(audioAppends(stream)).toBe('---a-(b|)', {
        a: { type: 'input_audio_buffer.append', audio: Buffer.alloc(4800).toString('base64') },
        b: { type: 'input_audio_buffer.append', audio: Buffer.alloc(1200).toString('base64') },
      });
    });
  });
});

describe('writeAudio', () => {
  it('writes raw chunks, or a streaming WAV header first, and passes the chunks on', () => {
    const written: Uint8Array[] = [];
    const x = new Uint8Array([1, 2]);
    const y = new Uint8Array([3, 4]);
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('-x-y-|', { x, y }).pipe(writeAudio({ write: (c) => written.push(c) }, { format: 'wav' })),
      ).toBe('-x-y-|', { x, y });
    });
    expect(written).toHaveLength(3);
    expect(new TextDecoder().decode(written[0]!.subarray(0, 4))).toBe('RIFF');
    expect(new DataView(written[0]!.buffer).getUint32(40, true)).toBe(0xffffffff);
    expect(written.slice(1)).toEqual([x, y]);
  });

  it('errors with the sink error', () => {
    const boom = new Error('EPIPE');
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('-x-|', { x: new Uint8Array(1) }).pipe(
          writeAudio({
            write: () => {
              throw boom;
            },
          }),
        ),
      ).toBe('-#', undefined, boom);
    });
  });
});

describe('a server error mid-response', () => {
  it('passes by the split and the collectors: the response goes on', () => {
    const L = legend('ga');
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-P-T-z-X-Q-|', L).pipe(collectText())).toBe('---------v-|', {
        v: { responseId: 'resp_2', itemId: 'item_2', contentIndex: 0, text: 'Yes' },
      });
    });
  });
});
