/**
 * `rx-realtime doctor`: checks the configuration in the environment and names the mistakes users make (an endpoint
 * without `https://`, a full realtime URL as the endpoint, an `api-version` on the GA `/openai/v1` path, a
 * transcription model as the connection's model, an OpenAI key where an Azure key goes and back), then checks the
 * clock against the service's and opens a real session (`session.created`, then `session.update` →
 * `session.updated`). Each check prints `ok`, `warn` or `fail`; no secret is printed.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { concat, filter, firstValueFrom, of, share, take, timeout, toArray } from 'rxjs';
import { connect } from '../client/connect';
import { HandshakeError, RealtimeConnectionError } from '../client/errors';
import type { ClientEvent, Dialect, ServerMessage } from '../protocol';
import { bool, num, str, type CommandSpec, type Parsed } from './args';
import type { Output } from './output';
import { sessionUpdate } from './sessionConfig';
import {
  TARGET_ENV as ENV,
  defaultAzureCredential,
  settingsFromEnv,
  type EnvSettings,
} from '../testing/targetFromEnv';
import { targetOf, type Env } from './target';

export const doctorSpec: CommandSpec = {
  name: 'doctor',
  brief: 'check the configuration and a real handshake',
  usage: 'doctor [options]',
  summary:
    'Checks the Azure OpenAI or OpenAI configuration in the environment: Node, the settings and their usual\nmistakes, the auth mode, the clock, and a real session handshake. Exit code 0 when nothing failed, 1 otherwise.',
  flags: {
    dialect: {
      type: 'string',
      description: 'protocol dialect (default preview; ga for OpenAI)',
      choices: ['preview', 'ga'],
    },
    'api-version': { type: 'string', value: 'version', description: 'preview api-version' },
    timeout: { type: 'number', value: 'seconds', description: 'per network check (default 15)' },
    'no-network': { type: 'boolean', description: 'check the settings only' },
  },
  positionals: [0, 0],
  details: `environment: AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT, AZURE_OPENAI_API_KEY (or Entra ID),
  AZURE_OPENAI_API_VERSION; or OPENAI_API_KEY, OPENAI_REALTIME_MODEL`,
};

export type Verdict = 'ok' | 'warn' | 'fail';
export interface Check {
  readonly name: string;
  readonly verdict: Verdict;
  readonly detail: string;
}

/** Whether `s` looks like an Azure OpenAI key (32 hex characters, or the newer 84-character keys). */
const looksAzureKey = (s: string) => /^[0-9a-f]{32}$/i.test(s) || /^[A-Za-z0-9]{84}$/.test(s);
const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\./.test(host);

