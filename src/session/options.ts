import type { Observable } from 'rxjs';
import type { ConnectOptions } from '../client/options';
import type { Tools } from '../operators/runTools';
import type { ClientEvent, SessionConfig } from '../protocol';
import type { ReconnectOptions } from './retry';
import type { ReplayOptions } from './replay';

/** What a session takes in: a user text turn, PCM16 audio at the session's input rate, or any client event. */
export type SessionInput = string | Uint8Array | ClientEvent;

/** Options of the rollover; every property has a default. */
export interface RolloverOptions {
  /**
   * How long before the session's end the second socket opens, in ms. Default: a tenth of the session's length,
   * at most 2 minutes (so 2 minutes for Azure's 30 and 60).
   */
  readonly leadMs?: number | undefined;
  /**
   * The session's length when `session.expires_at` does not say (or to roll over sooner), in ms. Default: from
   * `session.expires_at`; else 30 minutes for preview and 60 for GA.
   */
  // source: protocol README §1, "Session length"
  readonly maxSessionMs?: number | undefined;
}

/** The options of `session()`: a connection's options and what the session does with it. */
export interface SessionOptions extends ConnectOptions {
  /**
   * The session's config, dialect-neutral: `sessionUpdate(config, dialect)` is sent before anything else (a field
   * the dialect does not have ends the stream with `SessionConfigError` at subscription). Default: none (the
   * service's defaults).
   */
  readonly config?: SessionConfig | undefined;
  /**
   * Tools by function name, run by `runTools`: each call's output goes back as a `function_call_output`, then one
   * `response.create` per response once all its calls are answered. Declare them in `config.tools` too.
   */
  readonly tools?: Tools | undefined;
  /** The player's position in the assistant's audio, in ms, for barge-in (`interruptOnSpeech`). */
  readonly playbackMs?: Observable<number> | undefined;
  /** Reconnect after a retryable ending (default on); `false`: the first ending ends the session. */
  readonly reconnect?: ReconnectOptions | false | undefined;
  /** What a new socket is sent again. */
  readonly replay?: ReplayOptions | undefined;
  /** Roll over to a new socket before the service's session limit (default on); `false`: never. */
  readonly rollover?: RolloverOptions | false | undefined;
}
