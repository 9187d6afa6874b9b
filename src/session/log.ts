/**
 * The client events `session()` has handed to a socket and the server has not yet acknowledged, in order: what a
 * new socket must be sent again so that nothing the user sent is lost, and nothing the server acknowledged is sent
 * twice. Each kind of event leaves the log at its acknowledgement:
 *
 * | event | leaves the log at |
 * |---|---|
 * | `input_audio_buffer.append` | `input_audio_buffer.committed` or `.cleared` (the audio is then in an item, or gone) |
 * | `input_audio_buffer.commit` / `.clear` | `input_audio_buffer.committed` / `.cleared` |
 * | `conversation.item.create` | the item's `conversation.item.created` (preview) / `.added` (GA), by item id |
 * | `response.create` (default conversation) | `response.created`, or an `error` naming its `event_id` |
 * | `session.update` | `session.updated`, or an `error` naming its `event_id` |
 * | `conversation.item.delete` | `conversation.item.deleted` |
 * | anything else (`response.cancel`, `conversation.item.truncate`, out-of-band creates, …) | the socket it was sent on: a new session has nothing for it to act on |
 *
 * Bounded: sent appends not yet committed are kept up to `maxResendAudioBytes` (the current turn; older ones are
 * forgotten, oldest first: with server VAD, audio that no turn committed is silence); everything else counts
 * towards `maxQueuedBytes`, past which `add` refuses (the caller ends the session with `BackpressureError`).
 */
// source: protocol README §6, "Lifecycles"
import type { ClientEvent, ServerMessage } from '../protocol';

type Kind = 'append' | 'commit' | 'clear' | 'item' | 'create' | 'update' | 'delete' | 'once';

interface Entry {
  readonly event: ClientEvent;
  readonly kind: Kind;
  readonly bytes: number;
  /** The socket it was handed to, or undefined while no socket had it. */
  link: number | undefined;
  /** True once the socket it was handed to had opened (its `session.created` came): it went out. */
  sent: boolean;
}

const kindOf = (event: ClientEvent): Kind => {
  switch (event.type) {
    case 'input_audio_buffer.append':
      return 'append';
    case 'input_audio_buffer.commit':
      return 'commit';
    case 'input_audio_buffer.clear':
      return 'clear';
    case 'conversation.item.create':
      return event.item.id === undefined ? 'once' : 'item';
    case 'response.create':
      return event.response?.conversation === 'none' ? 'once' : 'create';
    case 'session.update':
      return 'update';
    case 'conversation.item.delete':
      return 'delete';
    default:
      return 'once';
  }
};

/** Approximate size of an event on the wire: its audio (the bulk) or a small constant. */
const sizeOf = (event: ClientEvent): number =>
  event.type === 'input_audio_buffer.append' ? event.audio.length + 64 : 512;

export class PendingLog {
  private entries: Entry[] = [];
  private queuedBytes = 0; // every entry
  private sentAudioBytes = 0; // sent appends

  constructor(
    private readonly maxQueuedBytes: number,
    private readonly maxResendAudioBytes: number,
  ) {}

  /** Adds an event handed to socket `link` (or to none yet); false when it would pass `maxQueuedBytes`. */
  add(event: ClientEvent, link: number | undefined, sent: boolean): boolean {
    const entry: Entry = { event, kind: kindOf(event), bytes: sizeOf(event), link, sent };
    if (this.queuedBytes + entry.bytes > this.maxQueuedBytes) {
      this.trimSentAudio(this.queuedBytes + entry.bytes - this.maxQueuedBytes);
      if (this.queuedBytes + entry.bytes > this.maxQueuedBytes) return false;
    }
    this.entries.push(entry);
    this.queuedBytes += entry.bytes;
    if (entry.kind === 'append' && sent) this.countSent(entry);
    return true;
  }

  /** Puts an event before everything else (the session's first config), handed to no socket yet. */
  prepend(event: ClientEvent): void {
    const entry: Entry = { event, kind: kindOf(event), bytes: sizeOf(event), link: undefined, sent: false };
    this.entries.unshift(entry);
    this.queuedBytes += entry.bytes;
  }

  /** Socket `link` opened: what was handed to it went out. */
  opened(link: number): void {
    for (const e of this.entries) if (e.link === link && !e.sent) this.countSent(e);
  }

