/**
 * The typed errors a connection's stream ends with. None of them ever carries a key or a token: URLs in them are
 * redacted, and the service's messages are kept as the service wrote them.
 */

/** Base class of every connection error (`instanceof RealtimeConnectionError`). */
export class RealtimeConnectionError extends Error {
  override readonly name: string = 'RealtimeConnectionError';
  /** The `x-ms-client-request-id` this connection sent: quote it to Azure support. */
  readonly requestId: string | undefined;
  constructor(message: string, options: { requestId?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.requestId = options.requestId;
  }
  /** What `JSON.stringify` shows: the fields a person needs, never a secret. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, requestId: this.requestId };
  }
}

/** The options cannot make a connection (missing deployment, insecure URL, …): raised at subscription. */
export class ConfigurationError extends RealtimeConnectionError {
  override readonly name = 'ConfigurationError';
}

/**
 * The WebSocket handshake did not open: an HTTP status (401, 403, 404, 429, 5xx) with the service's message when
 * it gave one, or a network failure (DNS, TCP, TLS) with its code, or a handshake timeout.
 */
export class HandshakeError extends RealtimeConnectionError {
  override readonly name = 'HandshakeError';
  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status: number | undefined,
    /** A system error code (`ENOTFOUND`, `ECONNREFUSED`, `CERT_HAS_EXPIRED`, `ETIMEDOUT`…), when there was one. */
    readonly code: string | undefined,
    /** The redacted URL. */
    readonly url: string,
    options: { requestId?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
  override toJSON() {
    return { ...super.toJSON(), status: this.status, code: this.code, url: this.url };
  }
}

/**
 * The connection ended other than by a normal close from the server: close code 1001 (e.g. after
 * `session_expired`), 1008, 1011, any other code, or 1006 when the socket dropped without a close frame.
 */
export class ConnectionClosedError extends RealtimeConnectionError {
  override readonly name = 'ConnectionClosedError';
  constructor(
    /** The WebSocket close code (1006 = no close frame). */
    readonly code: number,
    /** The close reason the server sent (may be empty). */
    readonly reason: string,
    /**
     * The `code` of the last server `error` event before the close, e.g. `session_expired`. A fact about the
     * connection, not the cause of the close (an unrelated drop may come long after a `rate_limit_exceeded`), so it
     * is a field and not part of the message.
     */
    readonly lastErrorCode: string | undefined,
    options: { requestId?: string } = {},
  ) {
    super(`connection closed with ${code}${reason ? ` (${reason})` : ''}`, options);
  }
  override toJSON() {
    return { ...super.toJSON(), code: this.code, reason: this.reason, lastErrorCode: this.lastErrorCode };
  }
}

/** The token credential failed or returned no token. The credential's own error is the `cause`. */
export class CredentialError extends RealtimeConnectionError {
  override readonly name = 'CredentialError';
}

/** No `session.created` arrived within `sessionCreatedTimeoutMs` after the socket opened. */
export class SessionTimeoutError extends RealtimeConnectionError {
  override readonly name = 'SessionTimeoutError';
  constructor(
    readonly timeoutMs: number,
    options: { requestId?: string } = {},
  ) {
    super(`no session.created within ${timeoutMs} ms of the socket opening`, options);
  }
}

/** More client events waited to be sent than `maxQueuedBytes` allows: the socket could not drain. */
export class BackpressureError extends RealtimeConnectionError {
  override readonly name = 'BackpressureError';
}

/**
 * The server speaks the other dialect: an event only the other dialect has arrived before any event of this
 * connection's own (e.g. `response.output_audio.delta` on a `preview` connection). Every output event would
 * otherwise arrive as an unknown event and nothing would say why.
 */
export class DialectMismatchError extends RealtimeConnectionError {
  override readonly name = 'DialectMismatchError';
  constructor(
    /** The dialect this connection expected. */
    readonly expected: 'preview' | 'ga',
    /** The event type that gave the other dialect away. */
    readonly eventType: string,
    options: { requestId?: string } = {},
  ) {
    const other = expected === 'preview' ? 'ga' : 'preview';
    super(
      `the server speaks the ${other} dialect (${eventType}) but this connection expects ${expected}: set dialect: '${other}'${other === 'preview' ? " (OpenAI speaks the beta only with 'OpenAI-Beta: realtime=v1', which dialect: 'preview' sends)" : ''}`,
      options,
    );
  }
  override toJSON() {
    return { ...super.toJSON(), expected: this.expected, eventType: this.eventType };
  }
}
