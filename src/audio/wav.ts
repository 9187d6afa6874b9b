/**
 * WAV (RIFF/WAVE) read and write. Reads PCM 8/16/24/32-bit, IEEE float 32/64, µ-law and A-law, plain or
 * WAVE_FORMAT_EXTENSIBLE, any rate, any channel count; writes PCM16.
 */
import { decodeALaw, decodeMuLaw } from './g711';
import { float32ToPcm16 } from './pcm';
import { resample } from './resample';

/** A WAV that is not one, or one this reader does not support; the message says what was found. */
export class WavError extends Error {
  override readonly name = 'WavError';
}

/** Decoded WAV audio: one Float32 array per channel, samples in [-1, 1]. */
export interface WavAudio {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly format: 'pcm' | 'float' | 'mulaw' | 'alaw';
  readonly samples: readonly Float32Array[];
  readonly durationMs: number;
}

const FORMATS: Record<number, WavAudio['format']> = { 1: 'pcm', 3: 'float', 6: 'alaw', 7: 'mulaw' };
const FORMAT_NAMES: Record<number, string> = {
  2: 'MS ADPCM',
  0x11: 'IMA ADPCM',
  0x50: 'MPEG',
  0x55: 'MPEG',
  0x31: 'GSM 6.10',
};

const fourcc = (view: DataView, at: number) =>
  String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/**
 * Reads a WAV file's bytes.
 *
 * @example
 * ```ts
 * import { readWav } from 'rx-realtime';
 * const { sampleRate, samples } = readWav(readFileSync('question.wav'));
 * ```
 */