  /** A server event of the active socket: removes what it acknowledges. */
  acknowledge(event: ServerMessage): void {
    switch (event.type) {
      case 'input_audio_buffer.committed':
        // the buffer became an item: every append that went out is in it (or, a few ms of trailing silence
        // after the commit point, in the new buffer: not worth a second send)
        this.remove((e) => e.kind === 'append' && e.sent);
        this.removeFirst((e) => e.kind === 'commit');
        return;
      case 'input_audio_buffer.cleared':
        this.remove((e) => e.kind === 'append' && e.sent);
        this.removeFirst((e) => e.kind === 'clear');
        return;
      case 'conversation.item.created':
      case 'conversation.item.added': {
        const id = event.item.id;
        if (id !== undefined)
          this.removeFirst(
            (e) => e.kind === 'item' && e.event.type === 'conversation.item.create' && e.event.item.id === id,
          );
        return;
      }
      case 'conversation.item.deleted':
        this.removeFirst(
          (e) =>
            e.kind === 'delete' &&
            e.event.type === 'conversation.item.delete' &&
            e.event.item_id === event.item_id,
        );
        return;
      case 'response.created':
        this.removeFirst((e) => e.kind === 'create' && e.sent);
        return;
      case 'session.updated':
        this.removeFirst((e) => e.kind === 'update' && e.sent);
        return;
      case 'error': {
        const id = event.error.event_id;
        if (id)
          this.removeFirst((e) => (e.kind === 'create' || e.kind === 'update') && e.event.event_id === id);
        return;
      }
      default:
        return;
    }
  }

  /**
   * The socket dropped: what went out once and has no use on a new session (`once`) is forgotten; everything else
   * waits for the next socket, in order.
   */
  dropped(): void {
    this.remove((e) => e.kind === 'once' && e.sent);
    for (const e of this.entries) {
      if (e.kind === 'append' && e.sent) this.sentAudioBytes -= e.bytes;
      e.link = undefined;
      e.sent = false;
    }
  }

  /** The events to send again on socket `link`, in order; they are now handed to it. */
  resend(link: number, sent: boolean): ClientEvent[] {
    const out: ClientEvent[] = [];
    for (const e of this.entries) {
      e.link = link;
      if (sent && !e.sent) this.countSent(e);
      out.push(e.event);
    }
    return out;
  }

  /**
   * Keeps at most `bytes` of the sent, uncommitted audio (oldest forgotten). With server VAD and nobody
   * speaking, that audio is silence: only the last moments matter (the VAD's prefix padding), so a new socket
   * gets those and not the whole silence since the last turn.
   */
  keepSentAudio(bytes: number): void {
    if (this.sentAudioBytes > bytes) this.trimSentAudio(this.sentAudioBytes - bytes);
  }

  /** True when no event other than audio waits for an acknowledgement (rollover waits for this). */
  settled(): boolean {
    return this.entries.every((e) => e.kind === 'append');
  }

  /** True when a `response.create` waits (so no other needs to be sent to answer the user's last turn). */
  hasCreate(): boolean {
    return this.entries.some((e) => e.kind === 'create');
  }

  get size(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  private countSent(e: Entry): void {
    e.sent = true;
    if (e.kind !== 'append') return;
    this.sentAudioBytes += e.bytes;
    if (this.sentAudioBytes > this.maxResendAudioBytes)
      this.trimSentAudio(this.sentAudioBytes - this.maxResendAudioBytes);
  }

  /** Forgets the oldest sent appends, at least `bytes` of them. */
  private trimSentAudio(bytes: number): void {
    let freed = 0;
    this.remove((e) => {
      if (freed >= bytes || e.kind !== 'append' || !e.sent) return false;
      freed += e.bytes;
      return true;
    });
  }

  /** Removes every entry `match` picks. */
  private remove(match: (e: Entry) => boolean): void {
    const kept: Entry[] = [];
    for (const e of this.entries) {
      if (match(e)) {
        this.queuedBytes -= e.bytes;
        if (e.kind === 'append' && e.sent) this.sentAudioBytes -= e.bytes;
      } else kept.push(e);
    }
    this.entries = kept;
  }

  private removeFirst(match: (e: Entry) => boolean): void {
    const i = this.entries.findIndex(match);
    if (i < 0) return;
    const e = this.entries.splice(i, 1)[0]!;
    this.queuedBytes -= e.bytes;
    if (e.kind === 'append' && e.sent) this.sentAudioBytes -= e.bytes;
  }
}
