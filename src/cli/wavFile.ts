/**
 * A WAV file written as the audio comes: a header first, the PCM16 chunks appended, and the header's lengths
 * patched at the end, so a long reply is never held in memory and the file is exact.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { wavHeader } from '../audio/wav';

export class WavFile {
  private fd: number | undefined;
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly sampleRate = 24000,
  ) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, wavHeader(0, { sampleRate }));
  }

  write(chunk: Uint8Array): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, chunk);
    this.bytes += chunk.byteLength;
  }

  /** Milliseconds of audio written (PCM16 mono). */
  get ms(): number {
    return (this.bytes / 2 / this.sampleRate) * 1000;
  }

  close(): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, wavHeader(this.bytes, { sampleRate: this.sampleRate }), 0, undefined, 0);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
