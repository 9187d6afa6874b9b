// The command line as a user runs it: the built dist/cli.js in its own process, against real emulator sockets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, NEVER, filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/connect';
import { readWav } from '../../src/audio/wav';
import { cleanEnv, ensureBuilt, hello, run, start, type Running } from './run';

const KEY = 'cli-test-key-7f3a9c1e5b';
const EMULATOR_KEY = /emulator-[0-9a-f]{24}/;
const dir = mkdtempSync(join(tmpdir(), 'rx-realtime-cli-'));
let emulator: Running;
let endpoint: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await start(
    ['emulate', '--pace', 'fast'],
    cleanEnv({ RX_REALTIME_EMULATOR_KEY: KEY }),
    // the last line of the block: the tests read the whole block (a ready at the url line raced the key line)
    /api key .*\n/,
  );
  endpoint = /endpoint\s+(\S+)/.exec(emulator.stdout)![1]!;
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const azureEnv = (apiKey = KEY) =>
  cleanEnv({ AZURE_OPENAI_ENDPOINT: endpoint, AZURE_OPENAI_DEPLOYMENT: 'any', AZURE_OPENAI_API_KEY: apiKey });

describe('rx-realtime emulate', () => {
  it('prints an endpoint and a URL that connect() opens a session on, and not the key', async () => {
    expect(emulator.stdout).toMatch(
      /^rx-realtime emulator listening\n {2}endpoint {2}http:\/\/127\.0\.0\.1:\d+\n/,
    );
    const url = /url\s+(\S+)/.exec(emulator.stdout)![1]!;
    expect(url).toMatch(
      /^ws:\/\/127\.0\.0\.1:\d+\/openai\/realtime\?api-version=2025-04-01-preview&deployment=emulator$/,
    );
    expect(emulator.stdout).toContain(
      'api key   hidden (--show-key prints it; it is RX_REALTIME_EMULATOR_KEY)',
    );
    const created = await firstValueFrom(
      connect({ url, apiKey: KEY })(NEVER).pipe(filter((e) => e.type === 'session.created')),
    );
    expect(created.type).toBe('session.created');
    expect(emulator.stdout + emulator.stderr).not.toContain(KEY);
  });

  it('prints the key with --show-key, one JSON line with --json, and exits 0 on SIGTERM', async () => {
    const shown = await start(['emulate', '--show-key', '--json', '--dialect', 'ga'], cleanEnv(), /\n/);
    const info = JSON.parse(shown.stdout) as { endpoint: string; url: string; apiKey: string };
    expect(info.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/openai\/v1\/realtime\?model=emulator$/);
    expect(info.apiKey).toMatch(EMULATOR_KEY);
    const created = await firstValueFrom(
      connect({ endpoint: info.endpoint, deployment: 'x', dialect: 'ga', apiKey: info.apiKey })(NEVER).pipe(
        filter((e) => e.type === 'session.created'),
      ),
    );
    expect(created.type).toBe('session.created');
    expect(await shown.stop()).toBe(0);
    expect(shown.stderr).toContain('SIGTERM: closing the emulator');
  });
  it('exits 1 naming the cause when its port is taken', async () => {
    const port = new URL(endpoint).port;
    const r = await run(['emulate', '--port', port]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rx-realtime emulate: cannot start the emulator: .*EADDRINUSE/m);
  });
});