/** The settings checks: pure, no network. */
export function settingsChecks(
  settings: EnvSettings,
  dialect: Dialect | undefined,
  apiVersion: string | undefined,
): Check[] {
  const checks: Check[] = [];
  const add = (name: string, verdict: Verdict, detail: string) => checks.push({ name, verdict, detail });
  if (settings.service === 'emulator') {
    add(
      'settings',
      'fail',
      `none found: set ${ENV.endpoint} and ${ENV.deployment} (and ${ENV.apiKey}, or use Entra ID), or ${ENV.openaiKey}`,
    );
    return checks;
  }
  if (settings.service === 'openai') {
    add('settings', 'ok', `OpenAI, model ${settings.model} (${ENV.openaiKey} set)`);
    const key = settings.openaiKey!;
    if (looksAzureKey(key))
      add(
        'key kind',
        'fail',
        `${ENV.openaiKey} looks like an Azure OpenAI key: put it in ${ENV.apiKey} with ${ENV.endpoint}`,
      );
    else if (key.startsWith('ek_'))
      add('key kind', 'warn', `${ENV.openaiKey} is an ephemeral key (ek_…): it expires within minutes`);
    else if (!key.startsWith('sk-')) add('key kind', 'warn', `${ENV.openaiKey} does not start with sk-`);
    else add('key kind', 'ok', 'an OpenAI key (sk-…), sent as a bearer token');
    if (/transcribe|whisper/i.test(settings.model ?? ''))
      add(
        'model',
        'fail',
        `${settings.model} is a transcription model: the connection needs a realtime model (gpt-realtime …); name the transcription model in the session's input transcription settings`,
      );
    if (dialect === 'preview')
      add('dialect', 'warn', 'OpenAI retired the beta (preview) protocol: use --dialect ga');
    return checks;
  }
  const raw = settings.endpoint!;
  let url: URL | undefined;
  if (!/^[a-z]+:\/\//i.test(raw)) {
    add('endpoint', 'fail', `${ENV.endpoint} has no scheme: write it as https://${raw.replace(/\/.*$/, '')}`);
  } else {
    try {
      url = new URL(raw);
    } catch {
      add('endpoint', 'fail', `${ENV.endpoint} is not a valid URL`);
    }
  }
  if (url) {
    const secure = url.protocol === 'https:' || url.protocol === 'wss:';
    const path = url.pathname.replace(/\/+$/, '');
    if (!secure && !((url.protocol === 'http:' || url.protocol === 'ws:') && isLoopback(url.hostname)))
      add(
        'endpoint',
        'fail',
        `${ENV.endpoint} must be https:// (plain ${url.protocol}// only for a local emulator)`,
      );
    else if (/\/openai(\/v1)?\/realtime$/.test(path) || url.search)
      add(
        'endpoint',
        'fail',
        `${ENV.endpoint} is a full realtime URL: give the resource endpoint only (${url.protocol}//${url.host})`,
      );
    else if (/\/openai\/v1$/.test(path)) {
      add(
        'endpoint',
        'warn',
        `${ENV.endpoint} ends in /openai/v1: give the resource endpoint (${url.protocol}//${url.host}) and --dialect ga`,
      );
    } else if (path !== '' && path !== '/')
      add(
        'endpoint',
        'warn',
        `${ENV.endpoint} has a path (${path}): usually it is just ${url.protocol}//${url.host}`,
      );
    else add('endpoint', 'ok', `${url.protocol}//${url.host}`);
    const gaPath = /\/openai\/v1/.test(path);
    if (apiVersion !== undefined && (dialect === 'ga' || gaPath))
      add(
        'api-version',
        'fail',
        `an api-version (${apiVersion}) on the GA /openai/v1 path: Azure answers 401; drop ${ENV.apiVersion} for GA`,
      );
  }
  if (!settings.deployment)
    add('deployment', 'fail', `${ENV.deployment} is not set: name the realtime deployment`);
  else if (/transcribe|whisper/i.test(settings.deployment))
    add(
      'deployment',
      'fail',
      `${settings.deployment} looks like a transcription model: the connection's deployment must be a realtime model (gpt-4o-realtime-preview, gpt-realtime …); a transcription model goes in the session's input transcription settings`,
    );
  else add('deployment', 'ok', settings.deployment);
  if (settings.apiKey) {
    const key = settings.apiKey;
    if (key.startsWith('sk-'))
      add(
        'key kind',
        'fail',
        `${ENV.apiKey} looks like an OpenAI key (sk-…): Azure wants the resource's key (Keys and Endpoint in the portal), or unset it for Entra ID`,
      );
    else if (key.startsWith('ek_'))
      add(
        'key kind',
        'fail',
        `${ENV.apiKey} is an ephemeral key (ek_…): it goes as a bearer token, not as api-key`,
      );
    else if (/^Bearer\s/i.test(key) || /^eyJ/.test(key))
      add('key kind', 'fail', `${ENV.apiKey} holds a token, not a key: unset it and use Entra ID`);
    else if (url && isLoopback(url.hostname)) add('key kind', 'ok', 'an api key for a local endpoint');
    else
      add(
        'key kind',
        looksAzureKey(key) ? 'ok' : 'warn',
        looksAzureKey(key)
          ? 'an Azure api key, sent as the api-key header'
          : 'an api key of an unusual shape (Azure keys are 32 hex or 84 characters)',
      );
  }
  return checks;
}

