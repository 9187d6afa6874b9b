/**
 * The client events waiting to be written: before the socket opens, and while it drains.
 */
import type { SchedulerLike, Subscription } from 'rxjs';

/** How often a send queue above its socket's high-water mark looks again (no WebSocket API emits 'drain'). */
export const DRAIN_POLL_MS = 10;

/** Where a {@link SendQueue} writes: the open socket, or nothing yet. */
export interface SendTarget {
  send(frame: string): void;
  readonly bufferedAmount: number;
}

/**
 * A bounded FIFO of encoded frames in front of a socket. It's like ws's own send buffer, but it holds frames before
 * the socket opens, keeps at most `highWaterMark` bytes inside the socket (so a stalled network shows up here, where
 * it is counted), and refuses to grow past `maxQueuedBytes` (the caller then ends the connection).
 *
 * ```text
 * push:    -a-b-c------d----        (before open: held)
 * open:    -------o--------         a b c written in order
 * stalled: ----------s~~~~~d~~      one poll every DRAIN_POLL_MS, never more than one scheduled at a time
 * ```
 *
 * Nothing is ever dropped or reordered. `push` returns `false` when the queue would pass `maxQueuedBytes`.
 */
export class SendQueue {
  private readonly frames: string[] = [];
  private head = 0;
  private bytes = 0;
  private target: SendTarget | undefined;
  private poll: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    readonly highWaterMark: number,
    readonly maxQueuedBytes: number,
  ) {}

  /** Bytes held here (not yet given to the socket). */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Frames held here. */
  get length(): number {
    return this.frames.length - this.head;
  }

  /** Queues or writes one frame; `false` when that would pass `maxQueuedBytes` (the frame is not kept). */
  push(frame: string): boolean {
    if (this.stopped) return true;
    const t = this.target;
    if (this.length === 0 && t && t.bufferedAmount < this.highWaterMark) {
      t.send(frame);
      return true;
    }
    if (this.bytes + frame.length > this.maxQueuedBytes) {
      this.bytes += frame.length; // reported by the caller as the amount that did not fit
      return false;
    }
    this.frames.push(frame);
    this.bytes += frame.length;
    if (t && this.length === 1) this.flush();
    return true;
  }

  /** The socket is open: write what waits, and keep writing as it drains. */
  attach(target: SendTarget): void {
    this.target = target;
    this.flush();
  }

  /** Drops everything and cancels the poll (the connection ended). */
  stop(): void {
    this.stopped = true;
    this.poll?.unsubscribe();
    this.poll = undefined;
    this.frames.length = 0;
    this.head = 0;
    this.bytes = 0;
    this.target = undefined;
  }

  /** Writes while the socket is below its high-water mark; true when nothing is left. */
  private write(): boolean {
    const t = this.target;
    if (!t || this.stopped) return true;
    while (this.length > 0 && t.bufferedAmount < this.highWaterMark) {
      const frame = this.frames[this.head]!;
      this.frames[this.head++] = '';
      this.bytes -= frame.length;
      t.send(frame);
      if (this.stopped) return true; // send may end the connection synchronously
    }
    if (this.length === 0) {
      this.frames.length = 0;
      this.head = 0;
      return true;
    }
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames.splice(0, this.head);
      this.head = 0;
    }
    return false;
  }

  private flush(): void {
    if (this.write() || (this.poll && !this.poll.closed)) return;
    // Above the high-water mark: one poll at a time. The action reschedules itself (one scheduled action, one
    // Subscription) rather than scheduling a new action per poll and keeping each one until the connection ends.
    const write = () => this.write();
    this.poll = this.scheduler.schedule(function (this: { schedule(state?: unknown, delay?: number): void }) {
      if (!write()) this.schedule(undefined, DRAIN_POLL_MS);
    }, DRAIN_POLL_MS);
  }
}
