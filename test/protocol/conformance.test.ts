// The conformance corpus (copied from ../shared/protocol into test/fixtures/protocol) is this project's Autobahn:
// every real payload decodes to its known event, in its dialect and without one; every template and malformed
// example comes back with the outcome pinned below, and nothing throws.
import { describe, expect, it } from 'vitest';
import {
  decodeClientEvent,
  decodeServerEvent,
  encodeClientEvent,
  isUnknownEvent,
  type Dialect,
} from '../../src/protocol';
import {
  BETA_SESSION,
  GA_SESSION,
  clientCorpus,
  dialectOf,
  gaClientTypes,
  gaServerTypes,
  outcome,
  previewClientTypes,
  previewServerTypes,
  serverCorpus,
  sessionLines,
  type Entry,
} from './corpus';

/** §9.7: the GA `dtmf_event_received` example whose `type` starts with a space. */
const LEADING_SPACE_DTMF = 93;
/** §9.7: the `…ConversationItemRetrieved` example whose `type` is `conversation.item.created` (see `also_in`). */
const RETRIEVED_TYPED_CREATED = 3;

const frameOf = (entry: Entry) => JSON.stringify(entry.payload);

describe('the server-event corpus', () => {
  const real = serverCorpus.map((entry, index) => [index, entry] as const).filter(([, e]) => !e.template);

  it.each(real.map(([index, entry]) => [index, entry.protocol, entry.type, entry] as const))(
    '#%i (%s %s) decodes in its dialect and without one, every field kept',
    (index, _protocol, _type, entry) => {
      const frame = frameOf(entry);
      const expected = index === LEADING_SPACE_DTMF ? 'unknown' : 'known';
      for (const dialect of [dialectOf(entry), undefined]) {
        const result = decodeServerEvent(frame, dialect);
        expect(outcome(result)).toBe(expected);
        if (result._tag === 'Right') expect(JSON.stringify(result.right)).toBe(frame);
      }
    },
  );

  it('has one non-template payload of an unknown type: the leading-space dtmf example (§9.7)', () => {
    const unknown = real.filter(
      ([, e]) => outcome(decodeServerEvent(frameOf(e), dialectOf(e))) === 'unknown',
    );
    expect(unknown.map(([index, e]) => `#${index} ${JSON.stringify(e.payload['type'])}`)).toEqual([
      '#93 " input_audio_buffer.dtmf_event_received"',
    ]);
  });

  it('decodes the retrieved example typed "conversation.item.created" as what its type says (§9.7)', () => {
    // Nothing in the frame says "retrieved": its type and shape are a well-formed conversation.item.created,
    // which is what a decoder that dispatches on `type` must make of it.
    const entry = serverCorpus[RETRIEVED_TYPED_CREATED]!;
    expect(JSON.stringify(entry)).toContain('RealtimeServerEventConversationItemRetrieved');
    const result = decodeServerEvent(frameOf(entry), 'preview');
    expect(outcome(result)).toBe('known');
    expect(result._tag === 'Right' && result.right.type).toBe('conversation.item.created');
  });
});

