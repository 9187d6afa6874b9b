/**
 * Which realtime endpoint a handshake asks for, and whether it may have it: the paths, queries and auth of Azure
 * OpenAI and OpenAI, checked before the WebSocket upgrade like the services do (a refusal
 * is a plain HTTP response, never a WebSocket close).
 */
// source: protocol README §1, §8
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Dialect } from '../protocol';

/** The dated api-versions Azure serves the preview protocol on at `/openai/realtime`. */
// source: protocol README §1
export const PREVIEW_API_VERSIONS: readonly string[] = [
  '2024-10-01-preview',
  '2024-12-17',
  '2025-04-01-preview',
];

/** Where a handshake goes: `azure-preview`, `azure-ga` (`/openai/v1`) or `openai` (`/v1/realtime`). */
export type Flavour = 'azure-preview' | 'azure-ga' | 'openai';

export interface Route {
  readonly flavour: Flavour;
  readonly dialect: Dialect;
  /** The deployment (Azure) or model (OpenAI) named in the query. */
  readonly model: string;
  /** `?intent=transcription` opens a transcription-only session. */
  // source: protocol README §1; openai-node
  readonly intent?: 'realtime' | 'transcription' | undefined;
}

export interface Refusal {
  readonly status: number;
  /** The JSON body, in the style of the service that refuses. */
  readonly body: object;
}

export interface AuthOptions {
  readonly apiKey: string;
  readonly verifyToken?: ((token: string) => boolean) | undefined;
  /** Accepts an ephemeral key minted by the emulator (GA paths: bearer or subprotocol). */
  readonly ephemeral?: ((key: string) => boolean) | undefined;
}

/** Reads the path and query; `forced` overrides the dialect the path implies. */
export function routeOf(req: IncomingMessage, forced: Dialect | undefined): Route | Refusal {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname.replace(/\/+$/, '');
  const q = url.searchParams;
  const intentParam = q.get('intent');
  if (intentParam !== null && intentParam !== 'transcription')
    return openAiError(
      400,
      'invalid_value',
      `Invalid value: '${intentParam}'. Supported values are: 'transcription'.`,
      'intent',
    );
  const intent = intentParam === 'transcription' ? 'transcription' : 'realtime';
  // a transcription session names its transcription model in its config, not necessarily in the URL (openai-node)
  const defaultModel = intent === 'transcription' ? 'gpt-4o-transcribe' : null;
  if (path === '/openai/realtime') {
    const version = q.get('api-version');
    if (!version) return azureError(404, '404', 'Resource not found');
    if (!PREVIEW_API_VERSIONS.includes(version)) return azureError(404, '404', 'Resource not found');
    const deployment = q.get('deployment');
    if (!deployment)
      return azureError(
        404,
        'DeploymentNotFound',
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
      );
    return { flavour: 'azure-preview', dialect: forced ?? 'preview', model: deployment, intent };
  }
  if (path === '/openai/v1/realtime') {
    // Azure's v1 (GA) endpoint refuses an api-version with 401 ([AZ-mig], §1)
    if (q.has('api-version'))
      return azureError(401, '401', 'The api-version query parameter is not allowed when using /v1 path.');
    const model = q.get('model') ?? defaultModel;
    if (!model)
      return openAiError(400, 'missing_required_parameter', "Missing required parameter: 'model'.", 'model');
    return { flavour: 'azure-ga', dialect: forced ?? 'ga', model, intent };
  }
  if (path === '/v1/realtime') {
    const model = q.get('model') ?? defaultModel;
    if (!model)
      return openAiError(400, 'missing_required_parameter', "Missing required parameter: 'model'.", 'model');
    // the beta protocol is chosen with the OpenAI-Beta header, or in browsers its subprotocol (§1)
    const beta =
      /(^|,)\s*realtime=v1\s*(,|$)/.test(String(req.headers['openai-beta'] ?? '')) ||
      /(^|,)\s*openai-beta\.realtime-v1\s*(,|$)/.test(String(req.headers['sec-websocket-protocol'] ?? ''));
    return { flavour: 'openai', dialect: forced ?? (beta ? 'preview' : 'ga'), model, intent };
  }
  return azureError(404, '404', 'Resource not found');
}

/**
 * Checks the credentials of a handshake: Azure takes the `api-key` header or query parameter, or an
 * `Authorization: Bearer` token (checked by `verifyToken`); on the GA paths the key itself is also a bearer.
 * OpenAI takes a bearer, or in browsers the `openai-insecure-api-key.<key>` subprotocol.
 */
// source: protocol README §1 Auth
export function authorize(req: IncomingMessage, route: Route, auth: AuthOptions): Refusal | undefined {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const header = req.headers['api-key'];
  const key = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('api-key') ?? undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers['authorization'] ?? ''))?.[1]?.trim();
  const subprotocol = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith('openai-insecure-api-key.'))
    ?.slice('openai-insecure-api-key.'.length);
  const keyAsBearer = route.flavour !== 'azure-preview';
  if (route.flavour !== 'openai' && key !== undefined && same(key, auth.apiKey)) return undefined;
  if (bearer !== undefined) {
    if (auth.verifyToken?.(bearer)) return undefined;
    if (keyAsBearer && same(bearer, auth.apiKey)) return undefined;
  }
  if (route.flavour === 'openai' && subprotocol !== undefined && same(subprotocol, auth.apiKey))
    return undefined;
  // ephemeral keys open GA sessions, as a bearer or, from a page, the subprotocol
  if (
    keyAsBearer &&
    auth.ephemeral &&
    [bearer, subprotocol].some((k) => k !== undefined && auth.ephemeral!(k))
  )
    return undefined;
  if (route.flavour === 'openai') {
    // OpenAI's wording; the key is never echoed (the real service shows its last characters)
    return bearer === undefined && subprotocol === undefined
      ? openAiError(
          401,
          null,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          null,
          'invalid_request_error',
        )
      : openAiError(401, 'invalid_api_key', 'Incorrect API key provided.', null, 'invalid_request_error');
  }
  if (key === undefined && bearer === undefined)
    return azureError(
      401,
      '401',
      'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    );
  if (key === undefined)
    return azureError(
      401,
      '401',
      'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.',
    );
  return azureError(
    401,
    '401',
    'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  );
}

/** Answers a handshake with an HTTP error and closes the connection (before any upgrade). */
export function refuse(socket: Socket, refusal: Refusal): void {
  const body = JSON.stringify(refusal.body);
  const reason =
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        404: 'Not Found',
        426: 'Upgrade Required',
        429: 'Too Many Requests',
        500: 'Internal Server Error',
        502: 'Bad Gateway',
        503: 'Service Unavailable',
      } as Record<number, string>
    )[refusal.status] ?? 'Error';
  const retryAfter = refusal.status === 429 || refusal.status === 503 ? 'retry-after: 1\r\n' : '';
  socket.end(
    `HTTP/1.1 ${refusal.status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retryAfter}connection: close\r\n\r\n${body}`,
  );
}

export const isRefusal = (r: Route | Refusal): r is Refusal => 'status' in r;

function azureError(status: number, code: string, message: string): Refusal {
  return { status, body: { error: { code, message } } };
}

function openAiError(
  status: number,
  code: string | null,
  message: string,
  param: string | null,
  type = 'invalid_request_error',
): Refusal {
  return { status, body: { error: { message, type, param, code } } };
}

/** Constant-time comparison, so that the emulator does not teach timing attacks by example. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
