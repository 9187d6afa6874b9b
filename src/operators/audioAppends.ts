import { Observable, asyncScheduler, isObservable, type SchedulerLike, type Subscription } from 'rxjs';
import type { ClientEvents } from '../protocol';
import { base64Append } from '../protocol/encode';
import { bytesToBase64 } from '../audio/base64';
import { pcm16BytesForMs } from '../audio/pcm';
import { sourceObserver } from './sourceObserver';

/** Options of {@link audioAppends}; every property has a default. */
export interface AudioAppendsOptions {
  /** Milliseconds of audio per `input_audio_buffer.append`. Default `100` (Azure's advice). */
  // source: protocol README §1
  readonly chunkMs?: number | undefined;
  /** Sample rate of the PCM16 mono input. Default `24000`, the only PCM rate the service takes. */
  // source: protocol README §1
  readonly sampleRate?: number | undefined;
  /**
   * `'realtime'`: chunk `i` is sent `i × chunkMs` after subscription, as a microphone would (for a byte array;
   * a stream of chunks is sent as it arrives, it paces itself). `'fast'`: everything at once. Default `'realtime'`.
   */
  readonly pace?: 'realtime' | 'fast' | undefined;
  /**
   * Send `input_audio_buffer.commit` after the last chunk. Use it when turn detection is off (manual mode);
   * with server VAD the service commits by itself. Default `false`.
   */
  // source: protocol README §6
  readonly commit?: boolean | undefined;
  /** The scheduler that paces the chunks. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

type AppendOrCommit = ClientEvents.InputAudioBufferAppend | ClientEvents.InputAudioBufferCommit;

/**
 * Turns PCM16 mono audio into `input_audio_buffer.append` client events of a fixed length, paced in real time
 * or as fast as possible, optionally ending with `input_audio_buffer.commit`.
 *
 * It's like `bufferCount` over bytes, but it cuts on sample boundaries, base64-encodes each chunk, and keeps at
 * most one partial chunk in memory whatever the length of the input.
 *
 * ```text
 * pcm (300 ms, pace: 'realtime', chunkMs: 100, commit: true)
 * output:  a 99ms a 99ms (a c|)
 *          a = input_audio_buffer.append (100 ms), c = input_audio_buffer.commit
 * ```
 *
 * Completes after the last chunk (and the commit); errors when the source stream errors; unsubscribing stops
 * the pacing timer and the source subscription.
 *
 * @example
 * ```ts
 * import { audioAppends, connect } from 'rx-realtime';
 * const pcm = toPcm16Mono24k(readFileSync('question.wav'));
 * realtime(audioAppends(pcm, { pace: 'realtime' })).subscribe(console.log);
 * ```
 */
export function audioAppends(
  pcm: Uint8Array | Observable<Uint8Array>,
  options: AudioAppendsOptions = {},
): Observable<AppendOrCommit> {
  const chunkMs = options.chunkMs ?? 100;
  const sampleRate = options.sampleRate ?? 24000;
  const pace = options.pace ?? 'realtime';
  const scheduler = options.scheduler ?? asyncScheduler;
  const chunkBytes = pcm16BytesForMs(chunkMs, sampleRate);
  if (!(sampleRate > 0)) throw new RangeError(`audioAppends: sampleRate must be > 0, got ${sampleRate}`);
  if (!(chunkBytes > 0)) throw new RangeError(`audioAppends: chunkMs must be > 0, got ${chunkMs}`);
  const append = (bytes: Uint8Array): AppendOrCommit => base64Append(bytesToBase64(bytes));
  const commit: AppendOrCommit = { type: 'input_audio_buffer.commit' };

  if (!isObservable(pcm)) {
    const bytes = pcm;
    return new Observable<AppendOrCommit>((subscriber) => {
      const count = Math.ceil(bytes.byteLength / chunkBytes);
      const chunk = (i: number) =>
        bytes.subarray(i * chunkBytes, Math.min(bytes.byteLength, (i + 1) * chunkBytes));
      const finish = () => {
        if (options.commit) subscriber.next(commit);
        subscriber.complete();
      };
      if (pace === 'fast') {
        for (let i = 0; i < count && !subscriber.closed; i++) subscriber.next(append(chunk(i)));
        if (!subscriber.closed) finish();
        return;
      }
      // Absolute deadlines (start + i × chunkMs) so that scheduling jitter does not accumulate into drift.
      const start = scheduler.now();
      let i = 0;
      return scheduler.schedule(function (this: unknown) {
        if (i < count) subscriber.next(append(chunk(i++)));
        if (i >= count) return finish();
        const action = this as { schedule(state?: unknown, delay?: number): Subscription };
        action.schedule(undefined, Math.max(0, start + i * chunkMs - scheduler.now()));
      });
    });
  }

  const source = pcm;
  return new Observable<AppendOrCommit>((subscriber) => {
    // At most one partial chunk is held: memory stays flat however long the stream runs.
    let pending = new Uint8Array(0);
    return source.subscribe(
      sourceObserver<Uint8Array>({
        next: (data) => {
          let bytes = data;
          if (pending.byteLength > 0) {
            const joined = new Uint8Array(pending.byteLength + data.byteLength);
            joined.set(pending);
            joined.set(data, pending.byteLength);
            bytes = joined;
          }
          let offset = 0;
          while (bytes.byteLength - offset >= chunkBytes) {
            subscriber.next(append(bytes.subarray(offset, offset + chunkBytes)));
            offset += chunkBytes;
          }
          pending = bytes.slice(offset);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          if (pending.byteLength > 0) subscriber.next(append(pending));
          if (options.commit) subscriber.next(commit);
          subscriber.complete();
        },
      }),
    );
  });
}
