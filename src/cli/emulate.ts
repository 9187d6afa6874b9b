/**
 * `rx-realtime emulate`: the emulator on a port until Ctrl-C. Prints its endpoint and URL; the api key only with
 * `--show-key` (or choose it: `RX_REALTIME_EMULATOR_KEY`), so a terminal recording or a CI log holds no key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { startEmulator, type Emulator } from '../testing/emulator';
import { bool, num, str, type CommandSpec, type Parsed } from './args';
import type { Output } from './output';
import { readRecording } from './recording';
import { SettingsError, type Env } from './target';

export const KEY_ENV = 'RX_REALTIME_EMULATOR_KEY';

export const emulateSpec: CommandSpec = {
  name: 'emulate',
  brief: 'the emulator on a port, until Ctrl-C',
  usage: 'emulate [options]',
  summary:
    'Runs the rx-realtime emulator on 127.0.0.1 until interrupted (Ctrl-C, SIGTERM), and prints its endpoint and URL.',
  flags: {
    port: { type: 'number', value: 'port', description: 'the port (default 0: any free port)' },
    dialect: {
      type: 'string',
      description: 'force the dialect of every session (default: the one the path implies)',
      choices: ['preview', 'ga'],
    },
    tls: { type: 'boolean', description: 'HTTPS/WSS with a self-signed certificate' },
    'cert-out': {
      type: 'string',
      value: 'file.pem',
      description: 'with --tls: write the certificate to trust here',
    },
    pace: { type: 'string', description: 'reply pacing (default realtime)', choices: ['realtime', 'fast'] },
    replay: {
      type: 'string',
      value: 'file.jsonl',
      description: "every client gets this recording's server events",
    },
    'show-key': { type: 'boolean', description: 'print the api key (hidden by default)' },
    json: { type: 'boolean', description: 'print one JSON line { endpoint, url, certificate? , apiKey? }' },
  },
  positionals: [0, 0],
  details: `environment:
  ${KEY_ENV}   the api key clients must send (default: a random one, shown with --show-key)

Connect with: AZURE_OPENAI_ENDPOINT=<endpoint> AZURE_OPENAI_DEPLOYMENT=any AZURE_OPENAI_API_KEY=<key>`,
};

/** Starts the emulator, prints where it is, and resolves when it has been stopped by `signal`. */
export async function emulate(
  parsed: Parsed,
  env: Env,
  output: Output,
  stop: Promise<string>,
): Promise<void> {
  const port = num(parsed, 'port') ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SettingsError('--port must be 0-65535');
  const replayFile = str(parsed, 'replay');
  let replay: readonly string[] | undefined;
  if (replayFile) {
    try {
      replay = readRecording(readFileSync(replayFile, 'utf8')).serverFrames;
    } catch (err) {
      throw new SettingsError(`cannot read ${replayFile}: ${(err as Error).message}`);
    }
  }
  const certOut = str(parsed, 'cert-out');
  if (certOut && !bool(parsed, 'tls')) throw new SettingsError('--cert-out needs --tls');
  const apiKey = env[KEY_ENV] || undefined;
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      port,
      tls: bool(parsed, 'tls'),
      ...(str(parsed, 'dialect') ? { dialect: str(parsed, 'dialect') as 'preview' | 'ga' } : {}),
      pace: (str(parsed, 'pace') as 'realtime' | 'fast' | undefined) ?? 'realtime',
      ...(apiKey ? { apiKey } : {}),
      ...(replay ? { replay } : {}),
    });
  } catch (err) {
    throw new SettingsError(`cannot start the emulator: ${(err as Error).message}`);
  }
  const showKey = bool(parsed, 'show-key');
  if (!showKey) output.secret(emulator.apiKey);
  if (certOut && emulator.certificate) writeFileSync(certOut, emulator.certificate);
  if (bool(parsed, 'json')) {
    output.out(
      JSON.stringify({
        endpoint: emulator.endpoint,
        url: emulator.url,
        ...(certOut ? { certificate: certOut } : {}),
        ...(showKey ? { apiKey: emulator.apiKey } : {}),
      }),
    );
  } else {
    output.out(`rx-realtime emulator listening${replay ? ` (replaying ${replay.length} events)` : ''}`);
    output.out(`  endpoint  ${emulator.endpoint}`);
    output.out(`  url       ${emulator.url}`);
    output.out(
      `  api key   ${showKey ? emulator.apiKey : `hidden (--show-key prints it${apiKey ? `; it is ${KEY_ENV}` : ''})`}`,
    );
    if (certOut) output.out(`  trust     ${certOut} (NODE_EXTRA_CA_CERTS=${certOut}, or connect({ ca }))`);
    output.log(output.dim('Ctrl-C stops it.'));
  }
  const signal = await stop;
  output.log(`${signal}: closing the emulator`);
  await emulator.close();
}
