/**
 * Where a command connects: Azure OpenAI from `AZURE_OPENAI_*`, OpenAI from `OPENAI_API_KEY`, else an emulator
 * started in this process. Settings come from the environment only, so no secret is ever on a command line (where
 * `ps` and shell history would show it).
 */
import type { Dialect } from '../protocol';
import type { ConnectOptions, TokenCredential } from '../client/options';
import { startEmulator, type Emulator, type EmulatorOptions } from '../testing/emulator';
import type { Output } from './output';

/** The environment variables the CLI reads. */
export const ENV = {
  endpoint: 'AZURE_OPENAI_ENDPOINT',
  deployment: 'AZURE_OPENAI_DEPLOYMENT',
  apiKey: 'AZURE_OPENAI_API_KEY',
  apiVersion: 'AZURE_OPENAI_API_VERSION',
  openaiKey: 'OPENAI_API_KEY',
  openaiModel: 'OPENAI_REALTIME_MODEL',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/** What the environment says, before anything is connected. */
export interface Settings {
  readonly service: 'azure' | 'openai' | 'emulator';
  readonly endpoint?: string | undefined;
  readonly deployment?: string | undefined;
  readonly apiVersion?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly openaiKey?: string | undefined;
  readonly model?: string | undefined;
  readonly auth: 'api-key' | 'entra' | 'bearer' | 'emulator';
}

export function settingsOf(env: Env): Settings {
  const get = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const endpoint = get(ENV.endpoint);
  if (endpoint !== undefined) {
    const apiKey = get(ENV.apiKey);
    return {
      service: 'azure',
      endpoint,
      deployment: get(ENV.deployment),
      apiVersion: get(ENV.apiVersion),
      apiKey,
      auth: apiKey ? 'api-key' : 'entra',
    };
  }
  const openaiKey = get(ENV.openaiKey);
  if (openaiKey !== undefined)
    return { service: 'openai', openaiKey, model: get(ENV.openaiModel) ?? 'gpt-realtime', auth: 'bearer' };
  return { service: 'emulator', auth: 'emulator' };
}

/** A connection target: the options of `connect()`, a line saying where (no secret), and its cleanup. */
export interface Target {
  readonly options: ConnectOptions;
  readonly dialect: Dialect;
  readonly description: string;
  readonly settings: Settings;
  /** The in-process emulator, when there is one. */
  readonly emulator?: Emulator | undefined;
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly dialect?: Dialect | undefined;
  readonly apiVersion?: string | undefined;
  /** The embedded emulator's options (pace, replay …). */
  readonly emulator?: EmulatorOptions | undefined;
}

/** The target the environment names; registers its secrets with `output`. */
export async function targetOf(env: Env, output: Output, options: TargetOptions = {}): Promise<Target> {
  const settings = settingsOf(env);
  output.secret(settings.apiKey);
  output.secret(settings.openaiKey);
  if (settings.service === 'azure') {
    if (!settings.deployment)
      throw new SettingsError(`${ENV.endpoint} is set but ${ENV.deployment} is not: name the deployment`);
    const dialect = options.dialect ?? 'preview';
    const apiVersion = options.apiVersion ?? settings.apiVersion;
    const auth: Partial<ConnectOptions> = settings.apiKey
      ? { apiKey: settings.apiKey }
      : { credential: await entraCredential() };
    return {
      options: {
        endpoint: settings.endpoint,
        deployment: settings.deployment,
        dialect,
        ...(dialect === 'preview' && apiVersion ? { apiVersion } : {}),
        ...auth,
      },
      dialect,
      settings,
      description: `Azure OpenAI ${hostOf(settings.endpoint!)}, deployment ${settings.deployment} (${dialect}, ${settings.apiKey ? 'api key' : 'Entra ID'})`,
      close: async () => {},
    };
  }
  if (settings.service === 'openai') {
    const dialect = options.dialect ?? 'ga';
    return {
      options: { model: settings.model, bearerToken: settings.openaiKey, dialect },
      dialect,
      settings,
      description: `OpenAI, model ${settings.model} (${dialect})`,
      close: async () => {},
    };
  }
  const dialect = options.dialect ?? 'preview';
  const emulator = await startEmulator({ dialect, ...options.emulator });
  output.secret(emulator.apiKey);
  return {
    options: {
      endpoint: emulator.endpoint,
      deployment: 'emulator',
      dialect,
      ...(dialect === 'preview' ? { apiVersion: options.apiVersion ?? '2025-04-01-preview' } : {}),
      apiKey: emulator.apiKey,
    },
    dialect,
    settings,
    emulator,
    description: `the rx-realtime emulator in this process at ${emulator.endpoint} (${dialect}; no ${ENV.endpoint} or ${ENV.openaiKey} set)`,
    close: () => emulator.close(),
  };
}

/** A setting is missing or wrong: exit code 1 with the message. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

const hostOf = (endpoint: string) => {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint.replace(/[?#].*$/, '');
  }
};

/**
 * `DefaultAzureCredential` from `@azure/identity`, loaded only now: it is an optional peer, needed only for Entra ID.
 * The specifier is a variable so that bundlers leave it alone.
 */
export async function entraCredential(): Promise<TokenCredential> {
  const name = '@azure/identity';
  let identity: { DefaultAzureCredential: new () => TokenCredential };
  try {
    identity = (await import(name)) as typeof identity;
  } catch {
    throw new SettingsError(
      `${ENV.apiKey} is not set, so Microsoft Entra ID is used, and @azure/identity is not installed: ` +
        `npm install @azure/identity (or set ${ENV.apiKey})`,
    );
  }
  return new identity.DefaultAzureCredential();
}
