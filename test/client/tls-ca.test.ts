// `ca`: extra trusted certificates, on top of Node's roots. The ws transport keeps one TLS context per distinct
// `ca` list (building one parses every root certificate), so these tests hold the cache to its key: a `ca` that
// does not sign the server's certificate is refused, whatever was trusted before, and each server is trusted
// through its own. Two emulators over TLS on 127.0.0.1, each with its own self-signed certificate.
import { NEVER, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src';
import { startEmulator, type Emulator } from '../../src/testing';

describe('connect({ ca }) over TLS', () => {
  let a: Emulator;
  let b: Emulator;
  beforeAll(async () => {
    [a, b] = await Promise.all([startEmulator({ tls: true }), startEmulator({ tls: true })]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  const first = (e: Emulator, ca: string | undefined) =>
    firstValueFrom(
      connect({
        endpoint: e.endpoint,
        deployment: 'd',
        apiKey: e.apiKey,
        dialect: 'ga',
        pingIntervalMs: 0,
        ...(ca !== undefined ? { ca } : {}),
      })(NEVER),
    );

  it('trusts each server through its own certificate, and never through another one trusted before', async () => {
    expect(a.certificate).toBeDefined();
    expect(b.certificate).not.toBe(a.certificate);
    expect((await first(a, a.certificate)).type).toBe('session.created');
    await expect(first(b, a.certificate)).rejects.toThrow(/self-signed certificate|unable to verify/);
    expect((await first(b, b.certificate)).type).toBe('session.created');
    expect((await first(a, a.certificate)).type).toBe('session.created');
    await expect(first(a, undefined)).rejects.toThrow(/self-signed certificate|unable to verify/);
  });
});
