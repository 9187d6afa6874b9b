export { session } from './session';
export type { SessionInput, SessionOptions, RolloverOptions } from './options';
export type { ReconnectOptions } from './retry';
export { isRetryable } from './retry';
export type { ReplayOptions } from './replay';
