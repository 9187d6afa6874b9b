// The conformance corpus and the §7 tables, loaded from test/fixtures/protocol (copies of ../shared/protocol).
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { ClientEvents, ServerEvents, isUnknownEvent, type Dialect } from '../../src/protocol';
import { wireType } from '../../src/protocol/decode';

export interface Entry {
  readonly source: string;
  readonly protocol: 'beta' | 'ga';
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly origin: string;
  readonly template?: boolean;
  readonly lenient_parse?: boolean;
  readonly notes?: readonly string[];
}

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/protocol/${name}`, import.meta.url), 'utf8');

export const serverCorpus: readonly Entry[] = JSON.parse(fixture('server-events.json'));
export const clientCorpus: readonly Entry[] = JSON.parse(fixture('client-events.json'));

/** The corpus says `beta`; the library calls that dialect `preview`. */
export const dialectOf = (entry: Entry): Dialect => (entry.protocol === 'beta' ? 'preview' : 'ga');

/** The non-blank lines of a recorded session. */
export const sessionLines = (name: string): string[] =>
  fixture(`sessions/${name}`)
    .split('\n')
    .filter((line) => line.trim() !== '');

export const BETA_SESSION = 'beta-openai-text-response.liusida-dictionary.jsonl';
export const GA_SESSION = 'ga-openai-gpt-realtime-vad-turn.bravedigger-sip-gateway.jsonl';

/** The wire names a codec list types. */
export const wireTypes = (codecs: readonly t.Mixed[]): Set<string> => new Set(codecs.map(wireType));

export const previewServerTypes = wireTypes(ServerEvents.previewServerCodecs);
export const gaServerTypes = wireTypes(ServerEvents.gaServerCodecs);
export const previewClientTypes = wireTypes(ClientEvents.previewClientCodecs);
export const gaClientTypes = wireTypes(ClientEvents.gaClientCodecs);

/** A decode result as one comparable word: `Left: <message>`, `unknown`, or `known`. */
export const outcome = (result: E.Either<{ message: string }, unknown>): string =>
  E.isLeft(result) ? `Left: ${result.left.message}` : isUnknownEvent(result.right) ? 'unknown' : 'known';

// -------------------------------------------------------------------------------------
// §7 tables, parsed from the reference itself
// -------------------------------------------------------------------------------------

export interface Field {
  readonly name: string;
  /** As the table writes it, `\|` unescaped: `string`, `integer`, `string | null`, `RealtimeResponse`, … */
  readonly type: string;
}
export interface Row {
  readonly table: 'Beta client' | 'Beta server' | 'GA client' | 'GA server';
  readonly type: string;
  readonly required: readonly Field[];
  readonly optional: readonly Field[];
}

const fields = (cell: string): Field[] =>
  cell === '—'
    ? []
    : cell.split(/, (?=`)/).map((spec) => {
        const m = /^`(\w+)`(?:: (.+))?$/.exec(spec.trim());
        if (!m) throw new Error(`cannot read the §7 field ${spec}`);
        // A bare `event_id` is the server tables' "required, listed once per row" (§7 preamble): a string.
        return { name: m[1]!, type: (m[2] ?? 'string').replace(/\\\|/g, '|') };
      });

/** Every row of the four generated §7 tables. */
export const section7: readonly Row[] = (() => {
  const md = fixture('protocol-reference.md');
  const block = md
    .split('<!-- BEGIN GENERATED EVENT TABLES -->')[1]!
    .split('<!-- END GENERATED EVENT TABLES -->')[0]!;
  const rows: Row[] = [];
  let table: Row['table'] | undefined;
  for (const line of block.split('\n')) {
    const heading = /^#### (Beta|GA) (client|server) events/.exec(line);
    if (heading) table = `${heading[1]} ${heading[2]}` as Row['table'];
    const row = /^\| `([^`]+)` \| \w+ \| (.*) \| (.*) \|$/.exec(line);
    if (row && table)
      rows.push({ table, type: row[1]!, required: fields(row[2]!), optional: fields(row[3]!) });
  }
  return rows;
})();

/** mulberry32: a small deterministic generator, so that every failure of a seeded test reproduces from its seed. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
