/** The emulator's speech in the session's output format. */
// source: protocol README §1 "Audio formats"
import { encodeALaw, encodeMuLaw } from '../audio/g711';
import { float32ToPcm16, pcm16ToFloat32, pcm16ToInt16 } from '../audio/pcm';
import { resample } from '../audio/resample';
import type { AudioFormat } from './config';

/** 24 kHz PCM16 in the session's output format (G.711 at 8 kHz). */
export function encodeOutput(pcm24: Uint8Array, format: AudioFormat): Uint8Array {
  if (format === 'pcm16') return pcm24;
  const at8k = pcm16ToInt16(float32ToPcm16(resample(pcm16ToFloat32(pcm24), 24000, 8000)));
  return format === 'g711_ulaw' ? encodeMuLaw(at8k) : encodeALaw(at8k);
}
