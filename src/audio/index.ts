// The audio layer: bytes in, bytes out. No rxjs, no io-ts.
export { bytesToBase64, base64ToBytes } from './base64';
export {
  pcm16ToFloat32,
  float32ToPcm16,
  pcm16ToInt16,
  int16ToPcm16,
  pcm16DurationMs,
  pcm16BytesForMs,
} from './pcm';
export { resample, resampleChunked, createResampler } from './resample';
export type { Resampler } from './resample';
export { encodeMuLaw, decodeMuLaw, encodeALaw, decodeALaw } from './g711';
export { readWav, toPcm16Mono24k, writeWav, wavHeader, WavError } from './wav';
export type { WavAudio, WriteWavOptions } from './wav';
