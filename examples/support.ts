/**
 * What every example shares: where to connect (Azure from the environment, else the emulator in-process), and
 * a `session.update` in the right shape for the dialect.
 */
import {
  connect,
  sessionUpdate as buildSessionUpdate,
  type ClientEvent,
  type ConnectOptions,
  type Dialect,
  type VoiceConfig,
} from 'rx-realtime';
import { startEmulator, type EmulatorOptions } from 'rx-realtime/testing';

export interface Target {
  /** `connect()` bound to Azure or to the in-process emulator. */
  readonly realtime: ReturnType<typeof connect>;
  readonly dialect: Dialect;
  /** A line for stderr saying where this talks to (no secret in it). */
  readonly description: string;
  /** Stops the emulator when one was started. */
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly dialect?: Dialect | undefined;
  readonly apiVersion?: string | undefined;
  /** Emulator pacing: 'realtime' (default) or 'fast'. Ignored for Azure. */
  readonly emulatorPace?: 'realtime' | 'fast' | undefined;
  /** Scripted emulator replies (the emulator has no model); ignored for Azure. */
  readonly emulatorReplies?: EmulatorOptions['reply'] | undefined;
}

/**
 * Azure when `AZURE_OPENAI_ENDPOINT` is set (with `AZURE_OPENAI_DEPLOYMENT`, and `AZURE_OPENAI_API_KEY` or
 * Microsoft Entra ID through `DefaultAzureCredential`); otherwise an emulator started here, on 127.0.0.1.
 */
export async function target(options: TargetOptions = {}, env = process.env): Promise<Target> {
  const dialect: Dialect = options.dialect ?? 'preview';
  const endpoint = env['AZURE_OPENAI_ENDPOINT'];
  if (endpoint) {
    const deployment = env['AZURE_OPENAI_DEPLOYMENT'];
    if (!deployment) throw new Error('AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_DEPLOYMENT is not');
    const apiKey = env['AZURE_OPENAI_API_KEY'];
    const auth: Partial<ConnectOptions> = apiKey
      ? { apiKey }
      : { credential: await defaultAzureCredential() };
    const connectOptions: ConnectOptions = {
      endpoint,
      deployment,
      dialect,
      ...(dialect === 'preview' ? { apiVersion: options.apiVersion ?? '2025-04-01-preview' } : {}),
      ...auth,
    };
    return {
      realtime: connect(connectOptions),
      dialect,
      description: `Azure OpenAI ${new URL(endpoint).host}, deployment ${deployment} (${dialect}, ${apiKey ? 'api key' : 'Entra ID'})`,
      close: async () => {},
    };
  }
  const emulator = await startEmulator({
    dialect,
    pace: options.emulatorPace ?? 'realtime',
    ...(options.emulatorReplies ? { reply: options.emulatorReplies } : {}),
  });
  return {
    realtime: connect({
      endpoint: emulator.endpoint,
      deployment: 'emulator',
      dialect,
      ...(dialect === 'preview' ? { apiVersion: options.apiVersion ?? '2025-04-01-preview' } : {}),
      apiKey: emulator.apiKey,
    }),
    dialect,
    description: `the rx-realtime emulator at ${emulator.endpoint} (${dialect}; no AZURE_OPENAI_ENDPOINT set)`,
    close: () => emulator.close(),
  };
}

async function defaultAzureCredential() {
  // @azure/identity is an optional peer dependency: only Entra users need it.
  try {
    const identity = await import('@azure/identity');
    return new identity.DefaultAzureCredential();
  } catch {
    throw new Error(
      'AZURE_OPENAI_API_KEY is not set and @azure/identity is not installed: npm install @azure/identity',
    );
  }
}

export interface SessionSettings {
  readonly instructions?: string | undefined;
  readonly voice?: string | undefined;
  readonly textOnly?: boolean | undefined;
  /** Server VAD on (default) or manual commits. */
  readonly serverVad?: boolean | undefined;
  readonly tools?: readonly {
    type: 'function';
    name: string;
    description: string;
    parameters: Record<string, unknown>;
  }[];
}

/** The examples' settings as the library's dialect-neutral `SessionConfig`, in the dialect's shape. */
export function sessionUpdate(dialect: Dialect, s: SessionSettings): ClientEvent {
  return buildSessionUpdate(
    {
      outputModalities: s.textOnly ? ['text'] : ['audio'],
      ...(s.instructions ? { instructions: s.instructions } : {}),
      ...(s.voice ? { voice: s.voice as VoiceConfig } : {}),
      inputAudioFormat: 'pcm16',
      outputAudioFormat: 'pcm16',
      turnDetection: s.serverVad === false ? null : { type: 'server_vad', silenceDurationMs: 500 },
      ...(s.tools ? { tools: s.tools, toolChoice: 'auto' as const } : {}),
    },
    dialect,
  );
}

/** `--name value` and `--flag` arguments. */
export function args(argv = process.argv.slice(2)): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(a.slice(2), next);
      i++;
    } else out.set(a.slice(2), true);
  }
  return out;
}
