/**
 * The client frames of one session, handled one at a time in arrival order, with the socket's reads paused while
 * the session cannot keep up: too many frames waiting, or too many replies waiting for a client that does not read.
 *
 * ```text
 * frames:   -a-b-c-d-…-(65th waiting: pause)---(16 left: resume)-…
 * replies:  ───────────(1 MiB unread: pause)~~~poll every 5 ms~~~(256 KiB: resume)
 * turns:    16 frames, then setImmediate: other sessions' sockets get their turn
 * ```
 *
 * It's like a promise chain (`queue = queue.then(handle)`), but bounded, and fair to the other sessions of the
 * process: a chain of thousands of frames would otherwise run as one long microtask and starve every other socket.
 */

/** Client frames waiting to be handled: above HIGH the socket is paused, below LOW it reads again. */
const BACKLOG_HIGH = 64;
const BACKLOG_LOW = 16;
/**
 * Bytes waiting for a client that does not read: above HIGH the session stops reading its frames (so it makes no
 * more replies), below LOW it reads again. What waits is then bounded by HIGH, the backlog's replies and one
 * response, whatever the client sends.
 */
const OUTPUT_HIGH = 1024 * 1024;
const OUTPUT_LOW = 256 * 1024;
/** How often a paused session looks whether its client has read enough (ms): nothing else tells. */
const OUTPUT_POLL_MS = 5;
/** Client frames handled in one turn of the event loop. */
const FRAMES_PER_TURN = 16;

/** The socket, as far as flow control goes. */
export interface FlowPort {
  readonly pause: () => void;
  readonly resume: () => void;
  /** Bytes sent but not yet taken by the client. */
  readonly buffered: () => number;
}

export class FrameQueue {
  private queue: Promise<void> = Promise.resolve();
  private backlog = 0;
  private backlogFull = false;
  private outputFull = false;
  private paused = false;
  private outputPoll: ReturnType<typeof setTimeout> | undefined;
  private handledThisTurn = 0;
  private disposed = false;

  constructor(
    private readonly port: FlowPort,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs `step` after every step before it; the frame counts towards the backlog. */
  push(step: () => void | Promise<void>): void {
    if (++this.backlog > BACKLOG_HIGH) this.backlogFull = true;
    this.flow();
    this.queue = this.queue
      .then(() => this.fairTurn())
      .then(step)
      .catch(this.onError)
      .finally(() => {
        if (--this.backlog < BACKLOG_LOW) this.backlogFull = false;
        this.flow();
      });
  }

  /** Runs `step` in order, outside the backlog (an answer of the session's own, such as a binary frame's). */
  then(step: () => void): void {
    this.queue = this.queue.then(step);
  }

  /** Call after each frame sent: pauses reading while the client leaves more than 1 MiB unread. */
  sent(): void {
    if (this.outputPoll !== undefined || this.disposed) return;
    if (this.port.buffered() <= OUTPUT_HIGH) return;
    const poll = () => {
      this.outputPoll = undefined;
      if (this.disposed) return;
      if (this.port.buffered() > OUTPUT_LOW) {
        this.outputPoll = setTimeout(poll, OUTPUT_POLL_MS);
        return;
      }
      this.outputFull = false;
      this.flow();
    };
    this.outputFull = true;
    this.flow();
    this.outputPoll = setTimeout(poll, OUTPUT_POLL_MS);
  }

  /** Stops the poll; nothing is resumed afterwards. */
  dispose(): void {
    this.disposed = true;
    if (this.outputPoll !== undefined) clearTimeout(this.outputPoll);
    this.outputPoll = undefined;
  }

  private fairTurn(): Promise<void> | undefined {
    if (++this.handledThisTurn < FRAMES_PER_TURN) return undefined;
    this.handledThisTurn = 0;
    return new Promise((resolve) => setImmediate(resolve));
  }

  private flow(): void {
    if (this.disposed) return;
    const pause = this.backlogFull || this.outputFull;
    if (pause === this.paused) return;
    this.paused = pause;
    if (pause) this.port.pause();
    else this.port.resume();
  }
}
