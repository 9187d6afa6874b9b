// Property: the decoder never throws, whatever it is given (fast-check, modest run counts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeServerEvent, decodeServerFrame, frameDecoder } from '../../src/protocol';

const dialect = fc.constantFrom('preview' as const, 'ga' as const, undefined);

describe('the decoder never throws', () => {
  it('decodeServerEvent answers Left or Right for any string and any JSON text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ type: 'response.done', response: v })),
        ),
        dialect,
        (text, d) => {
          const result = decodeServerEvent(text, d);
          expect(result._tag === 'Left' || result._tag === 'Right').toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodeServerFrame and a frameDecoder answer a value for any bytes and any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.string(), fc.json()),
        dialect,
        (bytes, d) => {
          expect(() => decodeServerFrame(bytes, d)).not.toThrow();
          const decode = frameDecoder(d);
          expect(() => decode(bytes)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
