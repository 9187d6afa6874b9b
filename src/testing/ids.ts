/**
 * Server-generated IDs as the service makes them: a prefix, `_`, and 21 base62 characters
 * (`event_Ct1OXIluGYDuYDr0t7VDt`, `item_…`, `resp_…`, `sess_…`, `conv_…`, `call_…`).
 */
// source: protocol README §2
import { randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new ID such as `item_Ct1OXLqYLre7VW2Bz9Eoy`. */
export function newId(prefix: string): string {
  let out = `${prefix}_`;
  while (out.length < prefix.length + 22) {
    // rejection sampling: bytes ≥ 248 would make some characters likelier than others
    for (const byte of randomBytes(32)) {
      if (byte < 248 && out.length < prefix.length + 22) out += BASE62[byte % 62];
    }
  }
  return out;
}
