/**
 * The input side of one emulated session: appended audio into the input buffer, and server VAD over it deciding
 * where a user turn starts and ends:
 *
 * ```text
 * append ─► decode to 24 kHz PCM16 ─► buffer (bounded) ─► VAD ─► speech_started … speech_stopped ─► commit the turn
 *                                                            └─ GA idle_timeout_ms without speech ─► timeout_triggered
 * ```
 *
 * What a committed turn becomes (the user item, its transcription, a response) is the session's business: this
 * module only calls {@link TurnPort.commitTurn} and {@link TurnPort.autoRespond}.
 */
// source: protocol README §6 "Server VAD turn"
import { base64ToBytes } from '../audio/base64';
import { pcm16ToFloat32 } from '../audio/pcm';
import type { Dialect } from '../protocol';
import type { Effective } from './config';
import { newId } from './ids';
import { InputAudioBuffer, InputDecoder } from './inputAudio';
import type { EmitServerEvent, Problem } from './serverEvent';
import { VoiceActivityDetector } from './vad';

/** The largest audio one `input_audio_buffer.append` may carry. */
// source: protocol README §1 "Input audio size": 15 MiB
export const MAX_APPEND_BYTES = 15 * 1024 * 1024;
/** The least audio a commit needs (the service's `input_audio_buffer_commit_empty`). */
const MIN_COMMIT_MS = 100;

/** What the input side needs from its session. */
export interface TurnPort {
  readonly dialect: Dialect;
  readonly emit: EmitServerEvent;
  isClosed(): boolean;
  settings(): Effective;
  /** `input_audio_buffer.committed` and what follows it for this turn. */
  commitTurn(itemId: string, pcm: Uint8Array, durationMs: number): void;
  /** A response that server VAD asks for (`create_response`). */
  autoRespond(): void;
  /** Barge-in: speech started while a response plays (`interrupt_response`). */
  bargeIn(): void;
  /** A response of the default conversation is in progress (the idle timeout waits for it). */
  responding(): boolean;
}

export class InputTurns {
  private readonly audio: InputAudioBuffer;
  private readonly decoder = new InputDecoder();
  private vad: VoiceActivityDetector | undefined;
  private vadLoading: Promise<VoiceActivityDetector> | undefined;
  private vadInSync = false;
  private speech: { itemId: string; startMs: number } | undefined;
  /** GA idle timeout: audio time when the last response ended (armed), or undefined. */
  private idleSinceMs: number | undefined;

  constructor(
    private readonly port: TurnPort,
    maxTurnAudioMs: number,
  ) {
    this.audio = new InputAudioBuffer(maxTurnAudioMs);
  }

