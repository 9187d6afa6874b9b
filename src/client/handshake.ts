/**
 * What a connection sends to open: the URL, the headers, the subprotocols and the auth, and the secrets it holds.
 */
import { ConfigurationError, CredentialError } from './errors';
import type { ConnectOptions } from './options';
import { realtimeUrl, type Target } from './url';
import { VERSION } from './version';

/** Microsoft Entra ID's scope for Azure OpenAI. */
export const DEFAULT_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** The handshake of one connection, ready for a transport. */
export interface Handshake {
  readonly target: Target;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocols: readonly string[];
  /** Every secret this connection holds (api key, bearer key, the credential's token): scrubbed from any text. */
  readonly secrets: readonly string[];
}

/** Where a connection goes, given whether its transport can send headers (else the api key goes in the query). */
export function handshakeTarget(options: ConnectOptions, sendsHeaders: boolean): Target {
  if (!sendsHeaders && options.credential) {
    // Azure takes an Entra ID token only as `Authorization: Bearer` (learn.microsoft.com/azure/ai-foundry/openai/
    // how-to/realtime-audio-websockets), a header a browser's WebSocket cannot send.
    throw new ConfigurationError(
      'a browser WebSocket cannot send an Entra ID token (Azure takes it only in the Authorization header): mint an ephemeral key on your server and pass it as bearerToken, or use apiKey',
    );
  }
  // A browser's WebSocket cannot send the `api-key` header; Azure accepts the key as the `api-key` query parameter
  // too (learn.microsoft.com/azure/ai-foundry/openai/how-to/realtime-audio-websockets).
  return realtimeUrl(
    !sendsHeaders && options.apiKey !== undefined ? { ...options, apiKeyIn: 'query' } : options,
  );
}

/**
 * Whether the dialect needs `OpenAI-Beta: realtime=v1`: OpenAI (and any `/v1/realtime` path, such as a proxy in
 * front of it) speaks GA unless asked for the beta (platform.openai.com/docs/guides/realtime). Azure's preview is
 * chosen by `api-version` instead and does not document the header.
 */
function needsBetaHeader(target: Target): boolean {
  if (target.dialect !== 'preview') return false;
  if (target.service === 'openai') return true;
  if (target.service !== 'custom') return false;
  return !new URL(target.url).pathname.replace(/\/+$/, '').endsWith('/openai/realtime');
}

/** `rx-realtime/<version>` and the runtime when it says what it is (never a throw where `process` is undefined). */
function userAgent(): string {
  const proc = (globalThis as { process?: { version?: unknown; versions?: { node?: unknown } } }).process;
  return typeof proc?.versions?.node === 'string' && typeof proc.version === 'string'
    ? `rx-realtime/${VERSION} Node/${proc.version}`
    : `rx-realtime/${VERSION}`;
}

/** The credential's token for the options' scope, as a `CredentialError` when it fails or returns none. */
export async function credentialToken(
  options: ConnectOptions,
  requestId: string,
): Promise<string | undefined> {
  if (!options.credential) return undefined;
  const scope = options.scope ?? DEFAULT_SCOPE;
  let token: { token: string } | null;
  try {
    token = await options.credential.getToken(scope);
  } catch (err) {
    const secrets = [options.apiKey, options.bearerToken];
    throw new CredentialError(
      `the credential failed to get a token for ${scope}: ${scrub(String((err as Error)?.message ?? err), secrets)}`,
      { requestId, cause: err },
    );
  }
  if (!token?.token)
    throw new CredentialError(`the credential returned no token for ${scope}`, { requestId });
  return token.token;
}

/**
 * The headers and subprotocols of a connection. With headers: `api-key`, `Authorization: Bearer`, the request id,
 * the User-Agent, `OpenAI-Beta` for the beta dialect on OpenAI. Without (a browser's WebSocket): a bearer key
 * travels in the subprotocols OpenAI accepts from a page, `realtime` and `openai-insecure-api-key.<key>`, plus
 * `openai-beta.realtime-v1` for the beta dialect (platform.openai.com/docs/guides/realtime-websocket; openai-node's
 * `src/realtime/websocket.ts` sends the same).
 */
export function handshake(
  options: ConnectOptions,
  target: Target,
  requestId: string,
  sendsHeaders: boolean,
  token: string | undefined,
): Handshake {
  const secrets = [options.apiKey, options.bearerToken, token].filter((s): s is string => !!s);
  const headers: Record<string, string> = {
    'x-ms-client-request-id': requestId,
    'User-Agent': userAgent(),
    ...options.headers,
  };
  const protocols: string[] = [];
  if (needsBetaHeader(target)) headers['OpenAI-Beta'] = 'realtime=v1';
  if (options.apiKey !== undefined && options.apiKeyIn !== 'query' && sendsHeaders)
    headers['api-key'] = options.apiKey;
  const bearer = token ?? options.bearerToken;
  if (bearer !== undefined) {
    headers['Authorization'] = `Bearer ${bearer}`;
    if (!sendsHeaders) {
      protocols.push('realtime', `openai-insecure-api-key.${bearer}`);
      if (target.dialect === 'preview') protocols.push('openai-beta.realtime-v1');
    }
  }
  return { target, headers: sendsHeaders ? headers : {}, protocols, secrets };
}

/** The handshake headers of a connection (Node). Internal; exported for tests. */
export async function handshakeHeaders(
  options: ConnectOptions,
  target: Target,
  requestId: string,
): Promise<Record<string, string>> {
  const token = await credentialToken(options, requestId);
  return { ...handshake(options, target, requestId, true, token).headers };
}

/** Secrets shorter than this are replaced only as whole tokens (see {@link scrub}). */
const SHORT_SECRET = 8;

/**
 * The text with every secret replaced by `***` (longest first, so a secret inside another goes too), also where it
 * comes back percent-encoded (echoed from a URL). A real key or token is long and random and is replaced wherever
 * it appears; a short one (a test key such as `k`) only where it stands alone between non-alphanumerics, as a
 * header or query value does, or it would mangle ordinary words ("keep-alive" into "***eep-alive").
 */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  return scrubber(secrets)(text);
}

/**
 * {@link scrub} for these secrets, made once: what scrubs many lines with the same secrets (the CLI's output, a
 * recording's every event) sorts them and builds their patterns once, not per line.
 */
export function scrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const steps: ((text: string) => string)[] = [];
  for (const secret of [...secrets].filter((s): s is string => !!s).sort((a, b) => b.length - a.length)) {
    const encoded = encodeURIComponent(secret);
    for (const form of encoded !== secret ? [secret, encoded] : [secret]) {
      if (form.length >= SHORT_SECRET) steps.push((text) => text.split(form).join('***'));
      else {
        const alone = new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`, 'g');
        steps.push((text) => text.replace(alone, '***'));
      }
    }
  }
  return (text) => {
    let out = text;
    for (const step of steps) out = step(out);
    return out;
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
