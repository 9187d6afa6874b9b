/**
 * Server voice activity detection for the emulator: WebRTC VAD (libfvad, BSD, via `@echogarden/fvad-wasm`) on
 * 10 ms frames, with the turn logic of the service's `server_vad` (protocol README §3, §6). The 24 kHz input is
 * doubled to 48 kHz by linear interpolation (libfvad takes 8, 16, 32 or 48 kHz and low-passes to 8 kHz itself,
 * so this costs almost nothing, where a windowed-sinc 24 → 16 kHz resampler would cost more than the VAD).
 *
 * - A frame is voiced when libfvad says so AND its level reaches an energy gate. `threshold` (0–1) sets both:
 *   libfvad's aggressiveness mode `round(4·threshold − 0.5)` clamped to 0–3 (0.5 → mode 2), and the gate
 *   `−75 + 55·threshold` dBFS (0.5 → −47.5 dBFS). So, as the service documents, a higher threshold needs louder
 *   audio to count as speech.
 * - Speech starts after 80 ms of voiced frames in a row; `audio_start_ms` is where that run began minus
 *   `prefix_padding_ms` ("includes the prefix_padding_ms configured in the Session").
 * - Speech stops after `silence_duration_ms` of unvoiced frames; `audio_end_ms` is the end of that silence
 *   ("includes the min_silence_duration_ms").
 * - Times count the session's audio: the detector keeps a clock of every 10 ms frame it was given.
 */

/** Turn-detection settings of `session.turn_detection` (preview) / `audio.input.turn_detection` (GA). */
export interface VadSettings {
  /** 0–1. Default 0.5. */
  readonly threshold?: number | undefined;
  /** Default 300. */
  readonly prefixPaddingMs?: number | undefined;
  /** Default 200 (Azure and real sessions; the beta spec says 500). */
  readonly silenceDurationMs?: number | undefined;
}

export type VadEvent = { readonly type: 'start' | 'stop'; readonly audioMs: number };

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
/** Loads the WASM once per process (each detector has its own libfvad instance in it). */
const loadFvad = (): Promise<FvadModule> =>
  (modulePromise ??= import('@echogarden/fvad-wasm').then((m) => (m.default as () => Promise<FvadModule>)()));

const RATE = 48000;
const FRAME = 480; // 10 ms at 48 kHz
/** Voiced frames in a row before speech counts as started (so that a click is not a turn). */
const START_FRAMES = 8;

/** libfvad mode for a threshold (documented above). */
export const fvadMode = (threshold: number): number =>
  Math.max(0, Math.min(3, Math.round(threshold * 4 - 0.5)));
/** The energy gate in dBFS for a threshold (documented above). */
export const energyGateDb = (threshold: number): number => -75 + 55 * threshold;

/** One detector per session: feed it 24 kHz samples, it says when speech starts and stops. */
export class VoiceActivityDetector {
  private settings: { threshold: number; prefixPaddingMs: number; silenceDurationMs: number } = {
    threshold: 0.5,
    prefixPaddingMs: 300,
    silenceDurationMs: 200,
  };
  private gate = 0;
  /** The last input sample, for interpolating across pushes. */
  private previous = 0;
  private pending = new Float32Array(0);
  private clockMs: number;
  private voicedRun = 0;
  private silentRun = 0;
  private speaking = false;
  private disposed = false;

  private constructor(
    private readonly fvad: FvadModule,
    private readonly inst: number,
    private readonly ptr: number,
    startMs: number,
  ) {
    this.clockMs = startMs;
  }

  /** A detector whose clock starts at `startMs` (the session's audio time of the next sample). */
  static async create(settings: VadSettings, startMs: number): Promise<VoiceActivityDetector> {
    const fvad = await loadFvad();
    const inst = fvad._fvad_new();
    fvad._fvad_set_sample_rate(inst, RATE);
    const vad = new VoiceActivityDetector(fvad, inst, fvad._malloc(FRAME * 2), startMs);
    vad.configure(settings);
    return vad;
  }

  /** Applies new settings (after `session.update`); the turn in progress goes on. */
  configure(settings: VadSettings): void {
    this.settings = {
      threshold: settings.threshold ?? 0.5,
      prefixPaddingMs: settings.prefixPaddingMs ?? 300,
      silenceDurationMs: settings.silenceDurationMs ?? 200,
    };
    this.fvad._fvad_set_mode(this.inst, fvadMode(this.settings.threshold));
    // compared with the mean square of a frame in [-1, 1] units
    this.gate = 10 ** (energyGateDb(this.settings.threshold) / 10);
  }

  /** Feeds 24 kHz samples; returns the turn events they complete, in session milliseconds. */
  push(samples: Float32Array): VadEvent[] {
    if (this.disposed) return [];
    const joined = new Float32Array(this.pending.length + samples.length * 2);
    joined.set(this.pending);
    for (let i = 0, o = this.pending.length; i < samples.length; i++) {
      const s = samples[i]!;
      joined[o++] = (this.previous + s) / 2;
      joined[o++] = s;
      this.previous = s;
    }
    const events: VadEvent[] = [];
    let offset = 0;
    for (; offset + FRAME <= joined.length; offset += FRAME) {
      const heap = this.fvad.HEAP16;
      const base = this.ptr >> 1;
      let energy = 0;
      for (let i = 0; i < FRAME; i++) {
        const s = joined[offset + i]!;
        energy += s * s;
        heap[base + i] = Math.max(-32768, Math.min(32767, Math.round(s * 32768)));
      }
      const voiced = this.fvad._fvad_process(this.inst, this.ptr, FRAME) === 1 && energy / FRAME >= this.gate;
      this.clockMs += 10;
      if (voiced) {
        this.voicedRun++;
        this.silentRun = 0;
        if (!this.speaking && this.voicedRun >= START_FRAMES) {
          this.speaking = true;
          events.push({
            type: 'start',
            audioMs: this.clockMs - this.voicedRun * 10 - this.settings.prefixPaddingMs,
          });
        }
      } else {
        this.voicedRun = 0;
        this.silentRun++;
        if (this.speaking && this.silentRun * 10 >= this.settings.silenceDurationMs) {
          this.speaking = false;
          events.push({ type: 'stop', audioMs: this.clockMs });
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

  /** Forgets the turn in progress (after a manual commit or a clear). */
  reset(): void {
    this.speaking = false;
    this.voicedRun = 0;
    this.silentRun = 0;
  }

  /** Sets the clock after audio the detector did not see (turn detection was off); forgets the turn. */
  resync(audioMs: number): void {
    this.reset();
    this.pending = new Float32Array(0);
    this.previous = 0;
    this.clockMs = audioMs;
  }

  /** Releases the libfvad instance and its buffer; later pushes do nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.fvad._free(this.ptr);
    this.fvad._fvad_free(this.inst);
  }
}