  /** `input_audio_buffer.append`: a problem to refuse it with, or undefined once handled. */
  async append(audio: string): Promise<Problem | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(audio);
    } catch (err) {
      return { code: 'invalid_value', message: `Invalid 'audio': ${(err as Error).message}`, param: 'audio' };
    }
    if (bytes.byteLength > MAX_APPEND_BYTES) {
      return {
        code: 'invalid_value',
        message: `Invalid 'audio': one append may carry at most 15 MiB (15728640 bytes) of audio, got ${bytes.byteLength} bytes.`,
        param: 'audio',
      };
    }
    const { pcm24, ms } = this.decoder.decode(bytes, this.port.settings().inputFormat);
    const startMs = this.audio.totalMs;
    this.audio.append(pcm24, ms);
    const turn = this.port.settings().turn;
    if (!turn) return undefined;
    const vad = this.vad ?? (await this.loadVad(startMs));
    if (!vad || this.port.isClosed() || !this.port.settings().turn) return undefined;
    if (!this.vadInSync) {
      vad.resync(startMs);
      this.vadInSync = true;
    }
    for (const e of vad.push(pcm16ToFloat32(pcm24))) {
      if (this.port.isClosed()) return undefined;
      if (e.type === 'start') this.speechStarted(e.audioMs);
      else this.speechStopped(e.audioMs);
    }
    if (!this.speech) {
      // before speech only the prefix padding is needed (nothing unbounded)
      this.audio.forgetBefore(this.audio.totalMs - turn.prefixPaddingMs - 100);
      this.checkIdle();
    }
    return undefined;
  }

  /** `input_audio_buffer.commit`: a problem to refuse it with, or undefined once committed. */
  commit(): Problem | undefined {
    const ms = this.audio.bufferMs;
    if (ms < MIN_COMMIT_MS) {
      return {
        code: 'input_audio_buffer_commit_empty',
        message: `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`,
      };
    }
    const itemId = this.speech?.itemId ?? newId('item');
    this.speech = undefined;
    this.vad?.reset();
    this.port.commitTurn(itemId, this.audio.commit(), Math.round(ms));
    return undefined;
  }

  /** `input_audio_buffer.clear`. */
  clear(): void {
    this.audio.clear();
    this.vad?.reset();
    this.speech = undefined;
  }

  /** The session's turn detection changed. */
  configure(): void {
    if (this.port.settings().turn) this.vad?.configure(this.vadSettings());
    else {
      this.vadInSync = false;
      this.speech = undefined;
    }
  }

  /** A response of the default conversation ended: the GA idle timeout counts from here. */
  responseEnded(): void {
    if (this.port.settings().turn) this.idleSinceMs = this.audio.totalMs;
  }

  dispose(): void {
    this.vad?.dispose();
    this.vad = undefined;
    this.audio.clear();
  }

  private speechStarted(atMs: number): void {
    const bufferStart = this.audio.totalMs - this.audio.bufferMs;
    const startMs = Math.max(0, bufferStart, Math.round(atMs));
    this.speech = { itemId: newId('item'), startMs };
    this.idleSinceMs = undefined;
    this.port.emit('input_audio_buffer.speech_started', {
      audio_start_ms: startMs,
      item_id: this.speech.itemId,
    });
    // barge-in (§6): speech during a response cancels it when interrupt_response is on
    if (this.port.settings().turn?.interruptResponse) this.port.bargeIn();
  }

  private speechStopped(atMs: number): void {
    const speech = this.speech ?? {
      itemId: newId('item'),
      startMs: this.audio.totalMs - this.audio.bufferMs,
    };
    this.speech = undefined;
    const endMs = Math.round(atMs);
    this.port.emit('input_audio_buffer.speech_stopped', { audio_end_ms: endMs, item_id: speech.itemId });
    const pcm = this.audio.commit(speech.startMs, endMs);
    this.port.commitTurn(speech.itemId, pcm, endMs - speech.startMs);
    if (this.port.settings().turn?.createResponse) this.port.autoRespond();
  }

  /** GA `idle_timeout_ms`: after a response, that much audio without speech commits the silence and answers. */
  private checkIdle(): void {
    const idle = this.port.settings().turn?.idleTimeoutMs;
    if (
      idle == null ||
      this.idleSinceMs === undefined ||
      this.port.responding() ||
      this.port.dialect !== 'ga'
    )
      return;
    const now = this.audio.totalMs;
    if (now - this.idleSinceMs < idle) return;
    const itemId = newId('item');
    this.port.emit('input_audio_buffer.timeout_triggered', {
      audio_start_ms: Math.round(this.idleSinceMs),
      audio_end_ms: Math.round(now),
      item_id: itemId,
    });
    this.idleSinceMs = undefined;
    const ms = this.audio.bufferMs;
    this.port.commitTurn(itemId, this.audio.commit(), Math.round(ms));
    this.port.autoRespond();
  }

  private async loadVad(startMs: number): Promise<VoiceActivityDetector | undefined> {
    this.vadLoading ??= VoiceActivityDetector.create(this.vadSettings(), startMs);
    const vad = await this.vadLoading;
    if (this.port.isClosed()) {
      vad.dispose(); // the socket closed while the WASM loaded: nothing may outlive the session
      return undefined;
    }
    if (!this.vad) {
      this.vad = vad;
      this.vadInSync = true;
    }
    return this.vad;
  }

  private vadSettings() {
    const t = this.port.settings().turn;
    return {
      threshold: t?.threshold,
      prefixPaddingMs: t?.prefixPaddingMs,
      silenceDurationMs: t?.silenceDurationMs,
    };
  }
}
