/**
 * A self-signed certificate made here, with node:crypto only: an EC P-256 key and a minimal X.509 v3 certificate
 * for `localhost` and `127.0.0.1`, DER-encoded by hand (Node can sign and parse certificates but not build them).
 */
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';

export interface SelfSigned {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate; give it to clients as their trusted CA (`ca`). */
  readonly cert: string;
}

// -- DER --------------------------------------------------------------------------------------------------------

const len = (n: number): number[] => {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
};
const tlv = (tag: number, body: Uint8Array | number[]): Uint8Array => {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  return Uint8Array.from([tag, ...len(b.length), ...b]);
};
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const seq = (...parts: Uint8Array[]) => tlv(0x30, cat(...parts));
const set = (...parts: Uint8Array[]) => tlv(0x31, cat(...parts));
const oid = (dotted: string): Uint8Array => {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, out);
};
/**
 * A DER INTEGER of the unsigned big-endian `bytes`, in its one canonical form (X.690): no leading 0x00 unless
 * the next byte has its high bit set (then exactly one, so that the value stays positive). A serial whose random
 * first byte was 0 written as is was `asn1 … illegal padding` for OpenSSL about once in 256 certificates.
 */
// source: protocol README §8.3.2
export const derUnsignedInteger = (bytes: Uint8Array): Uint8Array => {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const body = bytes.subarray(start);
  return tlv(0x02, body.length === 0 ? [0] : body[0]! & 0x80 ? cat(Uint8Array.of(0), body) : body);
};
const int = derUnsignedInteger;

/**
 * The certificate's serial number as a DER INTEGER: positive, at most 20 octets (RFC 5280), from 16
 * random bytes (given, for tests) whose first is never 0 so that it keeps its 128 bits' size.
 */
// source: protocol README §4.1.2.2
export function certificateSerial(random: Uint8Array = randomBytes(16)): Uint8Array {
  const serial = Uint8Array.from(random);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return derUnsignedInteger(serial);
}
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const utcTime = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
};
const explicit = (n: number, body: Uint8Array) => tlv(0xa0 + n, body);
const bitString = (bytes: Uint8Array) => tlv(0x03, cat(Uint8Array.of(0), bytes));
const octets = (bytes: Uint8Array) => tlv(0x04, bytes);

const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

/**
 * Makes a key and a self-signed certificate valid for `localhost`, `127.0.0.1` and `::1`, for `days` days (default
 * 7): what `startEmulator({ tls: true })` uses. It's like `openssl req -x509 -nodes -newkey ec`, without openssl.
 *
 * @example
 * ```ts
 * import { selfSignedCertificate, startEmulator } from 'rx-realtime/testing';
 * const tls = selfSignedCertificate();           // { key, cert } in PEM
 * const emulator = await startEmulator({ tls }); // clients trust tls.cert as their CA
 * ```
 */
export function selfSignedCertificate(days = 7): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), utf8('rx-realtime emulator'))));
  const now = Date.now();
  const validity = seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + days * 86_400_000)));
  const san = seq(
    tlv(0x82, new TextEncoder().encode('localhost')),
    tlv(0x87, [127, 0, 0, 1]),
    tlv(0x87, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
  );
  const extensions = explicit(
    3,
    seq(
      seq(oid('2.5.29.17'), octets(san)), // subjectAltName
      seq(oid('2.5.29.19'), tlv(0x01, [0xff]), octets(seq(tlv(0x01, [0xff])))), // basicConstraints: critical, CA
    ),
  );
  const tbs = seq(
    explicit(0, int(Uint8Array.of(2))),
    certificateSerial(),
    ecdsaWithSha256,
    name,
    validity,
    name,
    spki,
    extensions,
  );
  const signature = new Uint8Array(sign('sha256', tbs, privateKey));
  const der = seq(tbs, ecdsaWithSha256, bitString(signature));
  const cert = pem('CERTIFICATE', der);
  // Parsing it back proves it is well formed before any client sees it.
  new X509Certificate(cert);
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { key, cert };
}
