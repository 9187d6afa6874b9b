// The self-signed certificate's DER: a serial number is always a canonical, positive INTEGER (OpenSSL refuses
// "illegal padding", a leading 0x00 before a byte under 0x80), whatever the random bytes were.
import { randomBytes, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateSerial, derUnsignedInteger, selfSignedCertificate } from '../../src/testing/tls';

/** The problem with a DER INTEGER's encoding, or undefined when it is canonical and positive. */
function derIntegerProblem(der: Uint8Array): string | undefined {
  if (der[0] !== 0x02) return 'not an INTEGER';
  const length = der[1]!;
  if (length & 0x80 || der.length !== 2 + length) return 'bad length';
  const body = der.subarray(2);
  if (body.length === 0) return 'empty';
  if (body[0]! & 0x80) return 'negative';
  if (body.length > 1 && body[0] === 0 && !(body[1]! & 0x80)) return 'illegal padding';
  return undefined;
}
const valueOf = (der: Uint8Array) => BigInt(`0x${Buffer.from(der.subarray(2)).toString('hex') || '0'}`);

describe('certificateSerial', () => {
  it('is a canonical positive INTEGER for every first byte, 0x00 included', () => {
    const problems: string[] = [];
    for (let first = 0; first < 256; first++) {
      for (const second of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
        const random = randomBytes(16);
        random[0] = first;
        random[1] = second;
        const problem = derIntegerProblem(certificateSerial(random));
        if (problem) problems.push(`${first}/${second}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('is a canonical positive INTEGER of 16 octets for 20000 random serials', () => {
    const problems = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const der = certificateSerial(randomBytes(16));
      const problem = derIntegerProblem(der) ?? (der.length === 18 ? undefined : `length ${der.length}`);
      if (problem) problems.set(problem, (problems.get(problem) ?? 0) + 1);
    }
    expect(Object.fromEntries(problems)).toEqual({});
  });
});

describe('derUnsignedInteger', () => {
  it('keeps the value and strips only the padding DER forbids', () => {
    const cases: [number[], number[]][] = [
      [
        [0x00, 0x05],
        [0x02, 0x01, 0x05],
      ],
      [
        [0x00, 0x00, 0x80],
        [0x02, 0x02, 0x00, 0x80],
      ],
      [[0x80], [0x02, 0x02, 0x00, 0x80]],
      [
        [0x7f, 0x00],
        [0x02, 0x02, 0x7f, 0x00],
      ],
      [[0x00], [0x02, 0x01, 0x00]],
      [
        [0x00, 0x00],
        [0x02, 0x01, 0x00],
      ],
    ];
    for (const [input, der] of cases) expect([...derUnsignedInteger(Uint8Array.from(input))]).toEqual(der);
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(1 + (i % 20));
      if (i % 3 === 0) bytes[0] = 0;
      const der = derUnsignedInteger(bytes);
      expect(derIntegerProblem(der)).toBeUndefined();
      expect(valueOf(der)).toBe(BigInt(`0x${bytes.toString('hex')}`));
    }
  });
});

describe('selfSignedCertificate', () => {
  it('makes certificates that parse, with a positive serial, for localhost and 127.0.0.1', () => {
    for (let i = 0; i < 20; i++) {
      const { cert } = selfSignedCertificate();
      const x = new X509Certificate(cert);
      expect(x.serialNumber).toMatch(/^[0-9A-F]{32}$/);
      expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    }
  });
});