describe('rx-realtime talk', () => {
  it('streams a WAV to the embedded emulator, prints the transcript and writes a valid reply WAV', async () => {
    const out = join(dir, 'reply.wav');
    const transcript = join(dir, 'reply.txt');
    const r = await run(['talk', hello, '--fast', '--out', out, '--transcript', transcript]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^assistant: I heard about \d\.\d seconds of speech\. This is the rx-realtime emulator answering\.\n$/,
    );
    expect(readFileSync(transcript, 'utf8')).toBe(`${r.stdout.slice('assistant: '.length)}`);
    const wav = readWav(new Uint8Array(readFileSync(out)));
    expect(wav.sampleRate).toBe(24000);
    expect(wav.channels).toBe(1);
    expect(wav.durationMs).toBeGreaterThan(1000);
    expect(r.stderr).toContain('→ talking to the rx-realtime emulator in this process');
    expect(r.stderr).toMatch(
      /● you: speaking\n○ you: stopped\n● assistant: speaking\n○ assistant: stopped\n/,
    );
    expect(r.stdout + r.stderr).not.toMatch(EMULATOR_KEY);
  });

  it('talks GA to an Azure endpoint from the environment, never printing its key', async () => {
    const out = join(dir, 'ga.wav');
    const r = await run(['talk', hello, '--fast', '--dialect', 'ga', '--out', out, '--json'], azureEnv());
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { audioMs: number; transcript: string; responses: number };
    expect(result.responses).toBe(1);
    expect(result.audioMs).toBeGreaterThan(1000);
    expect(result.transcript).toContain('This is the rx-realtime emulator answering.');
    expect(r.stderr).toContain(
      `→ talking to Azure OpenAI ${new URL(endpoint).host}, deployment any (ga, api key)`,
    );
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('fails with exit 1 and the status for a refused key, without printing it', async () => {
    const r = await run(
      ['talk', hello, '--fast', '--out', join(dir, 'no.wav')],
      azureEnv('wrong-key-0123456789'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rx-realtime talk: HandshakeError');
    expect(r.stderr).toContain('401');
    expect(r.stdout + r.stderr).not.toContain('wrong-key-0123456789');
  });

  it('fails with exit 1 naming a file it cannot read', async () => {
    const r = await run(['talk', join(dir, 'missing.wav')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rx-realtime talk: cannot read .*missing\.wav: ENOENT/m);
  });
});

describe('rx-realtime record and replay', () => {
  it('record writes a redacted JSONL that replay plays back to the same transcript and audio', async () => {
    const jsonl = join(dir, 'session.jsonl');
    const wav = join(dir, 'recorded.wav');
    const rec = await run(['record', hello, '--out', jsonl, '--wav', wav, '--fast'], azureEnv());
    expect(rec.code, rec.stderr).toBe(0);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { type: string; event?: { type: string } });
    expect(events[0]!.type).toBe('rx-realtime.client_event');
    expect(events[0]!.event!.type).toBe('session.update');
    expect(events.some((e) => e.type === 'session.created')).toBe(true);
    expect(events.filter((e) => e.type === 'response.done')).toHaveLength(1);
    expect(events.some((e) => e.event?.type === 'input_audio_buffer.append')).toBe(true);
    expect(readFileSync(jsonl, 'utf8')).not.toContain(KEY);
    expect(rec.stderr).toMatch(/→ recorded \d+ server and \d+ client events to /);

    const replayed = join(dir, 'replayed.wav');
    const rep = await run(['replay', jsonl, '--json', '--out', replayed]);
    expect(rep.code, rep.stderr).toBe(0);
    const summary = JSON.parse(rep.stdout) as {
      serverEvents: number;
      clientEvents: number;
      responses: { status: string; transcript: string; audioMs: number; outputTokens: number }[];
      decodeFailures: number;
    };
    expect(summary.serverEvents).toBe(events.filter((e) => e.type !== 'rx-realtime.client_event').length);
    expect(summary.clientEvents).toBe(events.length - summary.serverEvents);
    expect(summary.decodeFailures).toBe(0);
    expect(summary.responses).toHaveLength(1);
    expect(summary.responses[0]!.status).toBe('completed');
    expect(summary.responses[0]!.transcript).toContain('This is the rx-realtime emulator answering.');
    expect(summary.responses[0]!.outputTokens).toBeGreaterThan(0);
    // the same bytes: recorded live and replayed through the operators (both files exact 24 kHz WAVs)
    const live = readFileSync(wav);
    expect(live.byteLength).toBeGreaterThan(44 + 48_000);
    expect(readFileSync(replayed).equals(live)).toBe(true);
    expect(Math.round(readWav(new Uint8Array(live)).durationMs)).toBe(summary.responses[0]!.audioMs);
  });

  it('replay reads corpus recordings (server events only) and prints a summary', async () => {
    const corpus = join(process.cwd(), 'test/fixtures/protocol/sessions');
    const beta = await run(['replay', join(corpus, 'beta-openai-text-response.liusida-dictionary.jsonl')]);
    expect(beta.code, beta.stderr).toBe(0);
    // two of its frames hold "[Object]" where the recorder cut nested objects: they do not decode, the rest goes on
    expect(beta.stdout).toMatch(/: 83 server events \(0 client events not replayed\), preview dialect\n/);
    expect(beta.stdout).toMatch(/^ {2}assistant: \{\n {2}"word": "pending",/m);
    expect(beta.stdout).toMatch(/^0\.0 s of audio, 0 server errors, 2 undecodable frames$/m);
    // this one was cut before its response.done: the response is reported as incomplete, not dropped
    const ga = await run([
      'replay',
      join(corpus, 'ga-openai-gpt-realtime-vad-turn.bravedigger-sip-gateway.jsonl'),
    ]);
    expect(ga.code, ga.stderr).toBe(0);
    expect(ga.stdout).toMatch(/: 10 server events \(0 client events not replayed\), ga dialect\n/);
    expect(ga.stdout).toMatch(/^response resp_\S+: incomplete, 0\.0 s audio$/m);
  });

  it('the emulator replays a recording made by record (emulate --replay)', async () => {
    const jsonl = join(dir, 'session.jsonl');
    const replaying = await start(
      ['emulate', '--replay', jsonl, '--pace', 'fast', '--json', '--show-key'],
      cleanEnv(),
      /\n/,
    );
    try {
      const info = JSON.parse(replaying.stdout) as { endpoint: string; apiKey: string };
      const done = await firstValueFrom(
        connect({ endpoint: info.endpoint, deployment: 'x', apiKey: info.apiKey })(NEVER).pipe(
          filter((e) => e.type === 'response.done'),
        ),
      );
      expect(done.type).toBe('response.done');
    } finally {
      await replaying.stop();
    }
  });
});

describe('rx-realtime doctor', () => {
  it('passes against the emulator, each check on its line, without the key', async () => {
    const r = await run(['doctor'], azureEnv());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}node {8}v\d+/m);
    expect(r.stdout).toMatch(/^ok {4}endpoint {4}http:\/\/127\.0\.0\.1:\d+$/m);
    expect(r.stdout).toMatch(/^ok {4}auth {8}api key$/m);
    expect(r.stdout).toMatch(/^ok {4}clock {7}[+-]\d+ s against the service$/m);
    expect(r.stdout).toMatch(/^ok {4}handshake {3}session\.created \(preview, model any\)$/m);
    expect(r.stdout).toMatch(/^ok {4}session {5}session\.update → session\.updated$/m);
    expect(r.stdout).not.toMatch(/^fail/m);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('fails with exit 1 and says the key was refused, without printing it', async () => {
    const bad = 'bad-key-5e6f7a8b9c';
    const r = await run(['doctor'], azureEnv(bad));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^fail {2}handshake {3}.*HTTP 401.*the key or token was refused/m);
    expect(r.stdout + r.stderr).not.toContain(bad);
  });

  it('names the usual mistakes before any network check', async () => {
    const r = await run(
      ['doctor', '--dialect', 'ga'],
      cleanEnv({
        AZURE_OPENAI_ENDPOINT: 'my-resource.openai.azure.com',
        AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-transcribe',
        AZURE_OPENAI_API_KEY: 'sk-proj-abcdefghijklmnop',
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'fail  endpoint    AZURE_OPENAI_ENDPOINT has no scheme: write it as https://my-resource.openai.azure.com',
    );
    expect(r.stdout).toMatch(/^fail {2}deployment {2}gpt-4o-transcribe looks like a transcription model/m);
    expect(r.stdout).toMatch(/^fail {2}key kind {4}AZURE_OPENAI_API_KEY looks like an OpenAI key/m);
    expect(r.stdout).not.toMatch(/handshake/);
    expect(r.stdout + r.stderr).not.toContain('sk-proj-abcdefghijklmnop');
  });

  it('refuses an api-version on the GA path and a full realtime URL as the endpoint', async () => {
    const r = await run(
      ['doctor'],
      cleanEnv({
        AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com/openai/v1/realtime?model=x',
        AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime',
        AZURE_OPENAI_API_KEY: '0123456789abcdef0123456789abcdef',
        AZURE_OPENAI_API_VERSION: '2025-04-01-preview',
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'is a full realtime URL: give the resource endpoint only (https://r.openai.azure.com)',
    );
    expect(r.stdout).toContain('an api-version (2025-04-01-preview) on the GA /openai/v1 path');
    expect(r.stdout).toMatch(/^ok {4}key kind {4}an Azure api key/m);
    expect(r.stdout + r.stderr).not.toContain('0123456789abcdef0123456789abcdef');
  });

  it('fails with exit 1 when the endpoint does not answer', async () => {
    const r = await run(
      ['doctor', '--timeout', '5'],
      cleanEnv({
        AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:1',
        AZURE_OPENAI_DEPLOYMENT: 'any',
        AZURE_OPENAI_API_KEY: KEY,
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^fail {2}reachable {3}127\.0\.0\.1:1: ECONNREFUSED$/m);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('fails with exit 1 when nothing is configured', async () => {
    const r = await run(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^fail {2}settings {4}none found: set AZURE_OPENAI_ENDPOINT/m);
  });
});

describe('rx-realtime usage mistakes', () => {
  it.each([
    [
      ['talk', hello, '--bogus'],
      'rx-realtime talk: unknown option --bogus',
      'usage: rx-realtime talk <file.wav>',
    ],
    [
      ['emulate', '--port', 'abc'],
      'rx-realtime emulate: --port must be a number (got "abc")',
      'usage: rx-realtime emulate',
    ],
    [
      ['emulate', '--dialect', 'beta'],
      '--dialect must be one of preview, ga (got "beta")',
      'usage: rx-realtime emulate',
    ],
    [
      ['replay'],
      'rx-realtime replay: missing argument: rx-realtime replay <file.jsonl>',
      'usage: rx-realtime replay',
    ],
    [['talk', hello, '--out'], 'rx-realtime talk: --out needs a file.wav', 'usage: rx-realtime talk'],
    [['doctor', 'extra'], 'rx-realtime doctor: unexpected argument "extra"', 'usage: rx-realtime doctor'],
    [['frobnicate'], 'rx-realtime: unknown command "frobnicate"', 'usage: rx-realtime <command>'],
  ])('%j exits 2 with the mistake and the usage', async (args, message, usage) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(usage);
    expect(r.stdout).toBe('');
  });

  it('--help of every command exits 0 with its options on stdout', async () => {
    for (const command of ['emulate', 'talk', 'record', 'replay', 'doctor']) {
      const r = await run([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: rx-realtime ${command}`));
      expect(r.stdout).toContain('--help');
    }
  });

  it('with no command prints the commands and exits 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    for (const command of ['emulate', 'talk', 'record', 'replay', 'doctor'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
