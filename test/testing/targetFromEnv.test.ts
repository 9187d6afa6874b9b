// targetFromEnv: what each environment gives, checked on real sockets on 127.0.0.1 — a small ws server posing as the
// Azure endpoint (to see the key arrive as a header), and the emulator for an empty environment.
import { DefaultAzureCredential } from '@azure/identity';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NEVER, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'rx-realtime';
import { targetFromEnv, type EnvTarget } from 'rx-realtime/testing';
import { ensureBuilt, root } from '../cli/run';
import { wsServer, type TestServer } from '../client/servers';

/** A key no URL, header name or description would hold by chance. */
const KEY = 'k3y-Zq8vX2-distinctive-7a1f';
const TOKEN = 'entra-token-Qw9-distinctive';

let server: TestServer | undefined;
let target: EnvTarget | undefined;
afterEach(async () => {
  await target?.close();
  await server?.close();
  target = server = undefined;
});

/** The first server event of a real connection to the target. */
const firstEvent = (options: EnvTarget['options']) =>
  firstValueFrom(connect(options)(NEVER).pipe(take(1), toArray())).then((events) => events[0]!);

describe('targetFromEnv on Azure', () => {
  it('connects to the endpoint with the api key in the api-key header, never in the URL or the description', async () => {
    server = await wsServer();
    target = await targetFromEnv(
      {},
      {
        AZURE_OPENAI_ENDPOINT: server.endpoint,
        AZURE_OPENAI_DEPLOYMENT: 'my-realtime',
        AZURE_OPENAI_API_KEY: KEY,
      },
    );
    expect(target.service).toBe('azure');
    expect(target.dialect).toBe('preview');
    expect(target.options).toEqual({
      endpoint: server.endpoint,
      deployment: 'my-realtime',
      dialect: 'preview',
      apiKey: KEY,
    });
    expect(target.description).toBe(
      `Azure OpenAI 127.0.0.1:${server.port}, deployment my-realtime (preview, api key)`,
    );
    expect(target.description).not.toContain(KEY);

    expect((await firstEvent(target.options)).type).toBe('session.created');
    const [req] = server.requests;
    expect(req!.headers['api-key']).toBe(KEY);
    expect(req!.url).toBe('/openai/realtime?api-version=2025-04-01-preview&deployment=my-realtime');
    expect(req!.url).not.toContain(KEY);
  });

  it('takes AZURE_OPENAI_API_VERSION on preview, and no api-version on GA', async () => {
    server = await wsServer();
    const env = {
      AZURE_OPENAI_ENDPOINT: server.endpoint,
      AZURE_OPENAI_DEPLOYMENT: 'my-realtime',
      AZURE_OPENAI_API_KEY: KEY,
      AZURE_OPENAI_API_VERSION: '2024-10-01-preview',
    };
    const preview = await targetFromEnv({}, env);
    expect(preview.options.apiVersion).toBe('2024-10-01-preview');
    target = await targetFromEnv({ dialect: 'ga' }, env);
    expect(target.options).not.toHaveProperty('apiVersion');
    expect(target.description).toBe(
      `Azure OpenAI 127.0.0.1:${server.port}, deployment my-realtime (ga, api key)`,
    );
    await firstEvent(target.options);
    expect(server.requests[0]!.url).toBe('/openai/v1/realtime?model=my-realtime');
    expect(server.requests[0]!.headers['api-key']).toBe(KEY);
  });

  it('rejects an endpoint without a deployment, naming the variable', async () => {
    const message =
      'AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_DEPLOYMENT is not: name the realtime deployment';
    await expect(
      targetFromEnv({}, { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_API_KEY: KEY }),
    ).rejects.toThrow(message);
    // a blank deployment is no deployment, and the key is not in the error
    const err = await targetFromEnv(
      {},
      {
        AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com',
        AZURE_OPENAI_DEPLOYMENT: '  ',
        AZURE_OPENAI_API_KEY: KEY,
      },
    ).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(message);
  });

  it('uses Microsoft Entra ID without a key: the given credential, its token sent as a bearer', async () => {
    server = await wsServer();
    const scopes: unknown[] = [];
    const credential = {
      getToken: async (scope: string | string[]) => {
        scopes.push(scope);
        return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    target = await targetFromEnv(
      { credential },
      { AZURE_OPENAI_ENDPOINT: server.endpoint, AZURE_OPENAI_DEPLOYMENT: 'd', AZURE_OPENAI_API_KEY: ' \t' },
    );
    expect(target.options.credential).toBe(credential);
    expect(target.options).not.toHaveProperty('apiKey');
    expect(target.description).toBe(
      `Azure OpenAI 127.0.0.1:${server.port}, deployment d (preview, Entra ID)`,
    );
    await firstEvent(target.options);
    expect(server.requests[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[0]!.headers['api-key']).toBeUndefined();
    expect(scopes).toEqual(['https://cognitiveservices.azure.com/.default']);
  });

  it("defaults the Entra credential to @azure/identity's DefaultAzureCredential", async () => {
    target = await targetFromEnv(
      {},
      { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'd' },
    );
    expect(target.options.credential).toBeInstanceOf(DefaultAzureCredential);
  });

  // The peer's absence for real: the built package in a Node process whose resolver finds no @azure/identity (a
  // module.register hook renames the specifier, so Node's own ERR_MODULE_NOT_FOUND is what the helper sees).
  it('says to install @azure/identity when Entra ID is needed and it is absent', () => {
    ensureBuilt();
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function resolve(s, c, next) { return next(s === '@azure/identity' ? '@azure/identity-absent' : s, c); }",
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(
      `import { register } from 'node:module'; register(${JSON.stringify(hook)});`,
    )}`;
    const script = `import { targetFromEnv } from ${JSON.stringify(pathToFileURL(join(root, 'dist/testing.js')).href)};
targetFromEnv({}, { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'd' })
  .then((t) => console.log('resolved ' + t.description), (e) => console.log(e.name + ': ' + e.message));`;
    const run = (...flags: string[]) =>
      execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run('--import', register)).toBe(
      'Error: AZURE_OPENAI_API_KEY is not set, so Microsoft Entra ID is used, and @azure/identity is not installed: ' +
        'npm install @azure/identity (or set AZURE_OPENAI_API_KEY)\n',
    );
    // the same process with the peer installed
    expect(run()).toBe('resolved Azure OpenAI r.openai.azure.com, deployment d (preview, Entra ID)\n');
  });
});

describe('targetFromEnv on OpenAI', () => {
  it('sends OPENAI_API_KEY as the bearer token, GA by default, with the model of OPENAI_REALTIME_MODEL', async () => {
    target = await targetFromEnv(
      {},
      { OPENAI_API_KEY: ` ${KEY} `, OPENAI_REALTIME_MODEL: 'gpt-realtime-mini' },
    );
    expect(target.service).toBe('openai');
    expect(target.options).toEqual({ model: 'gpt-realtime-mini', bearerToken: KEY, dialect: 'ga' });
    expect(target.description).toBe('OpenAI, model gpt-realtime-mini (ga)');
    const fallback = await targetFromEnv({}, { OPENAI_API_KEY: KEY, OPENAI_REALTIME_MODEL: '' });
    expect(fallback.options.model).toBe('gpt-realtime');
    expect(fallback.description).not.toContain(KEY);
  });

  it('prefers Azure when both are set', async () => {
    target = await targetFromEnv(
      {},
      {
        AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com',
        AZURE_OPENAI_DEPLOYMENT: 'd',
        AZURE_OPENAI_API_KEY: KEY,
        OPENAI_API_KEY: 'sk-other',
      },
    );
    expect(target.service).toBe('azure');
    expect(target.options).not.toHaveProperty('bearerToken');
  });
});

describe('targetFromEnv with no service set', () => {
  it('starts an emulator that a real connect() gets session.created from, and stops it on close()', async () => {
    target = await targetFromEnv({}, {});
    expect(target.service).toBe('emulator');
    const emulator = target.emulator!;
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target.options).toEqual({
      endpoint: emulator.endpoint,
      deployment: 'emulator',
      dialect: 'preview',
      apiKey: emulator.apiKey,
    });
    expect(target.description).toBe(
      `the rx-realtime emulator in this process at ${emulator.endpoint} (preview; no AZURE_OPENAI_ENDPOINT or OPENAI_API_KEY set)`,
    );
    expect(target.description).not.toContain(emulator.apiKey);
    expect((await firstEvent(target.options)).type).toBe('session.created');

    await target.close();
    await expect(firstEvent(target.options)).rejects.toThrow(/ECONNREFUSED/);
    target = undefined;
  });

  it('ignores whitespace-only values, and passes the dialect and emulator options on', async () => {
    target = await targetFromEnv(
      { dialect: 'ga', emulator: { pace: 'fast', apiKey: KEY } },
      { AZURE_OPENAI_ENDPOINT: '   ', OPENAI_API_KEY: '\t\n', AZURE_OPENAI_API_KEY: 'unused' },
    );
    expect(target.service).toBe('emulator');
    expect(target.dialect).toBe('ga');
    expect(target.options.apiKey).toBe(KEY);
    const created = await firstEvent(target.options);
    expect(created.type).toBe('session.created');
    // GA's session object says its type (protocol README §2)
    expect((created as { session?: { type?: string } }).session?.type).toBe('realtime');
  });
});