describe('the templates and malformed examples', () => {
  // Azure's placeholder blocks ("<item_id>", 0) are well-formed where they carry every required field, so they
  // decode to their known event: the codecs check shapes, not ID formats. Those that omit a required field of §7
  // are a Left naming it. Exactly this, entry by entry:
  const PINNED: Record<string, string> = {
    'server #1 beta conversation.created': 'known',
    'server #5 beta conversation.item.created':
      'Left: conversation.item.created: expected ConversationItem at item, got undefined',
    'server #8 beta conversation.item.deleted': 'known',
    'server #11 beta conversation.item.input_audio_transcription.completed': 'known',
    'server #14 beta conversation.item.input_audio_transcription.failed': 'known',
    'server #15 beta conversation.item.retrieved':
      'Left: conversation.item.retrieved: expected ConversationItem at item, got undefined',
    'server #17 beta conversation.item.truncated': 'known',
    'server #19 beta error': 'known',
    'server #21 beta input_audio_buffer.cleared': 'known',
    'server #23 beta input_audio_buffer.committed': 'known',
    'server #25 beta input_audio_buffer.speech_started': 'known',
    'server #27 beta input_audio_buffer.speech_stopped': 'known',
    'server #29 beta output_audio_buffer.cleared':
      'Left: output_audio_buffer.cleared: expected string at response_id, got undefined',
    'server #31 beta output_audio_buffer.started': 'known',
    'server #33 beta output_audio_buffer.stopped':
      'Left: output_audio_buffer.stopped: expected string at response_id, got undefined',
    'server #35 beta rate_limits.updated': 'known',
    'server #38 beta response.audio.delta': 'known',
    'server #40 beta response.audio.done': 'known',
    'server #42 beta response.audio_transcript.delta': 'known',
    'server #44 beta response.audio_transcript.done': 'known',
    'server #46 beta response.content_part.added':
      'Left: response.content_part.added: expected ContentPart at part, got undefined',
    'server #49 beta response.content_part.done':
      'Left: response.content_part.done: expected ContentPart at part, got undefined',
    'server #52 beta response.created':
      'Left: response.created: expected Response at response, got undefined',
    'server #58 beta response.done': 'Left: response.done: expected Response at response, got undefined',
    'server #61 beta response.function_call_arguments.delta': 'known',
    'server #64 beta response.function_call_arguments.done': 'known',
    'server #66 beta response.output_item.added':
      'Left: response.output_item.added: expected ConversationItem at item, got undefined',
    'server #69 beta response.output_item.done':
      'Left: response.output_item.done: expected ConversationItem at item, got undefined',
    'server #71 beta response.text.delta': 'known',
    'server #74 beta response.text.done': 'known',
    'server #82 beta session.created': 'Left: session.created: expected Session at session, got undefined',
    'server #90 beta session.updated': 'Left: session.updated: expected Session at session, got undefined',
    'client #3 beta conversation.item.create':
      'Left: conversation.item.create: expected ConversationItem at item, got undefined',
    'client #5 beta conversation.item.delete': 'known',
    'client #7 beta conversation.item.retrieve': 'known',
    'client #9 beta conversation.item.truncate': 'known',
    'client #11 beta input_audio_buffer.append': 'known',
    'client #13 beta input_audio_buffer.clear': 'known',
    'client #15 beta input_audio_buffer.commit': 'known',
    'client #17 beta output_audio_buffer.clear': 'known',
    'client #19 beta response.cancel': 'known',
    'client #32 beta session.update': 'Left: session.update: expected Session at session, got undefined',
  };

  it('decodes every template to exactly its pinned outcome, in its dialect and without one', () => {
    const seen: Record<string, string> = {};
    for (const [side, corpus, decode] of [
      ['server', serverCorpus, decodeServerEvent],
      ['client', clientCorpus, decodeClientEvent],
    ] as const) {
      corpus.forEach((entry, index) => {
        if (!entry.template) return;
        const key = `${side} #${index} ${entry.protocol} ${entry.type}`;
        seen[key] = outcome(decode(frameOf(entry), dialectOf(entry)));
        expect(outcome(decode(frameOf(entry))), key).toBe(seen[key]);
      });
    }
    expect(seen).toEqual(PINNED);
  });

  it('makes the leading-space dtmf type an unknown event that keeps its type, not a failure (§9 Decisions)', () => {
    const entry = serverCorpus[LEADING_SPACE_DTMF]!;
    expect(entry.payload['type']).toBe(' input_audio_buffer.dtmf_event_received');
    for (const dialect of ['ga', 'preview', undefined] as const) {
      const result = decodeServerEvent(frameOf(entry), dialect);
      expect(outcome(result)).toBe('unknown');
      expect(result._tag === 'Right' && isUnknownEvent(result.right) && result.right['event']).toBe('9');
    }
  });
});

