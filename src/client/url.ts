/**
 * Where a connection goes: the realtime URL and dialect for Azure preview, Azure GA, OpenAI, or a custom URL.
 * Sources: the Azure and OpenAI endpoint documentation.
 */
// source: protocol README §1 "Endpoints" ([AZ-ws], [AZ-mig], [node]
import type { Dialect } from '../protocol';
import { ConfigurationError } from './errors';
import type { ConnectOptions } from './options';

/** The preview `api-version` of the seed URL. */
export const DEFAULT_API_VERSION = '2025-04-01-preview';
const OPENAI = 'wss://api.openai.com';

export interface Target {
  /** The URL to open (it may hold an `api-key` query value: never print it, print {@link redactUrl}). */
  readonly url: string;
  readonly dialect: Dialect;
  /** `'azure'`, `'openai'` or `'custom'`. */
  readonly service: 'azure' | 'openai' | 'custom';
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The realtime URL and dialect for the options. Pure; throws `ConfigurationError` when they cannot make one.
 *
 * @example
 * ```ts
 * import { realtimeUrl } from 'rx-realtime';
 * realtimeUrl({ endpoint: 'https://r.openai.azure.com', deployment: 'gpt-4o-realtime-preview' }).url;
 * // 'wss://r.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-4o-realtime-preview'
 * ```
 */
export function realtimeUrl(options: ConnectOptions): Target {
  let target: Target;
  if (options.url !== undefined) {
    const url = parse(options.url, 'url');
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
      throw new ConfigurationError(`url must be ws:// or wss://, got ${url.protocol}//`);
    }
    const dialect =
      options.dialect ?? (url.pathname.replace(/\/+$/, '').endsWith('/openai/realtime') ? 'preview' : 'ga');
    target = { url: url.toString(), dialect, service: 'custom' };
  } else if (options.endpoint !== undefined) {
    const { base, secure } = endpointBase(options.endpoint);
    const scheme = secure ? 'wss:' : 'ws:';
    const name = options.deployment ?? options.model;
    if (!name)
      throw new ConfigurationError('endpoint is set but deployment is not: name the Azure deployment');
    const dialect = options.dialect ?? 'preview';
    if (dialect === 'ga' && options.apiVersion !== undefined) {
      throw new ConfigurationError(
        'apiVersion is only for the preview dialect: the GA endpoint answers 401 to one',
      );
    }
    const prefix = base.pathname.replace(/\/+$/, '');
    const url = new URL(`${scheme}//${base.host}${prefix}`);
    if (dialect === 'preview') {
      url.pathname = `${prefix}/openai/realtime`;
      url.searchParams.set('api-version', options.apiVersion ?? DEFAULT_API_VERSION);
      url.searchParams.set('deployment', name);
    } else {
      url.pathname = `${prefix}/openai/v1/realtime`;
      url.searchParams.set('model', name);
    }
    target = { url: url.toString(), dialect, service: 'azure' };
  } else if (options.model !== undefined) {
    const url = new URL(`${OPENAI}/v1/realtime`);
    url.searchParams.set('model', options.model);
    target = {
      url: url.toString(),
      dialect: options.dialect ?? (options.apiVersion ? 'preview' : 'ga'),
      service: 'openai',
    };
  } else {
    throw new ConfigurationError('no url, endpoint or model: say where to connect');
  }
  const url = new URL(target.url);
  if (options.intent === 'transcription') {
    // transcription-only sessions: `?intent=transcription` on the realtime URL (openai-node, src/realtime/websocket.ts)
    url.searchParams.set('intent', 'transcription');
    target = { ...target, url: url.toString() };
  }
  if (url.protocol === 'ws:' && !isLoopback(url.hostname) && !options.allowInsecure) {
    throw new ConfigurationError(
      `refusing plain ws:// to ${url.hostname}: keys and audio would travel unencrypted (use wss://, or allowInsecure: true)`,
    );
  }
  if (options.apiKey !== undefined && options.apiKeyIn === 'query') {
    url.searchParams.set('api-key', options.apiKey);
    target = { ...target, url: url.toString() };
  }
  return target;
}

/** The URL with any `api-key` query value replaced by `***`: the only form of a URL we ever print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) {
      if (/^(api-key|api_key|key|token|access_token|authorization)$/i.test(key))
        u.searchParams.set(key, '***');
    }
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

/**
 * An Azure resource endpoint (`https://`, `wss://`, `http://` or `ws://`), parsed, and whether it is a TLS one.
 * Internal: the realtime URL and the client-secrets URL are both built on it.
 */
export function endpointBase(endpoint: string): { base: URL; secure: boolean } {
  const base = parse(endpoint, 'endpoint');
  const secure = { 'https:': true, 'wss:': true, 'http:': false, 'ws:': false }[base.protocol];
  if (secure === undefined)
    throw new ConfigurationError(
      `endpoint must be https://, wss://, http:// or ws://, got ${base.protocol}//`,
    );
  return { base, secure };
}

/** A URL option, parsed; a value that is no URL is not echoed in the error (a mistyped option may hold a key). */
export function parse(value: string, name: string): URL {
  try {
    return new URL(value);
  } catch {
    // The value itself is not echoed: a mistyped option may hold a key.
    throw new ConfigurationError(`${name} is not a valid URL`);
  }
}
