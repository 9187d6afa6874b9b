import { describe, expect, it } from 'vitest';
import { writeAudio } from '../../src/operators';
import { testScheduler, throwing } from './helpers';

// writeAudio takes audio chunks (after audioDeltas): the Realtime edge cases of server streams do not apply.
const x = new Uint8Array([1, 2]);
const y = new Uint8Array([3, 4]);
const boom = new Error('boom');
const isHeader = (chunk: Uint8Array) => new TextDecoder().decode(chunk.subarray(0, 4)) === 'RIFF';
const recorder = () => {
  const written: Uint8Array[] = [];
  return { written, sink: { write: (c: Uint8Array) => written.push(c) } };
};

describe('writeAudio', () => {
  it('writes raw chunks, or a streaming WAV header first, and passes the chunks on', () => {
    const written: Uint8Array[] = [];
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

  it('writes nothing, not even the WAV header, on a source that never emits or is empty', () => {
    const { written, sink } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<Uint8Array>('-');
      const empty = cold<Uint8Array>('|');
      expectObservable(never.pipe(writeAudio(sink, { format: 'wav' }))).toBe('-');
      expectObservable(empty.pipe(writeAudio(sink, { format: 'wav' }))).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
    });
    expect(written).toEqual([]);
  });

  it('writes one raw chunk as it is in pcm16, the default', () => {
    const { written, sink } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-|', { x });
      expectObservable(source.pipe(writeAudio(sink))).toBe('-x-|', { x });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(written).toEqual([x]);
  });

  it('writes the sampleRate in the WAV header (24000 by default)', () => {
    const rate = (options: { sampleRate?: number }) => {
      const { written, sink } = recorder();
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-x-|', { x }).pipe(writeAudio(sink, { format: 'wav', ...options }))).toBe(
          '-x-|',
          { x },
        );
      });
      expect(isHeader(written[0]!)).toBe(true);
      return new DataView(written[0]!.buffer, written[0]!.byteOffset).getUint32(24, true);
    };
    expect(rate({})).toBe(24000);
    expect(rate({ sampleRate: 16000 })).toBe(16000);
  });

  it('errors with the source after writing the chunks before it, and unsubscribes', () => {
    const { written, sink } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-#', { x }, boom);
      expectObservable(source.pipe(writeAudio(sink))).toBe('-x-#', { x }, boom);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(written).toEqual([x]);
  });

  it('never completes on a never-ending source, and unsubscribing early unsubscribes it and stops writing', () => {
    const { written, sink } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x---y-|', { x, y });
      expectObservable(source.pipe(writeAudio(sink)), '^---!').toBe('-x---', { x });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(written).toEqual([x]);
  });

  it('unsubscribes the source when the sink throws, writing the header and passing nothing after', () => {
    const written: Uint8Array[] = [];
    const sink = {
      write(c: Uint8Array) {
        if (!isHeader(c)) throw boom;
        written.push(c);
      },
    };
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-y-|', { x, y });
      expectObservable(source.pipe(writeAudio(sink, { format: 'wav' }))).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    expect(written).toHaveLength(1);
  });

  it('unsubscribes the source when a downstream callback throws, after the chunk is written', () => {
    const { written, sink } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-y-|', { x, y });
      expectObservable(source.pipe(writeAudio(sink), throwing(boom))).toBe('-#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    expect(written).toEqual([x]);
  });

  // a regression test: the header flag lived in each subscription, so a resubscription (retry, repeat) to the same
  // sink wrote a second RIFF header into the middle of the stream
  it("writes the WAV header at the first subscription's first chunk only (as documented)", () => {
    const { written, sink } = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      const audio = cold('-x-|', { x }).pipe(writeAudio(sink, { format: 'wav' }));
      expectObservable(audio).toBe('-x-|', { x });
      expectObservable(audio, '----^').toBe('-----x-|', { x });
    });
    expect(written.filter(isHeader)).toHaveLength(1);
  });
});
