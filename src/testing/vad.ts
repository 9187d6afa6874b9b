/**
 * Server voice activity detection for the emulator: WebRTC VAD (libfvad, BSD, via `@echogarden/fvad-wasm`) on
 * 10 ms frames at 16 kHz, with the turn logic of the service's `server_vad` (protocol README §3): speech starts
 * after a run of voiced frames, is reported `prefix_padding_ms` earlier, and stops after `silence_duration_ms`
 * of silence.
 */
import { createResampler, type Resampler } from '../audio/resample';

/** Turn-detection settings, as `session.turn_detection` (preview) / `audio.input.turn_detection` (GA) give them. */
export interface VadSettings {
  /** 0–1; mapped onto libfvad's aggressiveness modes 0–3 (0.5 → mode 2). Default 0.5. */
  readonly threshold?: number;
  /** Default 300. */
  readonly prefixPaddingMs?: number;
  /** Default 500 (the beta spec; Azure documents 200). */
  readonly silenceDurationMs?: number;
}

export type VadEvent = { type: 'start'; audioMs: number } | { type: 'stop'; audioMs: number };

type FvadModule = {
  _fvad_new(): number;
  _fvad_free(inst: number): void;
  _fvad_set_mode(inst: number, mode: number): number;
  _fvad_set_sample_rate(inst: number, rate: number): number;
  _fvad_process(inst: number, ptr: number, len: number): number;
  _malloc(size: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
};

let modulePromise: Promise<FvadModule> | undefined;
/** Loads the WASM once per process (it is stateless; each detector has its own instance in it). */
const loadFvad = (): Promise<FvadModule> =>
  (modulePromise ??= import('@echogarden/fvad-wasm').then((m) => (m.default as () => Promise<FvadModule>)()));

const FRAME = 160; // 10 ms at 16 kHz
/** Voiced frames in a row before speech counts as started (debounces clicks). */
const START_FRAMES = 8;

/** One detector per session: feed it 24 kHz samples, it tells when speech starts and stops. */
export class VoiceActivityDetector {
  private constructor(
    private readonly fvad: FvadModule,
    private readonly inst: number,
    private readonly ptr: number,
    private readonly settings: Required<VadSettings>,
    private readonly resampler: Resampler,
  ) {}

  private pending = new Float32Array(0);
  private framesSeen = 0; // 10 ms frames processed since the last reset
  private voicedRun = 0;
  private silentRun = 0;
  private speaking = false;
  private baseMs = 0; // audio ms at the last reset

  static async create(settings: VadSettings = {}, inputRate = 24000): Promise<VoiceActivityDetector> {
    const fvad = await loadFvad();
    const inst = fvad._fvad_new();
    const threshold = settings.threshold ?? 0.5;
    fvad._fvad_set_mode(inst, Math.max(0, Math.min(3, Math.round(threshold * 4 - 0.5))));
    fvad._fvad_set_sample_rate(inst, 16000);
    const ptr = fvad._malloc(FRAME * 2);
    return new VoiceActivityDetector(
      fvad,
      inst,
      ptr,
      {
        threshold,
        prefixPaddingMs: settings.prefixPaddingMs ?? 300,
        silenceDurationMs: settings.silenceDurationMs ?? 500,
      },
      createResampler(inputRate, 16000),
    );
  }

  /** Feeds samples (at the input rate); returns the turn events they complete, with buffer times in ms. */
  push(samples: Float32Array): VadEvent[] {
    const at16k = this.resampler.push(samples);
    const joined = new Float32Array(this.pending.length + at16k.length);
    joined.set(this.pending);
    joined.set(at16k, this.pending.length);
    const events: VadEvent[] = [];
    let offset = 0;
    for (; offset + FRAME <= joined.length; offset += FRAME) {
      const heap = this.fvad.HEAP16;
      const base = this.ptr >> 1;
      for (let i = 0; i < FRAME; i++)
        heap[base + i] = Math.max(-32768, Math.min(32767, Math.round(joined[offset + i]! * 32768)));
      const voiced = this.fvad._fvad_process(this.inst, this.ptr, FRAME) === 1;
      this.framesSeen++;
      const nowMs = this.baseMs + this.framesSeen * 10;
      if (voiced) {
        this.voicedRun++;
        this.silentRun = 0;
        if (!this.speaking && this.voicedRun >= START_FRAMES) {
          this.speaking = true;
          const startMs = nowMs - this.voicedRun * 10 - this.settings.prefixPaddingMs;
          events.push({ type: 'start', audioMs: Math.max(this.baseMs, startMs) });
        }
      } else {
        this.voicedRun = 0;
        this.silentRun++;
        if (this.speaking && this.silentRun * 10 >= this.settings.silenceDurationMs) {
          this.speaking = false;
          // the service reports the end of speech plus the silence it waited for (its audio_end_ms)
          events.push({ type: 'stop', audioMs: nowMs });
        }
      }
    }
    this.pending = joined.slice(offset); // < 10 ms kept
    return events;
  }

  /** True between a start and its stop. */
  get isSpeaking(): boolean {
    return this.speaking;
  }

  /** Forgets the current turn (after `input_audio_buffer.clear` / commit); `audioMs` is where counting resumes. */
  reset(audioMs: number): void {
    this.speaking = false;
    this.voicedRun = 0;
    this.silentRun = 0;
    this.framesSeen = 0;
    this.baseMs = audioMs;
  }

  /** Releases the WASM instance and buffer. */
  dispose(): void {
    this.fvad._free(this.ptr);
    this.fvad._fvad_free(this.inst);
  }
}