describe('the recorded sessions', () => {
  it('decodes the GA VAD turn line by line, each a known GA event', () => {
    const lines = sessionLines(GA_SESSION);
    const results = lines.map((line) => decodeServerEvent(line, 'ga'));
    expect(
      results.map((r) => (r._tag === 'Right' && !isUnknownEvent(r.right) ? r.right.type : outcome(r))),
    ).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio_transcript.delta',
    ]);
    lines.forEach((line) => expect(outcome(decodeServerEvent(line))).toBe('known'));
  });

  it('decodes the beta text response line by line; the two lossy "[Object]" lines 84–85 are Left', () => {
    const lines = sessionLines(BETA_SESSION);
    expect(lines).toHaveLength(85);
    const words = lines.map((line) => {
      const r = decodeServerEvent(line, 'preview');
      expect(outcome(decodeServerEvent(line))).toBe(outcome(r));
      return r._tag === 'Right' && !isUnknownEvent(r.right) ? r.right.type : outcome(r);
    });
    expect(words.slice(0, 4)).toEqual([
      'response.created',
      'response.output_item.added',
      'conversation.item.created',
      'response.content_part.added',
    ]);
    expect(words.slice(4, 81)).toEqual(Array(77).fill('response.text.delta'));
    expect(words.slice(81)).toEqual([
      'response.text.done',
      'response.content_part.done',
      'Left: response.output_item.done: expected ContentPart at item.content.0, got "[Object]"',
      'Left: response.done: expected ConversationItem at response.output.0, got "[Object]" (and 3 more)',
    ]);
  });

  it('names every issue of the lossy response.done line', () => {
    const r = decodeServerEvent(sessionLines(BETA_SESSION)[84]!, 'preview');
    expect(
      r._tag === 'Left' && r.left.issues.map((i) => `${i.path}: ${i.expected}, got ${i.actual}`),
    ).toEqual([
      'response.output.0: ConversationItem, got "[Object]"',
      'response.usage.input_token_details: InputTokenDetails, got "[Object]"',
      'response.usage.output_token_details: OutputTokenDetails, got "[Object]"',
      'response.usage: (Usage | null), got {"total_tokens":151,"input_tokens":72,"output_tokens":79,...',
    ]);
  });
});

describe('the client-event corpus', () => {
  const real = clientCorpus.map((entry, index) => [index, entry] as const).filter(([, e]) => !e.template);

  it.each(real.map(([index, entry]) => [index, entry.protocol, entry.type, entry] as const))(
    '#%i (%s %s) decodes, and round-trips through encodeClientEvent',
    (_index, _protocol, _type, entry) => {
      const dialect = dialectOf(entry);
      const decoded = decodeClientEvent(frameOf(entry), dialect);
      expect(outcome(decoded)).toBe('known');
      expect(outcome(decodeClientEvent(frameOf(entry)))).toBe('known');
      if (decoded._tag !== 'Right' || isUnknownEvent(decoded.right)) return;
      const frame = encodeClientEvent(decoded.right, dialect);
      expect(JSON.parse(frame)).toEqual(entry.payload);
      const again = decodeClientEvent(frame, dialect);
      expect(again).toEqual(decoded);
    },
  );
});

describe('the counts of what is typed', () => {
  it('types 35 preview and 47 GA server events, 12 client events in each dialect', () => {
    expect([
      previewServerTypes.size,
      gaServerTypes.size,
      previewClientTypes.size,
      gaClientTypes.size,
    ]).toEqual([35, 47, 12, 12]);
    expect(new Set([...previewServerTypes, ...gaServerTypes]).size).toBe(54);
  });

  it('decodes to a known event 61 of 61 real beta and 74 of 75 real GA server payloads, 25 + 15 client ones', () => {
    const known = (
      corpus: readonly Entry[],
      protocol: string,
      decode: (data: string, dialect?: Dialect) => Parameters<typeof outcome>[0],
    ) =>
      corpus.filter(
        (e) =>
          !e.template && e.protocol === protocol && outcome(decode(frameOf(e), dialectOf(e))) === 'known',
      ).length;
    expect([
      known(serverCorpus, 'beta', decodeServerEvent),
      known(serverCorpus, 'ga', decodeServerEvent),
      known(clientCorpus, 'beta', decodeClientEvent),
      known(clientCorpus, 'ga', decodeClientEvent),
    ]).toEqual([61, 74, 25, 15]);
  });
});
