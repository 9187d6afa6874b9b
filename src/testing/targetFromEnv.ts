/**
 * Where to connect, read from the environment: Azure OpenAI from `AZURE_OPENAI_*`, OpenAI from `OPENAI_API_KEY`, else
 * an emulator started in this process. It is what a script, an example or a test suite needs to run unchanged against
 * the real service on a developer's machine and against the emulator in CI (as Azurite's connection strings sit beside
 * Azurite). Settings come from the environment only, so no secret is ever on a command line.
 */
import type { ConnectOptions, TokenCredential } from '../client/options';
import type { Dialect } from '../protocol';
import { startEmulator, type Emulator, type EmulatorOptions } from './emulator';

/** The environment variables `targetFromEnv` reads. */
export const TARGET_ENV = {
  endpoint: 'AZURE_OPENAI_ENDPOINT',
  deployment: 'AZURE_OPENAI_DEPLOYMENT',
  apiKey: 'AZURE_OPENAI_API_KEY',
  apiVersion: 'AZURE_OPENAI_API_VERSION',
  openaiKey: 'OPENAI_API_KEY',
  openaiModel: 'OPENAI_REALTIME_MODEL',
} as const;

/** An environment: `process.env` or any record like it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What the environment says, before anything is connected or started (values trimmed; blank ones are absent). */
export interface EnvSettings {
  readonly service: 'azure' | 'openai' | 'emulator';
  readonly endpoint?: string | undefined;
  readonly deployment?: string | undefined;
  readonly apiVersion?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly openaiKey?: string | undefined;
  readonly model?: string | undefined;
  readonly auth: 'api-key' | 'entra' | 'bearer' | 'emulator';
}

/** The settings of `env`: Azure when `AZURE_OPENAI_ENDPOINT` is set, else OpenAI when `OPENAI_API_KEY` is, else none. */
export function settingsFromEnv(env: Env): EnvSettings {
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const endpoint = get(TARGET_ENV.endpoint);
  if (endpoint !== undefined) {
    const apiKey = get(TARGET_ENV.apiKey);
    return {
      service: 'azure',
      endpoint,
      deployment: get(TARGET_ENV.deployment),
      apiVersion: get(TARGET_ENV.apiVersion),
      apiKey,
      auth: apiKey ? 'api-key' : 'entra',
    };
  }
  const openaiKey = get(TARGET_ENV.openaiKey);
  if (openaiKey !== undefined)
    return {
      service: 'openai',
      openaiKey,
      model: get(TARGET_ENV.openaiModel) ?? 'gpt-realtime',
      auth: 'bearer',
    };
  return { service: 'emulator', auth: 'emulator' };
}

/** A place to connect to: the options of `connect()` / `session()`, a line saying where (no secret), its cleanup. */
export interface EnvTarget {
  /** Spread them into `connect()` or `session()` (`session({ ...target.options, config })`). They hold the secret. */
  readonly options: ConnectOptions;
  readonly dialect: Dialect;
  readonly service: 'azure' | 'openai' | 'emulator';
  /** Where this talks to, for a log line: host, deployment or model, dialect and auth kind; never a key or token. */
  readonly description: string;
  /** The emulator started for this target, when there is one. */
  readonly emulator?: Emulator | undefined;
  /** Stops the emulator when one was started; nothing otherwise. */
  close(): Promise<void>;
}

/** Options of `targetFromEnv`; every property has a default. */
export interface EnvTargetOptions {
  /** Default `'preview'` for Azure and the emulator, `'ga'` for OpenAI. */
  readonly dialect?: Dialect | undefined;
  /**
   * The preview `api-version`. Default: `AZURE_OPENAI_API_VERSION`, else `connect()`'s default. Ignored on GA (the GA
   * path answers 401 to one).
   */
  readonly apiVersion?: string | undefined;
  /**
   * The Microsoft Entra ID credential when Azure has no `AZURE_OPENAI_API_KEY`. Default: `DefaultAzureCredential` of
   * `@azure/identity` (an optional peer dependency, loaded only then).
   */
  readonly credential?: TokenCredential | undefined;
  /** Options of the emulator started when the environment names no service (pace, scripted replies, …). */
  readonly emulator?: EmulatorOptions | undefined;
}

