import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { wavHeader } from '../audio/wav';
import { sourceObserver } from './sourceObserver';

/** Where {@link writeAudio} writes: a Node `Writable` (stdout, a file stream, a socket) or anything with `write`. */
export interface AudioSink {
  write(chunk: Uint8Array): unknown;
}

/** Options of {@link writeAudio}; every property has a default. */
export interface WriteAudioOptions {
  /**
   * `'pcm16'`: the raw bytes as they come (default). `'wav'`: a WAV header first, with the streaming length
   * `0xffffffff` since the length is not known yet (sox, ffmpeg and most players read it); for a file you want
   * exact, collect the audio and use `writeWav` at the end instead.
   */
  readonly format?: 'pcm16' | 'wav' | undefined;
  /** Sample rate written in the WAV header. Default `24000`. */
  readonly sampleRate?: number | undefined;
}

/**
 * Writes audio chunks to a sink as they pass (the reply audio to stdout, a file or a player) and passes them on.
 *
 * It's like `tap((chunk) => sink.write(chunk))`, but with a WAV header first when asked, written at the first
 * subscription's first chunk only.
 *
 * ```text
 * source:  --x--y--|     x, y = Uint8Array (e.g. from audioDeltas())
 * output:  --x--y--|     sink: [header], x, y
 * ```
 *
 * Completes and errors with the source; a sink that throws errors the stream with its error.
 *
 * @example
 * ```ts
 * import { audioDeltas, writeAudio } from 'rx-realtime';
 * server$.pipe(audioDeltas(), writeAudio(process.stdout)).subscribe();
 * ```
 */
export function writeAudio(
  sink: AudioSink,
  options: WriteAudioOptions = {},
): MonoTypeOperatorFunction<Uint8Array> {
  // one header per sink: a resubscription (retry, repeat) writes on into the same sink, so the flag belongs to
  // this operator (which holds the sink), not to a subscription
  let headerWritten = options.format !== 'wav';
  return (source) =>
    new Observable<Uint8Array>((subscriber) => {
      return source.subscribe(
        sourceObserver({
          // a sink that throws errors the stream (sourceObserver turns a throw into the error)
          next(chunk) {
            if (!headerWritten) {
              sink.write(wavHeader(0xffffffff, { sampleRate: options.sampleRate ?? 24000 }));
              headerWritten = true;
            }
            sink.write(chunk);
            subscriber.next(chunk);
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
    });
}
