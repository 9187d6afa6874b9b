/**
 * The options of `connect()`, every property with its default.
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { Dialect } from '../protocol';
import type { Transport } from './transport';

/**
 * A token source: structurally the `TokenCredential` of `@azure/core-auth`, so any credential of
 * `@azure/identity` (`DefaultAzureCredential`, `ManagedIdentityCredential`, …) fits without this package
 * depending on it.
 */
export interface TokenCredential {
  getToken(
    scopes: string | string[],
    options?: Record<string, unknown>,
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** The parts of a WebSocket constructor that a browser-style (WHATWG) WebSocket has. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

export interface ConnectOptions {
  /**
   * The Azure resource endpoint as the portal shows it (`https://my-resource.openai.azure.com`) or as `wss://…`.
   * `http://` / `ws://` only for loopback hosts unless `allowInsecure`. Default: none (OpenAI when `model` is given).
   */
  readonly endpoint?: string | undefined;
  /** The Azure deployment name: `deployment=` on preview, `model=` on GA. */
  readonly deployment?: string | undefined;
  /**
   * The preview `api-version`. Default `'2025-04-01-preview'` (2024-10-01-preview and 2024-12-17 work too).
   * Giving one implies `dialect: 'preview'`; GA forbids it (Azure answers 401).
   */
  // source: protocol README §1
  readonly apiVersion?: string | undefined;
  /**
   * `'preview'` (beta event names) or `'ga'` (`/openai/v1/realtime`). Default: `'preview'` for Azure (the seed URL),
   * `'ga'` for OpenAI; `'preview'` when `apiVersion` is given; for a custom `url`, `'preview'` when its path is
   * `/openai/realtime`, else `'ga'`.
   */
  readonly dialect?: Dialect | undefined;
  /**
   * `'transcription'` opens a transcription-only session: `intent=transcription` on the GA URL (Azure
   * `/openai/v1/realtime`, OpenAI `/v1/realtime`), as openai-node does. Default: none (a conversation session).
   */
  readonly intent?: 'transcription' | undefined;
  /** OpenAI's model (`wss://api.openai.com/v1/realtime?model=…`), used when there is no `endpoint`. */
  readonly model?: string | undefined;
  /** A full custom `ws(s)://` URL, used as given (proxies, the emulator). Overrides endpoint/deployment/model. */
  readonly url?: string | undefined;
  /** An Azure api key. Sent as the `api-key` header, or query parameter with `apiKeyIn: 'query'`. */
  readonly apiKey?: string | undefined;
  /** Where the api key goes: `'header'` (default, Node) or `'query'` (browsers cannot set headers). */
  readonly apiKeyIn?: 'header' | 'query' | undefined;
  /** A Microsoft Entra ID credential; a fresh token is fetched for every connection. */
  readonly credential?: TokenCredential | undefined;
  /**
   * The token scope. Default `'https://cognitiveservices.azure.com/.default'` (Azure OpenAI). openai-node uses
   * `'https://ai.azure.com/.default'` for the GA `/openai/v1` endpoint: set it here if
   * your tenant requires it.
   */
  // source: protocol README §1, Auth
  readonly scope?: string | undefined;
  /** A bearer key: OpenAI key, ephemeral `ek_…` key, or an Azure GA key sent as bearer. */
  readonly bearerToken?: string | undefined;
  /** Allow `ws://` / `http://` to hosts other than loopback. Default `false`. */
  readonly allowInsecure?: boolean | undefined;
  /**
   * Extra trusted CA certificates (PEM), e.g. `emulator.certificate` of a TLS emulator (Node only), trusted in
   * addition to Node's root certificates (a corporate CA does not break public endpoints). Default: none.
   */
  readonly ca?: string | readonly string[] | undefined;
  /** Extra handshake headers (Node only). Default none. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Milliseconds from subscription to an open socket: the credential's token and the WebSocket handshake together.
   * Default `30000`; `0` disables.
   */
  readonly handshakeTimeoutMs?: number | undefined;
  /** Milliseconds to wait for `session.created` after opening. Default `15000`; `0` disables. */
  readonly sessionCreatedTimeoutMs?: number | undefined;
  /** Milliseconds between keep-alive pings (Node); a missing pong by the next ping drops the socket (1006). Default `30000`; `0` disables. */
  readonly pingIntervalMs?: number | undefined;
  /** Largest frame accepted from the server, in bytes. Default `16 MiB`. */
  readonly maxPayload?: number | undefined;
  /** Above this many bytes waiting in the socket, client events are held in our queue. Default `4 MiB`. */
  readonly highWaterMark?: number | undefined;
  /** Most bytes held in our queue (pre-open and backpressure); beyond it the stream errors with `BackpressureError`. Default `32 MiB`. */
  readonly maxQueuedBytes?: number | undefined;
  /**
   * A WHATWG WebSocket constructor (browsers, Deno, Bun, workers), used through `whatwgTransport`. Headers cannot
   * be sent with it: an `apiKey` goes in the query, a `bearerToken` in the subprotocols. Default: none.
   */
  readonly WebSocket?: WebSocketConstructor | undefined;
  /**
   * The socket implementation (`wsTransport`, `whatwgTransport()`, or your own). Default: `ws` in Node, the global
   * `WebSocket` in a browser build; `WebSocket`, when given, wins over the default.
   */
  readonly transport?: Transport | undefined;
  /** The scheduler for timeouts, pings and queue draining. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /**
   * Demand for server events: while it says `true`, the socket stops reading frames, so that TCP flow control
   * holds the server back instead of your process buffering (a few frames already read may still arrive); `false`
   * reads again. Drive it from a bounded step of your pipeline (pause above N waiting, resume below M). While
   * paused no keep-alive is judged. A transport that cannot pause (a browser's `WebSocket`) reads on. Default: never
   * paused.
   */
  readonly pauseReading?: Observable<boolean> | undefined;
}
