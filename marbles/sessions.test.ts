// Scenarios from the recorded sessions (test/fixtures/protocol/sessions, copied from the protocol reference): the
// operators on real traffic, decoded as connect() decodes it.
import { readFileSync } from 'node:fs';
import { from, lastValueFrom, mergeMap, toArray, materialize, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { decodeServerEvent, isDecodeFailure, type ServerMessage } from '../src/protocol';
import {
  collectText,
  IncompleteStreamError,
  splitResponses,
  textDeltas,
  userSpeaking,
  splitItems,
} from '../src/operators';

const session = (name: string, dialect: 'preview' | 'ga'): ServerMessage[] =>
  readFileSync(new URL(`../test/fixtures/protocol/sessions/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const r = decodeServerEvent(l, dialect);
      return E.isRight(r) ? r.right : r.left;
    });

describe('the beta text response (OpenAI, Aug 2025)', () => {
  const events = session('beta-openai-text-response.liusida-dictionary.jsonl', 'preview');

  it('holds two lossy frames that become decode failures, and 83 events', () => {
    expect(events.filter(isDecodeFailure)).toHaveLength(2);
    expect(events.filter((e) => !isDecodeFailure(e))).toHaveLength(83);
  });

  it('collects the text of its one part, equal to the deltas joined and to response.text.done', async () => {
    const collected = await lastValueFrom(from(events).pipe(collectText(), toArray()));
    const deltas = (await lastValueFrom(from(events).pipe(textDeltas(), toArray()))).join('');
    const done = events.find((e) => e.type === 'response.text.done') as { text: string };
    expect(collected).toHaveLength(1);
    expect(collected[0]!.text).toBe(done.text);
    expect(deltas).toBe(done.text);
    expect(JSON.parse(done.text).word).toBe('pending');
  });

  it('splits into one response whose done never decoded: it errors, it does not hang', async () => {
    const notifications = await lastValueFrom(
      from(events).pipe(
        splitResponses(),
        mergeMap((r) =>
          r.pipe(
            materialize(),
            map((n) => ({ id: r.responseId, metadata: r.metadata, kind: n.kind, error: n.error })),
          ),
        ),
        toArray(),
      ),
    );
    const last = notifications.at(-1)!;
    expect(last.kind).toBe('E');
    expect(last.error).toEqual(
      new IncompleteStreamError('response', 'resp_C1PSbsyhar4EpjNZg9fkB', 'source completed'),
    );
    expect(last.metadata).toEqual({ request_id: 'a68f767f-0d18-4494-9012-f113cf16d43a' });
    // output_item.done was lossy too: the item errors the same way
    const items = await lastValueFrom(
      from(events).pipe(
        splitItems(),
        mergeMap((i) => i.pipe(materialize())),
        toArray(),
      ),
    );
    expect(items.at(-1)!.kind).toBe('E');
  });
});

describe('the GA server-VAD turn (OpenAI gpt-realtime, Dec 2025)', () => {
  const events = session('ga-openai-gpt-realtime-vad-turn.bravedigger-sip-gateway.jsonl', 'ga');

  it('says the user spoke then stopped', async () => {
    expect(await lastValueFrom(from(events).pipe(userSpeaking(), toArray()))).toEqual([false, true, false]);
  });

  it('opens the response the recording cuts short, and errors it at the end of the recording', async () => {
    const kinds = await lastValueFrom(
      from(events).pipe(
        splitResponses(),
        mergeMap((r) => r.pipe(materialize())),
        map((n) => n.kind),
        toArray(),
      ),
    );
    expect(kinds.at(-1)).toBe('E');
    expect(kinds.filter((k) => k === 'N').length).toBeGreaterThanOrEqual(3);
  });
});
