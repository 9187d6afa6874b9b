/**
 * `createClientSecret()`: mints a short-lived key on a server, for a page to connect with.
 */
import { ConfigurationError, CredentialError, RealtimeConnectionError } from './errors';
import type { TokenCredential } from './options';
import { scrub } from './handshake';
import { endpointBase, parse, redactUrl } from './url';

/** A `fetch` as the platform has it (Node 20+, browsers, Deno, Bun, workers). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; statusText: string; text(): Promise<string> }>;

/** Options of {@link createClientSecret}; every property has a default. */
export interface ClientSecretOptions {
  /**
   * The Azure resource endpoint (`https://my-resource.openai.azure.com`): the secret is minted at its GA
   * `/openai/v1/realtime/client_secrets`. Default: none, and the secret is minted at OpenAI
   * (`https://api.openai.com/v1/realtime/client_secrets`).
   */
  readonly endpoint?: string | undefined;
  /** A full custom `https://` URL of a client-secrets endpoint (a proxy, the emulator). Overrides `endpoint`. */
  readonly url?: string | undefined;
  /** An Azure api key, sent as the `api-key` header (to OpenAI: as `Authorization: Bearer`). Default none. */
  readonly apiKey?: string | undefined;
  /** An OpenAI key (or any bearer the endpoint takes), sent as `Authorization: Bearer`. Default none. */
  readonly bearerToken?: string | undefined;
  /** A Microsoft Entra ID credential (Azure); its token is sent as `Authorization: Bearer`. Default none. */
  readonly credential?: TokenCredential | undefined;
  /** The token scope of `credential`. Default `'https://cognitiveservices.azure.com/.default'`. */
  readonly scope?: string | undefined;
  /** The Azure deployment (or OpenAI model) the key's sessions use: `session.model`. Default: the service's. */
  readonly deployment?: string | undefined;
  /**
   * The session configuration bound to the key (GA shape: `{ type: 'realtime', model, instructions, audio … }`).
   * Default `{ type: 'realtime' }`, plus `model` from `deployment`.
   */
  readonly session?: Readonly<Record<string, unknown>> | undefined;
  /** Seconds the key may open sessions for (10 to 7200). Default: the service's (600). */
  readonly expiresAfterSeconds?: number | undefined;
  /** Allow `http://` to hosts other than loopback. Default `false`. */
  readonly allowInsecure?: boolean | undefined;
  /** The `fetch` to use. Default the global `fetch`. */
  readonly fetch?: FetchLike | undefined;
  /** Aborts the request. Default none. */
  readonly signal?: AbortSignal | undefined;
}

/** A minted key: hand `value` and `expiresAt` to the page, never your own key. */
export interface ClientSecret {
  /** The ephemeral key (`ek_…`), for `connect({ bearerToken })`. */
  readonly value: string;
  /** When the key stops opening sessions, in seconds since the epoch. */
  readonly expiresAt: number;
  /** The session the service bound to the key, as it answered it. */
  readonly session: Readonly<Record<string, unknown>>;
}

/**
 * The client-secrets endpoint refused or failed: the HTTP status and the service's error code and message when it
 * answered, or the network failure (as `cause`). Never a key: the URL is redacted and every secret of the options
 * is scrubbed from the text.
 */
