import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { interruptOnSpeech } from '../../src/operators';
import type { Dialect, ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

/** A `session.updated` whose server VAD has this `interrupt_response`, in the dialect's shape (§4). */
const vadSession = (dialect: Dialect, interrupt: boolean | undefined, type = 'server_vad'): ServerMessage => {
  const td = { type, ...(interrupt === undefined ? {} : { interrupt_response: interrupt }) };
  return {
    type: 'session.updated',
    event_id: `event_s${String(interrupt)}`,
    session:
      dialect === 'preview'
        ? { object: 'realtime.session', turn_detection: td }
        : { type: 'realtime', object: 'realtime.session', audio: { input: { turn_detection: td } } },
  } as ServerMessage;
};

const cancel = (responseId: string) => ({ type: 'response.cancel', response_id: responseId });
const truncate = (ms: number) => ({
  type: 'conversation.item.truncate',
  item_id: 'item_1',
  content_index: 0,
  audio_end_ms: ms,
});
const remove = { type: 'conversation.item.delete', item_id: 'item_1' };

describe.each(DIALECTS)('interruptOnSpeech (%s)', (dialect) => {
  const base = legend(dialect);
  // 'a' carries 3 bytes; one second of PCM16 24 kHz is 48000 bytes: b is 2000 ms of audio
  const L = {
    ...base,
    b: { ...base.a!, delta: Buffer.alloc(48000 * 2).toString('base64') } as ServerMessage,
    f: vadSession(dialect, false), // the session's server VAD does not cancel responses
    g: vadSession(dialect, true), // it does (the default)
    h: vadSession(dialect, undefined, 'semantic_vad'), // it does: interrupt_response defaults to true
    m: vadSession(dialect, true, 'none'), // Azure's `none`: no server VAD at all
  };

  it('truncates at the heard position on speech after response.done while the audio still plays', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('  -c-p-b-q-e-d-v-|', L);
      const playback = cold('-----j-------', { j: 750 });
      expectObservable(source.pipe(interruptOnSpeech({ playbackMs: playback }))).toBe('-------------t-|', {
        t: truncate(750),
      });
      expectSubscriptions(source.subscriptions).toBe('^--------------!');
      expectSubscriptions(playback.subscriptions).toBe('^--------------!');
    });
  });

  it('sends no response.cancel while the default server VAD (interrupt_response true) cancels it itself', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const playback = cold('-----j', { j: 750 });
      expectObservable(hot('-c-p-b-v-|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '-------t-|',
        { t: truncate(750) },
      );
      expectObservable(hot('-g-c-p-b-v-|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '---------t-|',
        { t: truncate(750) },
      );
      expectObservable(hot('-h-c-p-b-v-|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '---------t-|',
        { t: truncate(750) },
      );
    });
  });

  it('cancels the response in flight first when the session says interrupt_response false', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const playback = cold('-------j', { j: 750 });
      expectObservable(hot('-f-c-p-b-v-----|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '---------(kt)--|',
        { k: cancel('resp_1'), t: truncate(750) },
      );
    });
  });

  it('cancels when turn detection is none, and follows a later session.updated back to true', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-m-C-P-T-v-|', L).pipe(interruptOnSpeech())).toBe('---------k-|', {
        k: cancel('resp_2'),
      });
      expectObservable(hot('-f-g-C-P-T-v-|', L).pipe(interruptOnSpeech())).toBe('-------------|');
    });
  });

  it('never cancels a response that is done, even with interrupt_response false', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const playback = cold('-----------j', { j: 750 });
      expectObservable(hot('-f-c-p-b-q-e-d-v-|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '---------------t-|',
        { t: truncate(750) },
      );
    });
  });

  it('clamps the heard position to the audio received while the response is in flight', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const playback = cold('------j', { j: 99999 });
      expectObservable(hot('-c-p-b-v-|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '-------t-|',
        { t: truncate(2000) },
      );
    });
  });

  it("counts the audio received in the session's output format: G.711 is 8 bytes a millisecond", () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const g711 = {
        type: 'session.updated',
        event_id: 'event_g711',
        session:
          dialect === 'preview'
            ? { output_audio_format: 'g711_ulaw' }
            : { type: 'realtime', audio: { output: { format: { type: 'audio/pcmu' } } } },
      } as ServerMessage;
      const playback = cold('--------j', { j: 99999 });
      // b is 96000 bytes: 12 s of G.711
      expectObservable(
        hot('-l-c-p-b-v-|', { ...L, l: g711 }).pipe(interruptOnSpeech({ playbackMs: playback })),
      ).toBe('---------t-|', { t: truncate(12000) });
      // an explicit bytesPerMs wins
      expectObservable(
        hot('-l-c-p-b-v-|', { ...L, l: g711 }).pipe(
          interruptOnSpeech({ playbackMs: playback, bytesPerMs: 48 }),
        ),
      ).toBe('---------t-|', { t: truncate(2000) });
    });
  });

  it('sends nothing after the response when all the audio received has been heard', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const playback = cold('-----------j', { j: 2000 });
      expectObservable(hot('-c-p-b-q-e-d-v-|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '---------------|',
      );
    });
  });

  it('deletes the item when the user heard none of it (heard position 0)', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const zero = cold('-----------j', { j: 0 });
      expectObservable(hot('-c-p-b-q-e-d-v-|', L).pipe(interruptOnSpeech({ playbackMs: zero }))).toBe(
        '-------------r-|',
        { r: remove },
      );
      // a player that has reported nothing since this item's audio began has played none of it
      const stale = cold('j', { j: 1500 });
      expectObservable(hot('-c-p-b-v-|', L).pipe(interruptOnSpeech({ playbackMs: stale }))).toBe(
        '-------r-|',
        {
          r: remove,
        },
      );
    });
  });

  it('estimates the heard position as wall-clock time since the first audio delta without playbackMs', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // during the response: 301 ms after the first delta
      expectObservable(hot('-c-p-b 300ms v------|', L).pipe(interruptOnSpeech({ scheduler }))).toBe(
        '------ 300ms t------|',
        { t: truncate(301) },
      );
      // after it: the service sent 2 s at once; 996 ms after that delta the user is at 996 ms
      expectObservable(hot('-c-p-b-q-e-d 989ms v-|', L).pipe(interruptOnSpeech({ scheduler }))).toBe(
        '------------ 989ms t-|',
        { t: truncate(996) },
      );
      // 2.5 s later everything has played: nothing to cut
      expectObservable(hot('-c-p-b-q-e-d 2489ms v-|', L).pipe(interruptOnSpeech({ scheduler }))).toBe(
        '------------ 2489ms --|',
      );
    });
  });

  it('only cancels a text response, or one whose audio has not started, when the server does not', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-f-C-P-T-v-|', L).pipe(interruptOnSpeech())).toBe('---------k-|', {
        k: cancel('resp_2'),
      });
      expectObservable(hot('-f-c-p-v-|', L).pipe(interruptOnSpeech())).toBe('-------k-|', {
        k: cancel('resp_1'),
      });
      expectObservable(hot('-C-P-T-v-|', L).pipe(interruptOnSpeech())).toBe('---------|');
    });
  });

  it('interrupts a part once: a second speech_started sends nothing more', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const playback = cold('-------j', { j: 750 });
      expectObservable(hot('-f-c-p-b-v-v---|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '---------(kt)--|',
        { k: cancel('resp_1'), t: truncate(750) },
      );
    });
  });

  it('ignores the deltas of an interrupted part still in flight: a later speech_started does not cut it again', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const playback = cold('-----j', { j: 750 });
      expectObservable(hot('-c-p-b-v-b-b-q-d-v-|', L).pipe(interruptOnSpeech({ playbackMs: playback }))).toBe(
        '-------t-----------|',
        { t: truncate(750) },
      );
    });
  });

  it('lets decode failures, unknown events and errors pass by without a word', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-k-n-z-v-|', L).pipe(interruptOnSpeech())).toBe('---------|');
    });
  });

  it('errors with the source or the playback clock, and unsubscribes both early', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<ServerMessage>('|').pipe(interruptOnSpeech())).toBe('|');
      expectObservable(cold<ServerMessage>('-').pipe(interruptOnSpeech())).toBe('-');
      const boom = new Error('boom');
      expectObservable(hot('-c-#', L, boom).pipe(interruptOnSpeech())).toBe('---#', undefined, boom);
      const failing = cold<number>('--#', undefined, boom);
      const source = hot('-c-p-b-v-|', L);
      expectObservable(source.pipe(interruptOnSpeech({ playbackMs: failing }))).toBe('--#', undefined, boom);
      expectSubscriptions(failing.subscriptions).toBe('^-!');
      const never = cold<number>('-');
      const long = hot('-c-p-b----', L);
      expectObservable(long.pipe(interruptOnSpeech({ playbackMs: never })), '^---!').toBe('-----');
      expectSubscriptions(long.subscriptions).toBe('^---!');
      expectSubscriptions(never.subscriptions).toBe('^---!');
    });
  });
});
