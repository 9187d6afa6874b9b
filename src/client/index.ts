// The client layer: connect(), URL and auth, the socket transports, connection state.
export { connect, connectWithState, isConnectionState } from './connect';
export type { ConnectionState } from './connect';
export { realtimeUrl, redactUrl, DEFAULT_API_VERSION } from './url';
export type { Target } from './url';
export type { ConnectOptions, TokenCredential, WebSocketConstructor } from './options';
export { whatwgTransport } from './whatwgTransport';
export type {
  Transport,
  TransportRequest,
  TransportEvents,
  TransportSocket,
  HandshakeFailure,
} from './transport';
export {
  RealtimeConnectionError,
  ConfigurationError,
  HandshakeError,
  ConnectionClosedError,
  CredentialError,
  SessionTimeoutError,
  BackpressureError,
  DialectMismatchError,
} from './errors';
export { createClientSecret, ClientSecretError } from './clientSecrets';
export type { ClientSecret, ClientSecretOptions, FetchLike } from './clientSecrets';