export class ClientSecretError extends RealtimeConnectionError {
  override readonly name = 'ClientSecretError';
  constructor(
    message: string,
    /** The HTTP status, when the endpoint answered. */
    readonly status: number | undefined,
    /** The service's `error.code`, when it gave one. */
    readonly code: string | undefined,
    /** The redacted URL. */
    readonly url: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
  override toJSON() {
    return { ...super.toJSON(), status: this.status, code: this.code, url: this.url };
  }
}

const OPENAI_CLIENT_SECRETS = 'https://api.openai.com/v1/realtime/client_secrets';
const DEFAULT_SCOPE = 'https://cognitiveservices.azure.com/.default';
const MAX_BODY = 64 * 1024;

const isLoopback = (host: string) =>
  host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Mints an ephemeral client secret, on your server, so that a page connects with a key that expires in minutes
 * instead of your own. OpenAI serves `POST /v1/realtime/client_secrets` and Azure OpenAI the same at its GA
 * `/openai/v1/realtime/client_secrets` (https://platform.openai.com/docs/api-reference/realtime-sessions,
 * https://learn.microsoft.com/azure/ai-foundry/openai/how-to/realtime-audio-webrtc); the answer is
 * `{ value, expires_at, session }`. The page then passes the value as `bearerToken`; a browser's WebSocket sends it
 * as the `openai-insecure-api-key.<key>` subprotocol.
 *
 * It's like `openai.realtime.clientSecrets.create()`, but it speaks to Azure as well, takes an Entra ID credential,
 * and fails with a typed {@link ClientSecretError} that never holds a key.
 *
 * ```text
 * server:  createClientSecret({ endpoint, apiKey, deployment }) --POST--> { value: 'ek_…', expires_at }
 * page:    connect({ endpoint, deployment, dialect: 'ga', bearerToken: value })
 * ```
 *
 * Resolves once, with the key; rejects with `ConfigurationError` (bad options), `CredentialError` or
 * `ClientSecretError` (the endpoint's status and message, a network failure, an answer without a key).
 *
 * @example
 * ```ts
 * import { createClientSecret } from 'rx-realtime';
 * const secret = await createClientSecret({
 *   endpoint: 'https://my-resource.openai.azure.com',
 *   apiKey: process.env.AZURE_OPENAI_API_KEY,
 *   deployment: 'gpt-realtime',
 *   expiresAfterSeconds: 300,
 * });
 * // send { key: secret.value, expiresAt: secret.expiresAt } to the page
 * ```
 */
export async function createClientSecret(options: ClientSecretOptions): Promise<ClientSecret> {
  const secrets = [options.apiKey, options.bearerToken];
  const url = clientSecretsUrl(options);
  const shown = redactUrl(url.toString());
  const openai = options.url === undefined && options.endpoint === undefined;
  const seconds = options.expiresAfterSeconds;
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 10 && seconds <= 7200))
    throw new ConfigurationError(`expiresAfterSeconds must be an integer from 10 to 7200, got ${seconds}`);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey !== undefined) {
    if (openai) headers['authorization'] = `Bearer ${options.apiKey}`;
    else headers['api-key'] = options.apiKey;
  }
  if (options.bearerToken !== undefined) headers['authorization'] = `Bearer ${options.bearerToken}`;
  if (options.credential) {
    const scope = options.scope ?? DEFAULT_SCOPE;
    let token: { token: string } | null;
    try {
      token = await options.credential.getToken(scope);
    } catch (err) {
      throw new CredentialError(
        `the credential failed to get a token for ${scope}: ${scrub(String((err as Error)?.message ?? err), secrets)}`,
        { cause: err },
      );
    }
    if (!token?.token) throw new CredentialError(`the credential returned no token for ${scope}`);
    headers['authorization'] = `Bearer ${token.token}`;
    secrets.push(token.token);
  }
  if (headers['api-key'] === undefined && headers['authorization'] === undefined)
    throw new ConfigurationError(
      'no apiKey, bearerToken or credential: the endpoint needs one to mint a key',
    );
  const session: Record<string, unknown> = { type: 'realtime', ...options.session };
  if (options.deployment !== undefined && session['model'] === undefined)
    session['model'] = options.deployment;
  const body = JSON.stringify({
    ...(seconds !== undefined ? { expires_after: { anchor: 'created_at', seconds } } : {}),
    session,
  });
  const fetcher = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
  if (!fetcher) throw new ConfigurationError('there is no global fetch here: pass the fetch option');

  let status: number;
  let statusText: string;
  let text: string;
  try {
    const res = await fetcher(url.toString(), {
      method: 'POST',
      headers,
      body,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    status = res.status;
    statusText = res.statusText;
    text = await res.text();
  } catch (err) {
    const reason = scrub(String((err as Error)?.message ?? err), secrets);
    throw new ClientSecretError(`cannot reach ${shown}: ${reason}`, undefined, undefined, shown, {
      cause: err,
    });
  }
  if (text.length > MAX_BODY) text = text.slice(0, MAX_BODY);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status < 200 || status > 299) {
    const error = (json as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
    let detail = typeof error?.message === 'string' ? error.message : text.trim();
    if (detail.length > 500) detail = `${detail.slice(0, 497)}...`;
    const code = typeof error?.code === 'string' ? error.code : undefined;
    throw new ClientSecretError(
      scrub(
        `${shown} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${detail ? `: ${detail}` : ''}`,
        secrets,
      ),
      status,
      code,
      shown,
    );
  }
  const answer = json as { value?: unknown; expires_at?: unknown; session?: unknown } | undefined;
  if (typeof answer?.value !== 'string' || typeof answer.expires_at !== 'number')
    throw new ClientSecretError(
      `${shown} answered HTTP ${status} without a key: expected { value: string, expires_at: number }`,
      status,
      undefined,
      shown,
    );
  return {
    value: answer.value,
    expiresAt: answer.expires_at,
    session:
      typeof answer.session === 'object' && answer.session !== null
        ? (answer.session as Record<string, unknown>)
        : {},
  };
}

/** The client-secrets URL of the options: the custom `url`, the Azure GA path of `endpoint`, or OpenAI's. */
function clientSecretsUrl(options: ClientSecretOptions): URL {
  let url: URL;
  if (options.url !== undefined) {
    url = parse(options.url, 'url');
  } else if (options.endpoint !== undefined) {
    const { base, secure } = endpointBase(options.endpoint);
    const scheme = secure ? 'https:' : 'http:';
    url = new URL(
      `${scheme}//${base.host}${base.pathname.replace(/\/+$/, '')}/openai/v1/realtime/client_secrets`,
    );
  } else {
    url = new URL(OPENAI_CLIENT_SECRETS);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigurationError(`url must be https:// or http://, got ${url.protocol}//`);
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !options.allowInsecure)
    throw new ConfigurationError(
      `refusing plain http:// to ${url.hostname}: the key would travel unencrypted (use https://, or allowInsecure: true)`,
    );
  return url;
}
