import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { _withoutBuffer, base64ToBytes, bytesToBase64 } from '../../src/audio/base64';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '../../src/audio/g711';
import { float32ToPcm16, pcm16BytesForMs, pcm16DurationMs, pcm16ToFloat32 } from '../../src/audio/pcm';
import { createResampler, resample, resampleChunked } from '../../src/audio/resample';
import { readWav, toPcm16Mono24k, WavError, writeWav } from '../../src/audio/wav';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/audio/${name}`, import.meta.url)));
const sine = (freq: number, rate: number, seconds: number, amp = 0.5) =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate),
  );
const rms = (x: Float32Array, from = 0, to = x.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
};
/** Zero crossings per second: the frequency of a pure tone, times two. */
const crossingsPerSecond = (x: Float32Array, rate: number) => {
  let n = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) n++;
  return (n * rate) / x.length;
};

describe('base64', () => {
  const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);

  it('encodes like Buffer at every length remainder, on both paths', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 12289]) {
      const bytes = random(n);
      const expected = Buffer.from(bytes).toString('base64');
      expect(bytesToBase64(bytes)).toBe(expected);
      expect(_withoutBuffer(() => bytesToBase64(bytes))).toBe(expected);
      expect(_withoutBuffer(() => base64ToBytes(expected))).toEqual(bytes);
      expect(base64ToBytes(expected)).toEqual(bytes);
    }
  });

  it('round-trips 5 MB without overflowing the stack on the portable path', () => {
    const bytes = random(5 * 1024 * 1024);
    const b64 = _withoutBuffer(() => bytesToBase64(bytes));
    expect(b64).toBe(Buffer.from(bytes).toString('base64'));
    expect(
      Buffer.compare(
        _withoutBuffer(() => base64ToBytes(b64)),
        bytes,
      ),
    ).toBe(0);
  });

  it('encodes a view at an odd offset by its own bytes only', () => {
    const backing = Uint8Array.from([9, 1, 2, 3, 9]);
    expect(bytesToBase64(backing.subarray(1, 4))).toBe('AQID');
  });

  it('rejects invalid base64 with the position', () => {
    expect(() => base64ToBytes('AQ!D')).toThrow(
      new RangeError('invalid base64: unexpected character "!" at position 2'),
    );
    expect(() => base64ToBytes('AQIDA')).toThrow(new RangeError('invalid base64: length 5 cannot be base64'));
    expect(() => base64ToBytes('A=ID')).toThrow(
      new RangeError('invalid base64: unexpected character "=" at position 1'),
    );
  });
});

describe('pcm16', () => {
  it('converts to float and back, clamping and reading unaligned views', () => {
    const pcm = Uint8Array.from([0xff, 0x00, 0x80, 0xff, 0x7f, 0x00, 0x80]); // offset 1: 0x8000, 0x7fff, 0x8000
    const floats = pcm16ToFloat32(pcm.subarray(1));
    expect(Array.from(floats)).toEqual([-1, 32767 / 32768, -1]);
    expect(Array.from(float32ToPcm16(Float32Array.from([2, -2, 0])))).toEqual([0xff, 0x7f, 0x00, 0x80, 0, 0]);
  });

  it('counts durations at 24 kHz', () => {
    expect(pcm16DurationMs(4800)).toBe(100);
    expect(pcm16BytesForMs(100)).toBe(4800);
    expect(pcm16BytesForMs(20, 8000)).toBe(320);
  });
});

describe('resample', () => {
  it('keeps a 1 kHz tone through 24k → 16k → 24k', () => {
    const x = sine(1000, 24000, 0.5);
    const y = resample(resample(x, 24000, 16000), 16000, 24000);
    expect(y.length).toBe(x.length);
    expect(crossingsPerSecond(y.subarray(1000, 11000), 24000)).toBeCloseTo(2000, -1);
    expect(rms(y, 1000, 11000)).toBeCloseTo(rms(x, 1000, 11000), 2);
  });

  it('low-passes before decimating: a 10 kHz tone mostly vanishes at 8 kHz', () => {
    const y = resample(sine(10000, 24000, 0.25), 24000, 8000);
    expect(rms(y, 200, y.length - 200)).toBeLessThan(0.02); // plain dropping would alias it at full amplitude
  });

  it('gives the same output for chunked and whole input', () => {
    const x = sine(440, 44100, 0.3);
    const whole = resample(x, 44100, 24000);
    const r = createResampler(44100, 24000);
    const parts: number[] = [];
    for (let i = 0; i < x.length; i += 1234) parts.push(...r.push(x.subarray(i, i + 1234)));
    parts.push(...r.flush());
    expect(parts.length).toBe(whole.length);
    parts.forEach((v, i) => expect(v).toBeCloseTo(whole[i]!, 6));
  });

  it('gives exactly ceil(n × to / from) samples for every rate pair, 8 kHz → 24 kHz included', () => {
    const pairs: [number, number][] = [
      [8000, 24000],
      [16000, 24000],
      [44100, 24000],
      [48000, 24000],
      [24000, 8000],
      [22050, 24000],
      [11025.5, 24000],
    ];
    for (const [from, to] of pairs)
      for (const n of [0, 1, 2, 3, 7, 999, 8000, 44101]) {
        const y = resample(new Float32Array(n), from, to);
        expect([from, to, n, y.length]).toEqual([
          from,
          to,
          n,
          Math.max(0, Math.ceil((n * to) / from - 1e-9)),
        ]);
      }
    expect(resample(new Float32Array(8000), 8000, 24000).length).toBe(24000);
  });

  it('resamples a non-integer rate (no kernel table) as it resamples the integer rate next to it', () => {
    const x = sine(440, 44100, 0.1);
    const a = resample(x, 44100, 24000);
    const b = resample(x, 44100.000001, 24000);
    expect(b.length).toBe(a.length);
    for (let i = 100; i < a.length - 100; i++) expect(b[i]!).toBeCloseTo(a[i]!, 3);
  });

  it("resampleChunked gives resample's output and pauses between chunks", async () => {
    const x = sine(440, 44100, 0.5);
    let pauses = 0;
    const y = await resampleChunked(x, 44100, 24000, {
      chunkSamples: 4096,
      pause: () => {
        pauses++;
        return Promise.resolve();
      },
    });
    expect(Array.from(y)).toEqual(Array.from(resample(x, 44100, 24000)));
    expect(pauses).toBe(Math.ceil(x.length / 4096) - 1);
    await expect(resampleChunked(x, 44100, 24000, { chunkSamples: 0 })).rejects.toThrow(
      'resampleChunked: chunkSamples must be > 0, got 0',
    );
  });
});

describe('G.711', () => {
  it('encodes the known code points', () => {
    expect(Array.from(encodeMuLaw(Int16Array.from([0, 32767, -32768])))).toEqual([0xff, 0x80, 0x00]);
    expect(Array.from(encodeALaw(Int16Array.from([0, 32767, -32768])))).toEqual([0xd5, 0xaa, 0x2a]);
  });

  it('round-trips within the companding error', () => {
    const x = Int16Array.from({ length: 2000 }, (_, i) => Math.round(30000 * Math.sin(i / 7)));
    for (const [enc, dec] of [
      [encodeMuLaw, decodeMuLaw],
      [encodeALaw, decodeALaw],
    ] as const) {
      const y = dec(enc(x));
      x.forEach((v, i) => expect(Math.abs(y[i]! - v)).toBeLessThanOrEqual(Math.max(16, Math.abs(v) / 16)));
    }
  });
});

describe('WAV', () => {
  it('reads the speech fixture as 24 kHz mono PCM16', () => {
    const wav = readWav(fixture('hello.wav'));
    expect([wav.sampleRate, wav.channels, wav.bitsPerSample, wav.format]).toEqual([24000, 1, 16, 'pcm']);
    expect(wav.durationMs).toBeCloseTo(5452.125, 3);
  });

  it.each([
    ['pcm8-8k.wav', 'pcm', 8],
    ['pcm24-8k.wav', 'pcm', 24],
    ['float32-8k.wav', 'float', 32],
    ['mulaw-8k.wav', 'mulaw', 8],
  ] as const)('reads %s as a 440 Hz tone', (name, format, bits) => {
    const wav = readWav(fixture(name));
    expect([wav.format, wav.bitsPerSample, wav.sampleRate, wav.durationMs]).toEqual([
      format,
      bits,
      8000,
      250,
    ]);
    expect(crossingsPerSecond(wav.samples[0]!, 8000)).toBeCloseTo(880, -1);
    expect(rms(wav.samples[0]!)).toBeCloseTo(0.5 / Math.SQRT2, 1);
  });

  it('mixes stereo 44.1 kHz down to mono 24 kHz', () => {
    const pcm = toPcm16Mono24k(fixture('stereo-44k.wav'));
    expect(pcm16DurationMs(pcm.byteLength)).toBeCloseTo(250, 0);
  });

  it('writes a header that reads back', () => {
    const pcm = float32ToPcm16(sine(300, 24000, 0.1));
    const wav = readWav(writeWav(pcm));
    expect([wav.sampleRate, wav.channels, wav.durationMs]).toEqual([24000, 1, 100]);
    expect(float32ToPcm16(wav.samples[0]!)).toEqual(pcm);
  });

  it('says what it found when the bytes are not a WAV it reads', () => {
    const ogg = new TextEncoder().encode('OggS and more bytes');
    expect(() => readWav(ogg)).toThrow(
      new WavError('not a WAV file: expected "RIFF" at byte 0, found "OggS"'),
    );
    const mpeg = writeWav(new Uint8Array(4));
    new DataView(mpeg.buffer).setUint16(20, 0x55, true);
    expect(() => readWav(mpeg)).toThrow(new WavError('unsupported WAV format: 0x0055 (MPEG)'));
    expect(() => readWav(new Uint8Array(3))).toThrow(
      'not a WAV file: 3 bytes is too short for a RIFF header',
    );
  });
});
