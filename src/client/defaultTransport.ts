/**
 * The transport `connect()` uses when none is given: `ws` in Node. A browser build aliases this file to
 * `defaultTransport.browser.ts`, so that a page's bundle holds no `ws` and no Node built-in.
 */
import type { Transport } from './transport';
import { wsTransport } from './wsTransport';

/** The default transport of this environment (Node: {@link wsTransport}). */
export const defaultTransport: Transport = wsTransport;
