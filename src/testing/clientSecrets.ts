/**
 * The emulator's client-secrets endpoint: mints ephemeral keys and remembers them until they expire.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize, type AuthOptions, type Flavour } from './routes';

/** The paths that mint a key: OpenAI's and Azure's GA one. */
const PATHS: Readonly<Record<string, Flavour>> = {
  '/v1/realtime/client_secrets': 'openai',
  '/openai/v1/realtime/client_secrets': 'azure-ga',
};

/** Live keys kept at most; beyond, the oldest is forgotten (nothing unbounded). */
const MAX_KEYS = 1000;
const MAX_BODY = 1024 * 1024;

export interface ClientSecrets {
  /** Serves a client-secrets request; `false` when the request is for another path (left to the caller). */
  serve(req: IncomingMessage, res: ServerResponse, auth: AuthOptions): boolean;
  /** Whether this key was minted here and has not expired. */
  accepts(key: string): boolean;
}

/**
 * The store and endpoint of ephemeral keys. `POST /v1/realtime/client_secrets` (OpenAI) and
 * `POST /openai/v1/realtime/client_secrets` (Azure GA), authenticated like the realtime handshake, take
 * `{ expires_after?: { anchor: 'created_at', seconds: 10..7200 }, session? }` and answer
 * `{ value: 'ek_…', expires_at, session }` (https://platform.openai.com/docs/api-reference/realtime-sessions).
 *
 * It's like the service's endpoint, but the keys live in this process's memory, at most 1000 at once.
 *
 * ```text
 * POST …/client_secrets ──► 200 { value: 'ek_…', expires_at }     then upgrade with the key ──► accepted
 *                                                                   … after expires_at ──► 401
 * ```
 */
export function clientSecrets(now: () => number = Date.now): ClientSecrets {
  const keys = new Map<string, number>(); // key -> expires at (ms), oldest first
  const prune = () => {
    const t = now();
    for (const [key, at] of keys) if (at <= t) keys.delete(key);
  };
  return {
    accepts(key) {
      const at = [...keys].find(([k]) => same(k, key))?.[1];
      return at !== undefined && at > now();
    },
    serve(req, res, auth) {
      const path = new URL(req.url ?? '/', 'http://emulator').pathname.replace(/\/+$/, '');
      const flavour = PATHS[path];
      if (!flavour) return false;
      const answer = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const invalid = (message: string, param: string | null) =>
        answer(400, { error: { message, type: 'invalid_request_error', param, code: 'invalid_value' } });
      if (req.method !== 'POST') {
        answer(405, {
          error: { message: `Method ${req.method} not allowed.`, type: 'invalid_request_error' },
        });
        return true;
      }
      // the handshake's own auth (a key minted here cannot mint another)
      const denied = authorize(req, { flavour, dialect: 'ga', model: '' }, { ...auth, ephemeral: undefined });
      if (denied) {
        req.resume();
        answer(denied.status, denied.body);
        return true;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('end', () => {
        if (size > MAX_BODY) return invalid('The request body is too large.', null);
        let body: { expires_after?: { seconds?: unknown; anchor?: unknown }; session?: unknown };
        try {
          body = size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return invalid('We could not parse the JSON body of your request.', null);
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          return invalid('The body must be a JSON object.', null);
        const seconds = body.expires_after?.seconds ?? 600;
        if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 10 || seconds > 7200)
          return invalid(
            'Invalid expires_after.seconds: expected an integer from 10 to 7200.',
            'expires_after.seconds',
          );
        const session = (
          typeof body.session === 'object' && body.session !== null ? body.session : {}
        ) as Record<string, unknown>;
        if (flavour === 'azure-ga' && typeof session['model'] !== 'string')
          return invalid("Missing required parameter: 'session.model'.", 'session.model');
        prune();
        while (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string);
        const value = `ek_${randomBytes(16).toString('hex')}`;
        const expiresAt = Math.floor(now() / 1000) + seconds;
        keys.set(value, expiresAt * 1000);
        answer(200, {
          value,
          expires_at: expiresAt,
          session: {
            type: 'realtime',
            object: 'realtime.session',
            id: `sess_${randomBytes(8).toString('hex')}`,
            model: 'gpt-realtime',
            ...session,
          },
        });
      });
      return true;
    },
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
