import { describe, expect, it } from 'vitest';
import { audioAppends } from '../../src/operators';
import { testScheduler, throwing } from './helpers';

// audioAppends makes client input from the user's audio: the Realtime edge cases of server streams (responses,
// dialects) do not apply; the checklist runs over both its inputs, a byte array and a stream of chunks.
const append = (bytes: number) => ({
  type: 'input_audio_buffer.append',
  audio: Buffer.alloc(bytes).toString('base64'),
});
const commit = { type: 'input_audio_buffer.commit' };
const boom = new Error('boom');

describe('audioAppends', () => {
  const pcm = new Uint8Array(4800 * 2 + 100); // 200 ms + a tail

  it('paces 100 ms chunks in real time and commits at the end', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(audioAppends(pcm, { scheduler, commit: true })).toBe('a 99ms b 99ms (cd|)', {
        a: append(4800),
        b: append(4800),
        c: append(100),
        d: commit,
      });
    });
  });

  it('sends everything at once with pace fast, and re-chunks a stream of PCM keeping one partial chunk', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(audioAppends(pcm, { pace: 'fast', chunkMs: 200 })).toBe('(ab|)', {
        a: append(9600),
        b: append(100),
      });
      const stream = cold('-x-y-|', { x: new Uint8Array(3000), y: new Uint8Array(3000) });
      expectObservable(audioAppends(stream)).toBe('---a-(b|)', { a: append(4800), b: append(1200) });
    });
  });

  it('completes at once for no audio, after the commit when asked, at either pace', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const none = new Uint8Array(0);
      expectObservable(audioAppends(none, { scheduler })).toBe('|');
      expectObservable(audioAppends(none, { scheduler, commit: true })).toBe('(c|)', { c: commit });
      expectObservable(audioAppends(none, { pace: 'fast' })).toBe('|');
    });
  });

  it('sends one chunk and completes for audio of one chunk or less', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(audioAppends(new Uint8Array(4800), { scheduler })).toBe('(a|)', { a: append(4800) });
      expectObservable(audioAppends(new Uint8Array(2), { scheduler })).toBe('(a|)', { a: append(2) });
    });
  });

  it('cuts chunks of chunkMs at the sampleRate: 10 ms at 16 kHz is 320 bytes', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(
        audioAppends(new Uint8Array(640), { pace: 'fast', chunkMs: 10, sampleRate: 16000 }),
      ).toBe('(ab|)', { a: append(320), b: append(320) });
    });
  });

  it('stops the pacing when unsubscribed early: no chunk after it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(audioAppends(pcm, { scheduler, commit: true }), '^ 150ms !').toBe('a 99ms b', {
        a: append(4800),
        b: append(4800),
      });
    });
  });

  // a regression test: a sampleRate of 0 (or NaN) made the chunk 0 bytes and the error blamed chunkMs
  it('throws a RangeError that names sampleRate for a sampleRate that is not positive', () => {
    expect(() => audioAppends(pcm, { sampleRate: 0 })).toThrow(/sampleRate/);
  });

  it('throws a RangeError at once for a chunkMs that is not positive', () => {
    expect(() => audioAppends(pcm, { chunkMs: 0 })).toThrow(
      new RangeError('audioAppends: chunkMs must be > 0, got 0'),
    );
    expect(() => audioAppends(pcm, { chunkMs: -5 })).toThrow('audioAppends: chunkMs must be > 0, got -5');
  });
});

describe('audioAppends over a stream of PCM chunks', () => {
  it('sends nothing while the stream sends nothing, and completes with an empty stream, after the commit when asked', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<Uint8Array>('-');
      const empty = cold<Uint8Array>('|');
      expectObservable(audioAppends(never)).toBe('-');
      expectObservable(audioAppends(empty, { commit: true })).toBe('(c|)', { c: commit });
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
  });

  it('sends one chunk as soon as it is full, and many from one large input chunk', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-y------|', { x: new Uint8Array(4800), y: new Uint8Array(4800 * 3) });
      expectObservable(audioAppends(source)).toBe('-a-(bcd)--|', {
        a: append(4800),
        b: append(4800),
        c: append(4800),
        d: append(4800),
      });
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
  });

  it('errors with the stream, dropping the partial chunk, and unsubscribes', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-#', { x: new Uint8Array(3000) }, boom);
      expectObservable(audioAppends(source, { commit: true })).toBe('---#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('never completes on a never-ending stream, and unsubscribing early unsubscribes it', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x---x-|', { x: new Uint8Array(4800) });
      expectObservable(audioAppends(source, { commit: true }), '^---!').toBe('-a---', { a: append(4800) });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('unsubscribes the stream when a downstream callback throws', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-x-|', { x: new Uint8Array(4800) });
      expectObservable(audioAppends(source).pipe(throwing(boom))).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });
});
