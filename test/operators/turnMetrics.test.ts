import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { turnMetrics } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

const usage = { total_tokens: 10, input_tokens: 4, output_tokens: 6 };

describe.each(DIALECTS)('turnMetrics (%s)', (dialect) => {
  const base = legend(dialect);
  const cancelled = {
    ...base.d!,
    response: {
      ...(base.d as { response: object }).response,
      status: 'cancelled',
      status_details: { type: 'cancelled', reason: 'turn_detected' },
      usage: null,
    },
  } as ServerMessage;
  const L = {
    ...base,
    b: { ...base.a!, delta: Buffer.alloc(48000 * 2).toString('base64') } as ServerMessage, // 2000 ms
    g: cancelled,
  };

  it('measures speech end to first audio and first text, the duration and the audio, from the scheduler', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-w 99ms c 49ms p-b 49ms t-x-q-e-d-|', L);
      expectObservable(source.pipe(turnMetrics({ scheduler }))).toBe('211ms m-|', {
        m: {
          responseId: 'resp_1',
          status: 'completed',
          speechEndToFirstAudioMs: 152,
          speechEndToFirstTextMs: 202,
          durationMs: 110,
          audioMs: 2000,
          interrupted: false,
          usage,
        },
      });
      expectSubscriptions(source.subscriptions).toBe('^ 212ms !');
    });
  });

  it('says interrupted for a cancelled response, with the audio received until then', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-w-c-p-a-a-v-g-|', L).pipe(turnMetrics())).toBe('-------------m-|', {
        m: {
          responseId: 'resp_1',
          status: 'cancelled',
          speechEndToFirstAudioMs: 6,
          durationMs: 10,
          audioMs: 0, // 6 bytes: an eighth of a millisecond
          interrupted: true,
        },
      });
    });
  });

  it('gives no speech-end latencies to a text turn, nor to a second response to the same speech', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-w-c-t-d-C-P-T-D-|', L).pipe(turnMetrics())).toBe('-------m-------M-|', {
        m: {
          responseId: 'resp_1',
          status: 'completed',
          speechEndToFirstTextMs: 4,
          durationMs: 4,
          audioMs: 0,
          interrupted: false,
          usage,
        },
        M: {
          responseId: 'resp_2',
          status: 'completed',
          durationMs: 6,
          audioMs: 0,
          interrupted: false,
          usage,
        },
      });
    });
  });

  it('measures interleaved responses apart, and one whose created it never saw from its first event', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-c-C-b-T-D-d-|', L).pipe(turnMetrics())).toBe('---------M-m-|', {
        M: {
          responseId: 'resp_2',
          status: 'completed',
          durationMs: 6,
          audioMs: 0,
          interrupted: false,
          usage,
        },
        m: {
          responseId: 'resp_1',
          status: 'completed',
          durationMs: 10,
          audioMs: 2000,
          interrupted: false,
          usage,
        },
      });
      expectObservable(hot('-b-d-|', L).pipe(turnMetrics())).toBe('---m-|', {
        m: {
          responseId: 'resp_1',
          status: 'completed',
          durationMs: 2,
          audioMs: 2000,
          interrupted: false,
          usage,
        },
      });
    });
  });

  it("counts audioMs in the session's output format (G.711: 8 bytes a millisecond) unless bytesPerMs is given", () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const g711 = {
        type: 'session.created',
        event_id: 'event_g711',
        session:
          dialect === 'preview'
            ? { output_audio_format: 'g711_alaw' }
            : { type: 'realtime', audio: { output: { format: { type: 'audio/pcma' } } } },
      } as ServerMessage;
      const m = (audioMs: number) => ({
        responseId: 'resp_1',
        status: 'completed',
        durationMs: 4,
        audioMs,
        interrupted: false,
        usage,
      });
      expectObservable(hot('-l-c-b-d-|', { ...L, l: g711 }).pipe(turnMetrics())).toBe('-------m-|', {
        m: m(12000),
      });
      expectObservable(hot('-l-c-b-d-|', { ...L, l: g711 }).pipe(turnMetrics({ bytesPerMs: 48 }))).toBe(
        '-------m-|',
        { m: m(2000) },
      );
    });
  });

  it('ignores decode failures, unknown events and errors; errors with the source; unsubscribes early', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<ServerMessage>('|').pipe(turnMetrics())).toBe('|');
      expectObservable(cold<ServerMessage>('-').pipe(turnMetrics())).toBe('-');
      const boom = new Error('boom');
      expectObservable(hot('-k-n-z-|', L).pipe(turnMetrics())).toBe('-------|');
      expectObservable(hot('-c-#', L, boom).pipe(turnMetrics())).toBe('---#', undefined, boom);
      const long = hot('-c-a-----d-|', L);
      expectObservable(long.pipe(turnMetrics()), '^---!').toBe('-----');
      expectSubscriptions(long.subscriptions).toBe('^---!');
    });
  });
});
