/**
 * The transport `connect()` uses when none is given, in a browser build: the platform's `WebSocket`.
 */
import type { Transport } from './transport';
import { whatwgTransport } from './whatwgTransport';

/** The default transport of this environment (browsers, workers, Deno, Bun: the global `WebSocket`). */
export const defaultTransport: Transport = whatwgTransport();