/**
 * The target `env` names: Azure OpenAI when `AZURE_OPENAI_ENDPOINT` is set (with `AZURE_OPENAI_DEPLOYMENT`, and
 * `AZURE_OPENAI_API_KEY` or else Microsoft Entra ID), OpenAI when `OPENAI_API_KEY` is (model `OPENAI_REALTIME_MODEL`,
 * default `gpt-realtime`), else an emulator started on 127.0.0.1 (call `close()` to stop it). Blank values count as
 * unset.
 *
 * Rejects with an `Error` when Azure has no deployment, or needs Entra ID and `@azure/identity` is not installed.
 *
 * @example
 * ```ts
 * import { NEVER, firstValueFrom } from 'rxjs';
 * import { connect, ofType } from 'rx-realtime';
 * import { targetFromEnv } from 'rx-realtime/testing';
 *
 * const target = await targetFromEnv(); // the emulator when no service is configured
 * console.error(`talking to ${target.description}`);
 * const created = await firstValueFrom(connect(target.options)(NEVER).pipe(ofType('session.created')));
 * await target.close();
 * ```
 */
export async function targetFromEnv(
  options: EnvTargetOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<EnvTarget> {
  const settings = settingsFromEnv(env);
  if (settings.service === 'azure') {
    const endpoint = settings.endpoint!;
    if (!settings.deployment)
      throw new Error(
        `${TARGET_ENV.endpoint} is set but ${TARGET_ENV.deployment} is not: name the realtime deployment`,
      );
    const dialect = options.dialect ?? 'preview';
    const apiVersion = options.apiVersion ?? settings.apiVersion;
    const auth: ConnectOptions = settings.apiKey
      ? { apiKey: settings.apiKey }
      : { credential: options.credential ?? (await defaultAzureCredential()) };
    return {
      options: {
        endpoint,
        deployment: settings.deployment,
        dialect,
        ...(dialect === 'preview' && apiVersion ? { apiVersion } : {}),
        ...auth,
      },
      dialect,
      service: 'azure',
      description: `Azure OpenAI ${hostOf(endpoint)}, deployment ${settings.deployment} (${dialect}, ${settings.apiKey ? 'api key' : 'Entra ID'})`,
      close: async () => {},
    };
  }
  if (settings.service === 'openai') {
    const dialect = options.dialect ?? 'ga';
    return {
      options: { model: settings.model, bearerToken: settings.openaiKey, dialect },
      dialect,
      service: 'openai',
      description: `OpenAI, model ${settings.model} (${dialect})`,
      close: async () => {},
    };
  }
  const dialect = options.dialect ?? 'preview';
  const emulator = await startEmulator({ dialect, ...options.emulator });
  return {
    options: {
      endpoint: emulator.endpoint,
      deployment: 'emulator',
      dialect,
      ...(dialect === 'preview' && options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      apiKey: emulator.apiKey,
    },
    dialect,
    service: 'emulator',
    emulator,
    description: `the rx-realtime emulator in this process at ${emulator.endpoint} (${dialect}; no ${TARGET_ENV.endpoint} or ${TARGET_ENV.openaiKey} set)`,
    close: () => emulator.close(),
  };
}

/** The endpoint's host for a log line: no path, query or user info (where a secret could hide). */
const hostOf = (endpoint: string) => {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint.replace(/^[^@/]*@/, '').replace(/[/?#].*$/, '');
  }
};

/**
 * `DefaultAzureCredential` from `@azure/identity`, loaded only now: it is an optional peer, needed only for Entra ID.
 * The specifier is a variable so that bundlers leave it alone.
 */
export async function defaultAzureCredential(): Promise<TokenCredential> {
  const name = '@azure/identity';
  let identity: { DefaultAzureCredential: new () => TokenCredential };
  try {
    identity = (await import(name)) as typeof identity;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error(
      `${TARGET_ENV.apiKey} is not set, so Microsoft Entra ID is used, and @azure/identity is not installed: ` +
        `npm install @azure/identity (or set ${TARGET_ENV.apiKey})`,
    );
  }
  return new identity.DefaultAzureCredential();
}
