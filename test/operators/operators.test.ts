import { of, Subject, type Observable } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { audioAppends, functionCallOutput, functionCalls, ofType, writeAudio } from '../../src/operators';
import type { ServerEvents, ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

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