export function readWav(bytes: Uint8Array): WavAudio {
  if (bytes.byteLength < 12)
    throw new WavError(`not a WAV file: ${bytes.byteLength} bytes is too short for a RIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = fourcc(view, 0);
  if (riff !== 'RIFF')
    throw new WavError(`not a WAV file: expected "RIFF" at byte 0, found ${JSON.stringify(riff)}`);
  const wave = fourcc(view, 8);
  if (wave !== 'WAVE')
    throw new WavError(`not a WAV file: expected "WAVE" at byte 8, found ${JSON.stringify(wave)}`);

  let fmt: { tag: number; channels: number; rate: number; bits: number; blockAlign: number } | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= bytes.byteLength;) {
    const id = fourcc(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    const end = Math.min(bytes.byteLength, body + size);
    if (id === 'fmt ') {
      if (size < 16) throw new WavError(`invalid WAV: "fmt " chunk of ${size} bytes (expected at least 16)`);
      let tag = view.getUint16(body, true);
      if (tag === 0xfffe && size >= 40) tag = view.getUint16(body + 24, true); // EXTENSIBLE: the sub-format GUID
      fmt = {
        tag,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      data = bytes.subarray(body, end); // a truncated file keeps what it has
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  if (!fmt) throw new WavError('invalid WAV: no "fmt " chunk');
  if (!data) throw new WavError('invalid WAV: no "data" chunk');
  const format = FORMATS[fmt.tag];
  if (!format)
    throw new WavError(
      `unsupported WAV format: ${hex(fmt.tag)}${FORMAT_NAMES[fmt.tag] ? ` (${FORMAT_NAMES[fmt.tag]})` : ''}`,
    );
  const { channels, rate, bits } = fmt;
  if (channels < 1) throw new WavError(`invalid WAV: ${channels} channels`);
  if (!(rate > 0)) throw new WavError(`invalid WAV: sample rate ${rate}`);
  const supported =
    (format === 'pcm' && [8, 16, 24, 32].includes(bits)) ||
    (format === 'float' && (bits === 32 || bits === 64)) ||
    ((format === 'mulaw' || format === 'alaw') && bits === 8);
  if (!supported) throw new WavError(`unsupported WAV: ${bits}-bit ${format}`);

  const bytesPerSample = bits / 8;
  const frameCount = Math.floor(data.byteLength / (bytesPerSample * channels));
  const samples = Array.from({ length: channels }, () => new Float32Array(frameCount));
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = sampleReader(format, bits, d, data);
  for (let f = 0, at = 0; f < frameCount; f++) {
    for (let c = 0; c < channels; c++, at += bytesPerSample) samples[c]![f] = read(at);
  }
  return {
    sampleRate: rate,
    channels,
    bitsPerSample: bits,
    format,
    samples,
    durationMs: (frameCount * 1000) / rate,
  };
}

function sampleReader(
  format: WavAudio['format'],
  bits: number,
  d: DataView,
  raw: Uint8Array,
): (at: number) => number {
  if (format === 'float')
    return bits === 32 ? (at) => d.getFloat32(at, true) : (at) => d.getFloat64(at, true);
  if (format === 'mulaw') {
    const table = decodeMuLaw(Uint8Array.from({ length: 256 }, (_, i) => i));
    return (at) => table[raw[at]!]! / 32768;
  }
  if (format === 'alaw') {
    const table = decodeALaw(Uint8Array.from({ length: 256 }, (_, i) => i));
    return (at) => table[raw[at]!]! / 32768;
  }
  switch (bits) {
    case 8:
      return (at) => (d.getUint8(at) - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (at) => d.getInt16(at, true) / 32768;
    case 24:
      return (at) => (d.getUint8(at) | (d.getUint8(at + 1) << 8) | (d.getInt8(at + 2) << 16)) / 8388608;
    default:
      return (at) => d.getInt32(at, true) / 2147483648;
  }
}

/**
 * Any supported WAV → what the service takes: mono (channels averaged), 24 kHz, PCM16 little-endian.
 *
 * @example
 * ```ts
 * import { toPcm16Mono24k } from 'rx-realtime';
 * const pcm = toPcm16Mono24k(readFileSync('question.wav'));
 * ```
 */
export function toPcm16Mono24k(bytes: Uint8Array): Uint8Array {
  const pcm = pcm16Mono24kData(bytes);
  if (pcm) return pcm.slice(); // already what the service takes: no float round trip
  const wav = readWav(bytes);
  let mono: Float32Array;
  if (wav.channels === 1) mono = wav.samples[0]!;
  else {
    const n = wav.samples[0]!.length;
    mono = new Float32Array(n);
    for (const channel of wav.samples) for (let i = 0; i < n; i++) mono[i]! += channel[i]! / wav.channels;
  }
  return float32ToPcm16(wav.sampleRate === 24000 ? mono : resample(mono, wav.sampleRate, 24000));
}

/** The data chunk of a WAV that is already PCM16 mono 24 kHz (plain format 1), else undefined. */
function pcm16Mono24kData(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.byteLength < 44) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourcc(view, 0) !== 'RIFF' || fourcc(view, 8) !== 'WAVE') return undefined;
  let fmtOk = false;
  for (let at = 12; at + 8 <= bytes.byteLength;) {
    const id = fourcc(view, at);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') {
      if (size < 16) return undefined;
      fmtOk =
        view.getUint16(at + 8, true) === 1 &&
        view.getUint16(at + 10, true) === 1 &&
        view.getUint32(at + 12, true) === 24000 &&
        view.getUint16(at + 22, true) === 16;
      if (!fmtOk) return undefined;
    } else if (id === 'data') {
      if (!fmtOk) return undefined;
      const end = Math.min(bytes.byteLength, at + 8 + size);
      return bytes.subarray(at + 8, end - ((end - at - 8) % 2));
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}

/** Options of {@link writeWav}. */
export interface WriteWavOptions {
  /** Sample rate written in the header. Default `24000`. */
  readonly sampleRate?: number;
  /** Interleaved channel count of the PCM16 data. Default `1`. */
  readonly channels?: number;
}

/**
 * The 44-byte header of a PCM16 WAV holding `dataBytes` bytes. For a stream whose length is not known yet, pass
 * `0xffffffff` (what streaming tools such as sox and ffmpeg write and read).
 */
export function wavHeader(dataBytes: number, options: WriteWavOptions = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 24000;
  const channels = options.channels ?? 1;
  const out = new Uint8Array(44);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  put(0, 'RIFF');
  v.setUint32(4, Math.min(0xffffffff, 36 + dataBytes), true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 2, true);
  v.setUint16(32, channels * 2, true);
  v.setUint16(34, 16, true);
  put(36, 'data');
  v.setUint32(40, dataBytes, true);
  return out;
}

/**
 * Wraps PCM16 little-endian bytes in a WAV header (44 bytes, PCM format 1).
 *
 * @example
 * ```ts
 * import { writeWav } from 'rx-realtime';
 * writeFileSync('reply.wav', writeWav(replyPcm));
 * ```
 */
export function writeWav(pcm16: Uint8Array, options: WriteWavOptions = {}): Uint8Array {
  const channels = options.channels ?? 1;
  const dataSize = pcm16.byteLength - (pcm16.byteLength % (2 * channels));
  const out = new Uint8Array(44 + dataSize);
  out.set(wavHeader(dataSize, options));
  out.set(pcm16.subarray(0, dataSize), 44);
  return out;
}