export async function doctor(parsed: Parsed, env: Env, output: Output): Promise<boolean> {
  const settings = settingsFromEnv(env);
  output.secret(settings.apiKey);
  output.secret(settings.openaiKey);
  const dialect = str(parsed, 'dialect') as Dialect | undefined;
  const apiVersion = str(parsed, 'api-version') ?? settings.apiVersion;
  const timeoutMs = (num(parsed, 'timeout') ?? 15) * 1000;
  let failed = false;
  const print = (c: Check) => {
    if (c.verdict === 'fail') failed = true;
    const tag = { ok: output.green('ok  '), warn: output.yellow('warn'), fail: output.red('fail') }[
      c.verdict
    ];
    output.out(`${tag}  ${c.name.padEnd(11)} ${c.detail}`);
  };

  const major = Number(process.versions.node.split('.')[0]);
  print({
    name: 'node',
    verdict: major >= 20 ? 'ok' : 'fail',
    detail: `${process.version}${major >= 20 ? '' : ' (rx-realtime needs Node 20 or later)'}`,
  });
  for (const c of settingsChecks(settings, dialect, apiVersion)) print(c);
  if (failed || bool(parsed, 'no-network')) return !failed;

  // auth mode
  if (settings.service === 'azure' && !settings.apiKey) {
    try {
      const credential = await defaultAzureCredential();
      const token = await withTimeout(
        credential.getToken('https://cognitiveservices.azure.com/.default'),
        timeoutMs,
      );
      output.secret(token?.token);
      print({
        name: 'auth',
        verdict: token ? 'ok' : 'fail',
        detail: token
          ? 'Microsoft Entra ID (DefaultAzureCredential gave a token)'
          : 'DefaultAzureCredential gave no token',
      });
    } catch (err) {
      print({
        name: 'auth',
        verdict: 'fail',
        detail: `Microsoft Entra ID: ${firstLine(err)} (az login, or set ${ENV.apiKey})`,
      });
    }
  } else
    print({ name: 'auth', verdict: 'ok', detail: settings.service === 'azure' ? 'api key' : 'bearer key' });
  if (failed) return false;

  // clock: the service's Date header against ours (tokens and ephemeral keys expire by the clock)
  const httpBase =
    settings.service === 'openai'
      ? 'https://api.openai.com/v1/realtime'
      : settings.endpoint!.replace(/^ws/, 'http');
  try {
    const date = await serverDate(httpBase, timeoutMs);
    if (date === undefined)
      print({ name: 'clock', verdict: 'warn', detail: 'the service sent no Date header' });
    else {
      // the header has whole seconds: a clock in step is 0 to 1 s ahead of it
      const skew = Math.trunc((Date.now() - date) / 1000);
      const verdict: Verdict = Math.abs(skew) > 300 ? 'fail' : Math.abs(skew) > 60 ? 'warn' : 'ok';
      print({
        name: 'clock',
        verdict,
        detail: `${skew >= 0 ? '+' : ''}${skew} s against the service${verdict === 'ok' ? '' : ' (tokens and ephemeral keys are checked against the clock: sync it)'}`,
      });
    }
  } catch (err) {
    print({ name: 'reachable', verdict: 'fail', detail: `${new URL(httpBase).host}: ${firstLine(err)}` });
    return false;
  }

  // a real session
  const target = await targetOf(env, output, { dialect, apiVersion });
  try {
    const update: ClientEvent = sessionUpdate(target.dialect, {});
    const server$ = connect({
      ...target.options,
      handshakeTimeoutMs: timeoutMs,
      sessionCreatedTimeoutMs: timeoutMs,
    })(concat(of(update))).pipe(share());
    const events = await firstValueFrom(
      server$.pipe(
        filter(
          (e: ServerMessage) =>
            e.type === 'session.created' || e.type === 'session.updated' || e.type === 'error',
        ),
        take(2),
        toArray(),
        timeout(timeoutMs),
      ),
    );
    const created = events.find((e) => e.type === 'session.created') as
      { session?: { model?: string } } | undefined;
    const error = events.find((e) => e.type === 'error') as
      { error: { code?: string; message: string } } | undefined;
    print({
      name: 'handshake',
      verdict: 'ok',
      detail: `session.created (${target.dialect}${created?.session?.model ? `, model ${created.session.model}` : ''})`,
    });
    print(
      error
        ? {
            name: 'session',
            verdict: 'fail',
            detail: `session.update refused: ${error.error.code ?? ''} ${error.error.message}`,
          }
        : { name: 'session', verdict: 'ok', detail: 'session.update → session.updated' },
    );
  } catch (err) {
    print({ name: 'handshake', verdict: 'fail', detail: handshakeHint(err, target.dialect) });
  } finally {
    await target.close();
  }
  return !failed;
}

/** What a failed handshake means, in the words of the usual cause. */
function handshakeHint(err: unknown, dialect: Dialect): string {
  const message = firstLine(err);
  if (err instanceof HandshakeError) {
    if (err.status === 401)
      return `${message}: the key or token was refused (a key of another resource? an api-version on the GA path?)`;
    if (err.status === 403)
      return `${message}: authenticated but not allowed (the identity needs the Cognitive Services OpenAI User role)`;
    if (err.status === 404)
      return `${message}: no such deployment or path (${dialect === 'preview' ? 'is the deployment name right? try --dialect ga' : 'is the deployment name right? try --dialect preview'})`;
    return message;
  }
  if (err instanceof RealtimeConnectionError) return message;
  if ((err as Error)?.name === 'TimeoutError') return 'no session.created in time';
  return message;
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0]!;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e as Error)),
    );
  });
}

/** The `Date` of the service's answer to a plain GET (any status: only the header matters). */
function serverDate(url: string, ms: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { method: 'GET', timeout: ms },
      (res) => {
        res.resume();
        const d = res.headers.date;
        resolve(d ? Date.parse(d) : undefined);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ms / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
    req.end();
  });
}
