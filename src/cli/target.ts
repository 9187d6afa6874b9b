/**
 * Where a command connects: `targetFromEnv` of `rx-realtime/testing` (Azure OpenAI from `AZURE_OPENAI_*`, OpenAI from
 * `OPENAI_API_KEY`, else an emulator in this process), with every secret it holds registered with the output, so no
 * line the CLI prints can show one.
 */
import {
  settingsFromEnv,
  targetFromEnv,
  type Env,
  type EnvTarget,
  type EnvTargetOptions,
} from '../testing/targetFromEnv';
import type { Output } from './output';

export type { Env } from '../testing/targetFromEnv';

/** The target the environment names; registers its secrets with `output` (before anything can fail). */
export async function targetOf(env: Env, output: Output, options: EnvTargetOptions = {}): Promise<EnvTarget> {
  const settings = settingsFromEnv(env);
  output.secret(settings.apiKey);
  output.secret(settings.openaiKey);
  const target = await targetFromEnv(options, env);
  output.secret(target.options.apiKey);
  output.secret(target.options.bearerToken);
  return target;
}

/** A setting is missing or wrong: exit code 1 with the message. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}
