/**
 * Spoken replies for the emulator: text → 24 kHz mono PCM16.
 *
 * With the optional peer `espeak-ng` installed (the npm WASM build; GPL-3.0, so never a dependency of this MIT
 * package) it speaks real words. Without it, a small built-in synthesiser makes speech-like audio (voiced,
 * vowel-formant syllables with pauses at punctuation) of the duration the text would take to say: enough for
 * players, VAD and timing tests, but not words.
 */
import { float32ToPcm16 } from '../audio/pcm';
import { resample } from '../audio/resample';
import { readWav } from '../audio/wav';

export interface Synthesis {
  readonly pcm: Uint8Array;
  /** `'espeak-ng'` or `'builtin'`. */
  readonly engine: 'espeak-ng' | 'builtin';
}

type ESpeak = (options: { arguments: string[]; print?: () => void; printErr?: () => void }) => Promise<{
  FS: { readFile(path: string): Uint8Array };
}>;
let espeakPromise: Promise<ESpeak | undefined> | undefined;
const loadEspeak = () =>
  (espeakPromise ??= import(/* optional peer */ 'espeak-ng' as string).then(
    (m: { default: ESpeak }) => m.default,
    () => undefined,
  ));

/** Speaks `text` as 24 kHz mono PCM16, with espeak-ng when available, else the built-in synthesiser. */
export async function synthesize(
  text: string,
  options: { engine?: 'auto' | 'builtin'; voice?: string } = {},
): Promise<Synthesis> {
  if (options.engine !== 'builtin') {
    const espeak = await loadEspeak();
    if (espeak) {
      try {
        const instance = await espeak({
          arguments: ['-v', 'en-us', '-s', '170', '-w', '/out.wav', text.replace(/\s+/g, ' ').slice(0, 2000)],
          print: () => {},
          printErr: () => {},
        });
        const wav = readWav(instance.FS.readFile('/out.wav'));
        return { pcm: float32ToPcm16(resample(wav.samples[0]!, wav.sampleRate, 24000)), engine: 'espeak-ng' };
      } catch {
        // fall through to the built-in voice
      }
    }
  }
  return { pcm: float32ToPcm16(builtinVoice(text)), engine: 'builtin' };
}

/** Vowel formants (Hz) for a rough a/e/i/o/u colouring. */
const VOWELS: readonly (readonly [number, number])[] = [
  [730, 1090],
  [530, 1840],
  [270, 2290],
  [570, 840],
  [300, 870],
];

/** ~5 syllables a second, 110 Hz voice, pauses at punctuation; deterministic for a given text. */
export function builtinVoice(text: string, rate = 24000): Float32Array {
  const words = text.split(/\s+/).filter(Boolean);
  const out: number[] = [];
  const silence = (ms: number) => {
    for (let i = 0; i < (rate * ms) / 1000; i++) out.push(0);
  };
  let phase = 0;
  for (const word of words) {
    const syllables = Math.max(1, Math.round(word.replace(/[^a-z]/gi, '').length / 3));
    for (let s = 0; s < syllables; s++) {
      const [f1, f2] = VOWELS[(word.charCodeAt(s % word.length) + s) % VOWELS.length]!;
      const n = Math.round(rate * 0.18);
      for (let i = 0; i < n; i++) {
        const t = i / rate;
        const env = Math.sin((Math.PI * i) / n) ** 2;
        phase += (2 * Math.PI * (110 + 15 * Math.sin(2 * Math.PI * 3 * t))) / rate;
        // a glottal-ish source (fundamental + harmonics) shaped by two formants
        const source = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase);
        const formants =
          0.6 * Math.sin((2 * Math.PI * f1 * i) / rate) + 0.3 * Math.sin((2 * Math.PI * f2 * i) / rate);
        out.push(0.25 * env * source * (0.5 + 0.5 * formants));
      }
      silence(30);
    }
    silence(/[.!?]$/.test(word) ? 350 : /[,;:]$/.test(word) ? 180 : 60);
  }
  return Float32Array.from(out);
}
