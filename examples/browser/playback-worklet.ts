/**
 * The speaker side of the page, on the audio thread: PCM16 24 kHz chunks of assistant audio items are resampled
 * to the AudioContext's rate and played in order, and the worklet reports what has really been played of each
 * item, in milliseconds of that item (the "heard" position `interruptOnSpeech({ playbackMs })` truncates at).
 *
 * ```text
 * port in:  { type: 'audio', itemId, pcm }   queued behind what is playing
 *           { type: 'clear' }                 drop everything queued (barge-in)
 * port out: { type: 'position', itemId, ms, totalMs }   about every 50 ms while playing, and when an item ends
 * ```
 *
 * The queue holds what the service sent ahead of real time (it streams faster than it plays): at most
 * {@link MAX_QUEUED_SECONDS}; beyond, the oldest audio is dropped, so a stuck output never grows memory.
 */
import { createResampler, pcm16ToFloat32, type Resampler } from 'rx-realtime';
import { scope } from './worklet-scope.js';

const MAX_QUEUED_SECONDS = 120;
const REPORT_EVERY_MS = 50;

interface Chunk {
  readonly itemId: string;
  readonly samples: Float32Array;
}

type Message = { type: 'audio'; itemId: string; pcm: ArrayBuffer } | { type: 'clear' };

class Playback extends scope.AudioWorkletProcessor {
  private readonly queue: Chunk[] = [];
  private queued = 0; // samples in the queue, at the context's rate
  private offset = 0; // samples of queue[0] already played
  private resampler: Resampler | undefined;
  private resamplerItem: string | undefined;
  private playingItem: string | undefined;
  private itemFrames = 0; // frames of playingItem played
  private totalFrames = 0; // frames of assistant audio played in all
  private sinceReport = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<Message>) => this.receive(event.data);
  }

  private receive(message: Message) {
    if (message.type === 'clear') {
      this.queue.length = 0;
      this.queued = 0;
      this.offset = 0;
      this.report();
      this.playingItem = undefined;
      this.resampler = undefined; // the cleared item's tail is never played
      this.resamplerItem = undefined;
      return;
    }
    if (this.resamplerItem !== message.itemId) {
      // a new item: the last few milliseconds the resampler held of the previous one are played first
      if (this.resampler && this.resamplerItem !== undefined)
        this.enqueue(this.resamplerItem, this.resampler.flush());
      this.resampler = createResampler(24000, scope.sampleRate);
      this.resamplerItem = message.itemId;
    }
    this.enqueue(message.itemId, this.resampler!.push(pcm16ToFloat32(new Uint8Array(message.pcm))));
  }

  private enqueue(itemId: string, samples: Float32Array) {
    if (samples.length === 0) return;
    this.queue.push({ itemId, samples });
    this.queued += samples.length;
    while (this.queued > MAX_QUEUED_SECONDS * scope.sampleRate && this.queue.length > 1) {
      this.queued -= this.queue.shift()!.samples.length - this.offset;
      this.offset = 0;
    }
  }

  private report() {
    if (this.playingItem === undefined) return;
    this.port.postMessage({
      type: 'position',
      itemId: this.playingItem,
      ms: (this.itemFrames / scope.sampleRate) * 1000,
      totalMs: (this.totalFrames / scope.sampleRate) * 1000,
    });
    this.sinceReport = 0;
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0]?.[0];
    if (out === undefined) return true;
    let written = 0;
    while (written < out.length && this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.itemId !== this.playingItem) {
        this.report(); // the last position of the item that ends here
        this.playingItem = head.itemId;
        this.itemFrames = 0;
      }
      const n = Math.min(out.length - written, head.samples.length - this.offset);
      out.set(head.samples.subarray(this.offset, this.offset + n), written);
      written += n;
      this.offset += n;
      this.itemFrames += n;
      this.totalFrames += n;
      this.queued -= n;
      if (this.offset === head.samples.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    out.fill(0, written); // silence when nothing is queued
    for (let c = 1; c < (outputs[0]?.length ?? 0); c++) outputs[0]![c]!.set(out);
    if (written > 0) {
      this.sinceReport += (written / scope.sampleRate) * 1000;
      if (this.sinceReport >= REPORT_EVERY_MS || this.queue.length === 0) this.report();
    }
    return true;
  }
}

scope.registerProcessor('rx-playback', Playback);
