/**
 * Spoken replies for the emulator: text → 24 kHz mono PCM16.
 *
 * It's like a TTS call, but offline and optional:
 * - With the npm package `espeak-ng` installed (a WASM build of eSpeak NG; GPL-3.0, so it is never a dependency of
 *   this MIT package, only an optional peer that is loaded with a dynamic `import()` when first needed) it speaks
 *   real English words, resampled from its 22.05 kHz to 24 kHz.
 * - Without it, a small built-in synthesiser makes speech-like audio: syllables of a noise onset and a voiced
 *   part (a 105–220 Hz glottal-ish source with harmonics, coloured by two vowel formants) at about 5 syllables a
 *   second, with pauses between words and longer ones at punctuation. No words, but the duration, level and rhythm of speech: enough for audio
 *   players, VAD, barge-in and timing tests. Deterministic for a given text.
 *
 * The Realtime voice names pick an espeak variant / a pitch, and `speed` (0.25–1.5, GA `audio.output.speed`)
 * scales the rate, so different voices sound different.
 *
 * @example
 * ```ts
 * import { synthesize } from 'rx-realtime/testing';
 * const { pcm, engine } = await synthesize('Hello there.', { voice: 'coral' });
 * // pcm: 24 kHz mono PCM16; engine: 'espeak-ng' when installed, else 'builtin'
 * ```
 */
import { float32ToPcm16 } from '../audio/pcm';
import { resample } from '../audio/resample';
import { readWav } from '../audio/wav';

export interface Synthesis {
  /** 24 kHz mono PCM16. */
  readonly pcm: Uint8Array;
  readonly engine: 'espeak-ng' | 'builtin';
}

export interface SynthesizeOptions {
  /** `'auto'`: espeak-ng when installed, else built-in; `'builtin'`: never loads espeak-ng. Default `'auto'`. */
  readonly engine?: 'auto' | 'builtin' | undefined;
  /** A Realtime voice name (`alloy`, `coral`, …); unknown names use `alloy`'s. Default `'alloy'`. */
  readonly voice?: string | undefined;
  /** Speaking rate factor, 0.25–1.5. Default 1. */
  readonly speed?: number | undefined;
}

type ESpeak = (options: { arguments: string[]; print?: () => void; printErr?: () => void }) => Promise<{
  FS: { readFile(path: string): Uint8Array };
}>;
let espeakPromise: Promise<ESpeak | undefined> | undefined;
const loadEspeak = () =>
  (espeakPromise ??= import(/* optional peer, GPL: never bundled */ 'espeak-ng' as string).then(
    (m: { default: ESpeak }) => m.default,
    () => undefined,
  ));

/** Longest text spoken in one reply (characters); the rest is not spoken, so a reply stays bounded. */
const MAX_CHARS = 2000;

/** Voice → [espeak variant, built-in pitch in Hz]. */
const VOICES: Record<string, readonly [string, number]> = {
  alloy: ['en-us', 150],
  ash: ['en-us+m3', 110],
  ballad: ['en-us+m5', 120],
  coral: ['en-us+f3', 210],
  echo: ['en-us+m1', 105],
  sage: ['en-us+f2', 200],
  shimmer: ['en-us+f4', 220],
  verse: ['en-us+m2', 125],
  marin: ['en-us+f5', 205],
  cedar: ['en-us+m4', 115],
};

/** Speaks `text` as 24 kHz mono PCM16, with espeak-ng when available, else the built-in synthesiser. */
export async function synthesize(text: string, options: SynthesizeOptions = {}): Promise<Synthesis> {
  const [variant, pitch] = VOICES[options.voice ?? 'alloy'] ?? VOICES['alloy']!;
  const speed = Math.max(0.25, Math.min(1.5, options.speed ?? 1));
  const spoken = text.replace(/\s+/g, ' ').trim().slice(0, MAX_CHARS);
  if (options.engine !== 'builtin' && spoken.length > 0) {
    const espeak = await loadEspeak();
    if (espeak) {
      try {
        const instance = await espeak({
          // the leading space keeps a text that starts with "-" from being read as an option
          arguments: ['-v', variant, '-s', String(Math.round(170 * speed)), '-w', '/out.wav', ` ${spoken}`],
          print: () => {},
          printErr: () => {},
        });
        const wav = readWav(instance.FS.readFile('/out.wav'));
        return { pcm: float32ToPcm16(resample(wav.samples[0]!, wav.sampleRate, 24000)), engine: 'espeak-ng' };
      } catch {
        // a broken install: fall through to the built-in voice
      }
    }
  }
  return { pcm: float32ToPcm16(builtinVoice(spoken, { pitch, speed })), engine: 'builtin' };
}

/** Vowel formants (Hz) for a rough a/e/i/o/u colouring. */
const VOWELS: readonly (readonly [number, number])[] = [
  [730, 1090],
  [530, 1840],
  [270, 2290],
  [570, 840],
  [300, 870],
];

/**
 * The built-in voice at 24 kHz: per word, one syllable per ~3 letters (a 25 ms noise onset, like a consonant,
 * then 125 ms voiced), 40 ms between words, 120 ms after `,;:` and 300 ms after `.!?`; all divided by `speed`.
 * About 5 syllables a second, as people speak.
 */
export function builtinVoice(text: string, options: { pitch?: number; speed?: number } = {}): Float32Array {
  const rate = 24000;
  const pitch = options.pitch ?? 150;
  const speed = options.speed ?? 1;
  const words = text.split(/\s+/).filter(Boolean);
  const ms = (n: number) => Math.round((rate * n) / 1000 / speed);
  const onset = ms(25);
  const voiced = ms(125);
  // measure first, so that the output is one preallocated array
  let total = 0;
  const plan = words.map((word) => {
    const syllables = Math.max(1, Math.round(word.replace(/[^\p{L}\p{N}]/gu, '').length / 3));
    const pause = /[.!?]$/.test(word) ? 300 : /[,;:]$/.test(word) ? 120 : 40;
    total += syllables * (onset + voiced) + ms(pause);
    return { word, syllables, pause };
  });
  const out = new Float32Array(total);
  let o = 0;
  let phase = 0;
  let seed = 0x2545f491; // a fixed LCG: the same text always gives the same samples
  const noise = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1;
  let lowpass = 0;
  for (const { word, syllables, pause } of plan) {
    for (let s = 0; s < syllables; s++) {
      const [f1, f2] = VOWELS[(word.charCodeAt(s % word.length) + s) % VOWELS.length]!;
      for (let i = 0; i < onset; i++) {
        lowpass = 0.6 * lowpass + 0.4 * noise();
        out[o++] = 0.08 * Math.sin((Math.PI * i) / onset) * (noise() - lowpass);
      }
      for (let i = 0; i < voiced; i++) {
        const t = i / rate;
        // quick attack, slow release: a syllable's loudness contour
        const env = Math.min(1, i / (0.15 * voiced)) * Math.min(1, (voiced - i) / (0.35 * voiced));
        phase += (2 * Math.PI * pitch * (1 + 0.12 * Math.sin(2 * Math.PI * 3 * t))) / rate;
        const source = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase);
        const formants =
          0.6 * Math.sin((2 * Math.PI * f1 * i) / rate) + 0.3 * Math.sin((2 * Math.PI * f2 * i) / rate);
        out[o++] = 0.25 * env * source * (0.5 + 0.5 * formants);
      }
    }
    o += ms(pause);
  }
  return out;
}
