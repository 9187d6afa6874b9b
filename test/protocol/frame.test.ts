// decodeServerFrame / frameDecoder: decoding a frame's bytes gives the answer decodeServerEvent gives on its text,
// whatever the bytes, on every path (a remembered envelope, this frame's envelope, the full decoder); and the
// audio decoded at the edge is the delta's base64 decoded.
import { describe, expect, it } from 'vitest';
import { Subject, from, lastValueFrom, map, toArray } from 'rxjs';
import {
  decodeServerEvent,
  decodeServerFrame,
  decodedAudio,
  frameDecoder,
  takeDecodedAudio,
  type Dialect,
  type ServerMessage,
} from '../../src/protocol';
import { tracedFrameDecoder, type FramePath } from '../../src/protocol/frame';
import { audioDeltas, isAudioDecodeFailure } from '../../src/operators';
import { BETA_SESSION, GA_SESSION, outcome, rng, serverCorpus, sessionLines } from './corpus';
import { shaped } from '../../bench/decode.bench';

const audioType = (d: Dialect) => (d === 'ga' ? 'response.output_audio.delta' : 'response.audio.delta');
const transcriptType = (d: Dialect) =>
  d === 'ga' ? 'response.output_audio_transcript.delta' : 'response.audio_transcript.delta';

/** A part's deltas as the service sends them (§6, §7; GA transcript deltas carry `obfuscation` after `delta`). */
function partFrames(dialect: Dialect, n: number, count = 6, audioBytes = 480): string[] {
  const ref = { response_id: `resp_C${n}x`, item_id: `item_C${n}y`, output_index: 0, content_index: 0 };
  const frames: string[] = [];
  for (let k = 0; k < count; k++) {
    const pcm = Buffer.from(
      Array.from({ length: audioBytes + (k % 3) }, (_, i) => (i * 7 + k * 13 + n) & 0xff),
    );
    frames.push(
      JSON.stringify({
        type: transcriptType(dialect),
        event_id: `event_T${n}_${k}`,
        ...ref,
        delta: k % 2 ? ' wörd' : ' word',
        ...(dialect === 'ga' ? { obfuscation: `obf${k * 31}` } : {}),
      }),
      JSON.stringify({
        type: audioType(dialect),
        event_id: `event_A${n}_${k}${'z'.repeat(k)}`,
        ...ref,
        delta: pcm.toString('base64'),
      }),
    );
  }
  return frames;
}

/**
 * decodeServerEvent's answer on the text, as a string that also pins key order, whether the event is unknown (an
 * event of the other dialect must stay one: connect() reports a DialectMismatchError from it) and the failure's
 * message.
 */
const reference = (bytes: Buffer, dialect: Dialect | undefined) =>
  answer(decodeServerEvent(bytes.toString('utf8'), dialect));
const answer = (result: ReturnType<typeof decodeServerFrame>) =>
  result._tag === 'Right' ? `Right ${outcome(result)} ${JSON.stringify(result.right)}` : outcome(result);

/** Checks one frame on both entry points; returns the path the persistent decoder took. */
function check(
  bytes: Buffer,
  dialect: Dialect | undefined,
  decoder: (frame: Uint8Array) => ReturnType<typeof decodeServerFrame>,
  paths: FramePath[],
): FramePath {
  const want = reference(bytes, dialect);
  for (const decode of [(b: Buffer) => decodeServerFrame(b, dialect), decoder]) {
    const result = decode(bytes);
    expect(answer(result)).toBe(want);
    if (result._tag === 'Right') {
      // asked at once, as audioDeltas does down a synchronous pipeline
      const audio = decodedAudio(result.right);
      const delta = (result.right as { delta?: unknown }).delta;
      // decoded audio, when there is some, is exactly the delta's base64 decoded
      if (audio !== undefined)
        expect(Buffer.from(audio).equals(Buffer.from(delta as string, 'base64'))).toBe(true);
    }
  }
  return paths.at(-1)!;
}

const DIALECTS = ['preview', 'ga'] as const;

describe('decodeServerFrame and frameDecoder', () => {
  it('answer as decodeServerEvent does on every frame of the corpus and of both recorded sessions', () => {
    const paths: FramePath[] = [];
    for (const dialect of [...DIALECTS, undefined]) {
      const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
      const frames = [
        ...serverCorpus.map((e) => JSON.stringify(e.payload)),
        ...sessionLines(BETA_SESSION),
        ...sessionLines(GA_SESSION),
      ];
      for (const frame of frames) check(Buffer.from(frame), dialect, decode, paths);
    }
    // the corpus's deltas go the fast ways, the rest the full one
    const count = (path: FramePath) => paths.filter((p) => p === path).length;
    expect(count('envelope')).toBeGreaterThan(15);
    expect(count('template')).toBeGreaterThan(80);
    expect(count('full')).toBeGreaterThan(400);
  });

  it('decodes the deltas of a part from their bytes, then from the remembered envelopes, in both dialects', () => {
    for (const dialect of DIALECTS) {
      const paths: FramePath[] = [];
      const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
      const frames = partFrames(dialect, 1, 8).map((f) => Buffer.from(f));
      for (const bytes of frames) check(bytes, dialect, decode, paths);
      // the first transcript and audio deltas make the envelopes; the 14 others are copies of them
      expect(paths).toEqual([
        'envelope',
        'envelope',
        ...Array.from({ length: 14 }, (): FramePath => 'template'),
      ]);
      for (const f of frames.filter((_, i) => i % 2 === 1)) {
        const r = decode(f);
        expect(r._tag === 'Right' && decodedAudio(r.right)).toBeInstanceOf(Uint8Array);
      }
    }
  });

  it('gives each event its own fields: a copy of an envelope shares nothing with the first event or the next', () => {
    const decode = frameDecoder('ga');
    const [first, second] = partFrames('ga', 2, 2)
      .filter((_, i) => i % 2 === 1)
      .map((f) => decode(Buffer.from(f)));
    if (first?._tag !== 'Right' || second?._tag !== 'Right') throw new Error('expected events');
    (first.right as Record<string, unknown>)['item_id'] = 'changed by the user';
    const third = decode(Buffer.from(partFrames('ga', 2, 3)[5]!));
    expect(third._tag === 'Right' && (third.right as { item_id: string }).item_id).toBe('item_C2y');
    expect(second.right).not.toBe(first.right);
    expect(Object.keys(second.right)).toEqual(Object.keys(JSON.parse(partFrames('ga', 2, 2)[3]!)));
  });

  it('never shares a nested value between two events: a delta with one is decoded in full each time', () => {
    const decode = frameDecoder('preview');
    const frame = (id: string) =>
      Buffer.from(
        `{"type":"response.audio.delta","event_id":"${id}","response_id":"r","item_id":"i","output_index":0,` +
          `"content_index":0,"delta":"QUFB","extra":{"a":[1]}}`,
      );
    const [a, b] = [decode(frame('e1')), decode(frame('e2'))];
    if (a._tag !== 'Right' || b._tag !== 'Right') throw new Error('expected events');
    const extra = (e: unknown) => (e as { extra: { a: number[] } }).extra;
    expect(extra(b.right)).toEqual({ a: [1] });
    expect(extra(b.right)).not.toBe(extra(a.right));
    expect(extra(b.right).a).not.toBe(extra(a.right).a);
  });

  it('keeps the decoded audio out of the event’s fields: JSON, keys and toEqual see what JSON.parse made', () => {
    const frame = partFrames('preview', 3, 1)[1]!;
    const result = frameDecoder('preview')(Buffer.from(frame));
    if (result._tag !== 'Right') throw new Error(result.left.message);
    expect(result.right).toEqual(JSON.parse(frame));
    expect(Object.keys(result.right)).toEqual(Object.keys(JSON.parse(frame)));
    expect(JSON.stringify(result.right)).toBe(frame);
    expect(decodedAudio(result.right)?.byteLength).toBe(480);
  });

  it('gives every delta its own audio: the views into the shared slab never overlap', () => {
    const decode = frameDecoder('preview');
    const frames = [
      ...Array.from({ length: 40 }, (_, n) => partFrames('preview', n, 3, 4800 + n)).flat(),
      // a delta too large for a slab (1 s of audio) gets a buffer of its own
      ...partFrames('preview', 41, 2, 48_000),
    ];
    const kept = frames.map((f) => {
      const result = decode(Buffer.from(f));
      if (result._tag !== 'Right') throw new Error(result.left.message);
      return [f, decodedAudio(result.right)] as const;
    });
    for (const [frame, audio] of kept) {
      if (frame.includes('audio.delta"')) {
        expect(Buffer.from(audio!).equals(Buffer.from(JSON.parse(frame).delta, 'base64'))).toBe(true);
        expect(audio!.byteOffset % 8).toBe(0);
      } else expect(audio).toBeUndefined();
    }
  });

  it('takes the full path, with the full path’s answer, for each thing the fast paths do not read', () => {
    const delta = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 255) & 255)).toString('base64');
    expect(delta).toMatch(/^[^/]*\/.*\+/); // 400 characters, with a slash and a plus
    const base = `"response_id":"r","item_id":"i","output_index":0,"content_index":0`;
    const audio = (fields: string) => `{"type":"response.audio.delta","event_id":"e",${fields}}`;
    const cases: [string, string][] = [
      ['an escape that spells URL-safe base64', audio(`${base},"delta":"${delta.slice(0, -4)}\\u002d_8A"`)],
      ['an escape JSON has not', audio(`${base},"delta":"${delta.slice(0, -4)}\\x41AA"`)],
      ['URL-safe base64', audio(`${base},"delta":"${delta.slice(0, -4)}-_8A"`)],
      ['a space in the base64', audio(`${base},"delta":"${delta.slice(0, 8)} ${delta.slice(9)}"`)],
      ['padding in the middle', audio(`${base},"delta":"AA==${delta}"`)],
      ['a length no base64 has', audio(`${base},"delta":"${delta}A"`)],
      ['a delta key in a nested object first', audio(`"x":{"delta":"QUFB"},${base},"delta":"${delta}"`)],
      ['an escaped delta key before a nested one', audio(`${base},"d\\u0065lta":"","x":{"delta":"QUFB"}`)],
      ['an escaped delta key after the delta', audio(`${base},"delta":"${delta}","d\\u0065lta":""`)],
      [
        'an escaped delta key of NUL after the delta',
        audio(`${base},"delta":"${delta}","d\\u0065lta":"\\u0000"`),
      ],
      ['a later delta of NUL', audio(`${base},"delta":"${delta}","delta":"\\u0000"`)],
      [
        'a NUL after the delta, which might be a duplicate’s',
        audio(`${base},"delta":"${delta}","x":"\\u0000"`),
      ],
      ['the delta key spelled with an escape', audio(`${base},"delt\\u0061":"${delta}"`)],
      ['whitespace before the object', ` ${audio(`${base},"delta":"${delta}"`)}`],
      ['a later duplicate delta key', audio(`${base},"delta":"${delta}","delta":"QUFB"`)],
      ['a later duplicate delta key that is empty', audio(`${base},"delta":"${delta}","delta":""`)],
      ['a later duplicate spelled with spaces', audio(`${base},"delta":"${delta}", "delta" : ""`)],
      [
        'a later duplicate after a nested object',
        audio(`${base},"delta":"${delta}","x":{"a":["}"]},"delta":""`),
      ],
      [
        'whitespace between the colon and the quote of a value',
        audio(`${base},"delta":"${delta}"`).replace('"delta":"', '"delta":\f"'),
      ],
      ['an escaped quote before the key', audio(`"a\\"delta":"QUFB",${base},"delta":""`)],
      ['a delta that is not a string', audio(`${base},"delta":123`)],
      ['a missing field', audio(`"response_id":"r","output_index":0,"content_index":0,"delta":"${delta}"`)],
      ['an unterminated value', audio(`${base},"delta":"${delta}`)],
      [
        'a control character in a transcript',
        `{"type":"response.audio_transcript.delta",${base},"delta":"a\tb"}`,
      ],
      ['a text delta on a GA connection', `{"type":"response.text.delta",${base},"delta":"hi"}`],
      ['a delta of an unknown type', `{"type":"response.future.delta",${base},"delta":"${delta}"}`],
      ['a type first that is no delta', `{"type":"response.audio.done",${base},"delta":"${delta}"}`],
      ['an array', `[${audio(`${base},"delta":"${delta}"`)}]`],
    ];
    for (const [why, text] of cases) {
      const dialect = why.includes('GA') ? 'ga' : 'preview';
      const paths: FramePath[] = [];
      const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
      // after a plain delta of the same part, so that a remembered envelope is there to be refused
      decode(Buffer.from(audio(`${base},"delta":"${delta}"`)));
      expect(check(Buffer.from(text), dialect, decode, paths), why).toBe('full');
    }
    // a delta whose type is not written first is still read from its envelope (the service writes it first;
    // only the search for other types' frames is skipped on that ground)
    const paths: FramePath[] = [];
    const notFirst = `{"event_id":"e","type":"response.audio.delta",${base},"delta":"${delta}"}`;
    // and a field after the delta, where a remembered envelope ends with it: the quotes between are not base64
    const decode = tracedFrameDecoder('preview', (p) => paths.push(p));
    decode(Buffer.from(audio(`${base},"delta":"${delta}"`)));
    const after = audio(`${base},"delta":"${delta}","x":"QUFB"`);
    expect(check(Buffer.from(after), 'preview', decode, paths)).toBe('envelope');
    // what follows the delta is the parse's (a later duplicate shows as a delta that is not the NUL cut out):
    // escapes in values and keys, nested keys (and a frame with an escape is not remembered: it takes the
    // envelope path again, not a template)
    const tails: [string, string, FramePath][] = [
      ['an escape after the delta', `"note":"caf\\u00e9"`, 'envelope'],
      ['a key with an escape after the delta', `"n\\u006fte":1`, 'envelope'],
      ['a value that reads as a delta key', `"note":"\\"delta\\":\\"\\""`, 'envelope'],
      ['a nested delta key', `"x":{"delta":"QUFB"}`, 'envelope'],
      ['an escaped nested key', `"x":[{"d\\u0065lta":"","y":"\\\\"}]`, 'envelope'],
      // a plain frame is remembered: its second copy is read from the template
      ['a value that is "delta"', `"name":"delta"`, 'template'],
    ];
    for (const [why, tail, again] of tails) {
      const text = Buffer.from(audio(`${base},"delta":"${delta}",${tail}`));
      expect(check(text, 'preview', decode, paths), why).toBe('envelope');
      expect(check(text, 'preview', decode, paths), why).toBe(again);
    }
    expect(
      check(
        Buffer.from(notFirst),
        'preview',
        tracedFrameDecoder('preview', (p) => paths.push(p)),
        paths,
      ),
    ).toBe('envelope');
  });

  it('stops searching part deltas that keep missing the fast paths, and learns them again when they turn readable', () => {
    for (const dialect of DIALECTS) {
      const paths: FramePath[] = [];
      const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
      // the delta key spelled with an escape: no fast path reads it, so every delta is the full path's
      const unread = (n: number) =>
        partFrames(dialect, n, 20).map((f) => f.replace('"delta":', '"delt\\u0061":'));
      const before = Array.from({ length: 10 }, (_, n) => unread(n)).flat();
      for (const f of before) expect(check(Buffer.from(f), dialect, decode, paths)).toBe('full');
      // the same answers throughout (check compares each with the full path's); now the service's own frames
      const after = Array.from({ length: 10 }, (_, n) => partFrames(dialect, 100 + n, 20)).flat();
      const kindOf = (f: string) =>
        /^\{"type":"response\.(output_)?audio\.delta"/.test(f)
          ? 'audio'
          : /^\{"type":"response\.(output_audio_transcript|audio_transcript|output_text|text)\.delta"/.test(f)
            ? 'text'
            : 'other';
      const seen = after.map((f) => [kindOf(f), check(Buffer.from(f), dialect, decode, paths)] as const);
      // audio and text deltas, each counted apart: read again within one retry's interval (64 deltas of the
      // kind), and from then on
      for (const kind of ['audio', 'text'] as const) {
        const of = seen.filter(([k]) => k === kind).map(([, p]) => p);
        expect(of.length, kind).toBe(200);
        const first = of.findIndex((p) => p !== 'full');
        expect(first, kind).toBeGreaterThan(0);
        expect(first, kind).toBeLessThanOrEqual(64);
        expect(
          of.slice(first).every((p) => p !== 'full'),
          kind,
        ).toBe(true);
      }
    }
  });

  it('keeps trying the part deltas of a connection whose other deltas never take a fast path', () => {
    // function-call arguments and input transcription deltas are never read by the fast paths: however many of
    // them miss, a part's first audio and transcript deltas are read from their envelope at once
    const base = `"response_id":"r","item_id":"f","output_index":0`;
    for (const dialect of DIALECTS) {
      const paths: FramePath[] = [];
      const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
      for (let n = 0; n < 100; n++) {
        const args = `{"type":"response.function_call_arguments.delta","event_id":"e${n}",${base},"call_id":"c","delta":"{\\"a\\":${n}"}`;
        expect(check(Buffer.from(args), dialect, decode, paths)).toBe('full');
      }
      const [audio, transcript] = [
        partFrames(dialect, 1, 1).find((f) => /audio\.delta"/.test(f))!,
        partFrames(dialect, 1, 1).find((f) => /transcript\.delta"/.test(f))!,
      ];
      expect(check(Buffer.from(audio), dialect, decode, paths)).toBe('envelope');
      expect(check(Buffer.from(transcript), dialect, decode, paths)).toBe('envelope');
    }
  });

  it('reads a delta that holds escapes from its own token, then from the remembered envelope', () => {
    // PHP's json_encode writes every `/` as `\/`; a transcript holds `\"`, `\n`, `\u00e9`, a `\\` before its end
    const base = `"response_id":"r","item_id":"i","output_index":0,"content_index":0`;
    for (const dialect of DIALECTS) {
      const paths: FramePath[] = [];
      const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
      const frames = partFrames(dialect, 7).map((f) => f.replaceAll('/', '\\/'));
      expect(frames.filter((f) => f.includes('\\/')).length).toBeGreaterThan(4);
      const transcript = `{"type":"${transcriptType(dialect)}","event_id":"e",${base},"delta":`;
      for (const text of [
        '"say \\"hi\\"\\n"',
        '"caf\\u00e9 \\\\"',
        '"a\\\\\\"b"',
        '"\\ud83d\\ude00 wörd"',
        '"\\u0000"',
      ])
        frames.push(transcript + text + '}', transcript + text + '}');
      const seen = frames.map((f) => check(Buffer.from(f), dialect, decode, paths));
      // each part's first delta (the transcripts of other ids are another part) from its envelope, the next
      // ones from the template
      const want = seen.map((_, i) => (i < 2 || i === 12 ? 'envelope' : 'template'));
      expect(seen).toEqual(want);
      // the value is the unescaped string, the audio its base64 decoded
      const last = decode(Buffer.from(transcript + '"say \\"hi\\"\\n"}'));
      expect(last._tag === 'Right' && (last.right as { delta: string }).delta).toBe('say "hi"\n');
      // a delta of NUL, the value the envelope path parses in the delta's place
      const nul = decode(Buffer.from(transcript + '"\\u0000"}'));
      expect(nul._tag === 'Right' && (nul.right as { delta: string }).delta).toBe('\u0000');
    }
  });

  it('reads the envelope of a frame with JSON whitespace between its tokens, then remembers it', () => {
    // a relay that re-serialises events: json.dumps's separators, a pretty-printer's newlines and indents
    const pcm = Buffer.from(Array.from({ length: 480 }, (_, i) => (i * 11 + 1) & 255));
    const layouts: ((fields: [string, string][]) => string)[] = [
      (f) => `{${f.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`,
      (f) => `{\n  ${f.map(([k, v]) => `"${k}": ${v}`).join(',\n  ')}\n}\n`,
      (f) => `{\t${f.map(([k, v]) => `"${k}"\r\n:\t${v}`).join(' ,\t')} }`,
    ];
    for (const dialect of DIALECTS) {
      for (const layout of layouts) {
        const paths: FramePath[] = [];
        const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
        for (let k = 0; k < 4; k++) {
          const ref: [string, string][] = [
            ['response_id', '"r"'],
            ['item_id', '"i"'],
            ['output_index', '0'],
            ['content_index', '0'],
          ];
          const audio = layout([
            ['type', `"${audioType(dialect)}"`],
            ['event_id', `"ev_a${k}"`],
            ...ref,
            ['delta', `"${pcm.subarray(k).toString('base64')}"`],
          ]);
          const transcript = layout([
            ['type', `"${transcriptType(dialect)}"`],
            ['event_id', `"ev_t${k}"`],
            ...ref,
            ['delta', `" wörd ${k}"`],
            ...(dialect === 'ga' ? [['obfuscation', `"ob${k * 7}"`] as [string, string]] : []),
          ]);
          check(Buffer.from(transcript), dialect, decode, paths);
          check(Buffer.from(audio), dialect, decode, paths);
        }
        expect(paths, layout([['a', '1']])).toEqual([
          'envelope',
          'envelope',
          ...Array.from({ length: 6 }, (): FramePath => 'template'),
        ]);
      }
    }
  });

  it('reads the envelope past nested values before the delta, as strings and brackets nest, on every frame', () => {
    const pcm = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 13 + 7) & 255)).toString('base64');
    const nests = [
      '"trace":{"hop":1,"via":["edge-1","edge-2"]}',
      '"trace":{"note":"a } and a ] and a \\"quote\\" in a string"}',
      '"trace":[[{}],{"a":[]}]',
      '"trace":{"s":"\\\\"}',
    ];
    for (const dialect of DIALECTS) {
      for (const nest of nests) {
        const paths: FramePath[] = [];
        const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
        for (let k = 0; k < 3; k++) {
          const frame = `{"type":"${audioType(dialect)}","event_id":"e${k}",${nest},"response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"${pcm}"}`;
          expect(JSON.parse(frame)).toBeTruthy();
          check(Buffer.from(frame), dialect, decode, paths);
        }
        // copies of a remembered envelope would share the nested value: each frame is read from its own
        expect(paths, nest).toEqual(['envelope', 'envelope', 'envelope']);
      }
    }
  });

  it('decodes UTF-8 in a transcript as the text path does, invalid bytes included (U+FFFD)', () => {
    const paths: FramePath[] = [];
    const decode = tracedFrameDecoder('preview', (p) => paths.push(p));
    const head = '{"type":"response.audio_transcript.delta","event_id":"e","response_id":"r","item_id":"i",';
    const frames = [
      Buffer.from(`${head}"output_index":0,"content_index":0,"delta":"Grüße, 世界 🎧"}`),
      Buffer.concat([
        Buffer.from(`${head}"output_index":0,"content_index":0,"delta":"a`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
      Buffer.concat([
        Buffer.from(`${head}"output_index":0,"content_index":0,"x":"`),
        Buffer.from([0xff]),
        Buffer.from('","delta":"b"}'),
      ]),
    ];
    for (const bytes of frames) check(bytes, 'preview', decode, paths);
    expect(paths).toEqual(['envelope', 'template', 'envelope']);
  });

  it('never copies an envelope onto a frame whose other fields changed', () => {
    const decode = frameDecoder('preview');
    const frame = (fields: Record<string, unknown>) =>
      Buffer.from(
        JSON.stringify({
          type: 'response.audio.delta',
          event_id: 'event_1',
          response_id: 'resp_1',
          item_id: 'item_1',
          output_index: 0,
          content_index: 0,
          delta: 'QUFBQUFB',
          ...fields,
        }),
      );
    const changes: Record<string, unknown>[] = [
      {},
      { response_id: 'resp_2' },
      { item_id: 'item_9' },
      { output_index: 1 },
      { content_index: 3 },
      { event_id: 'event_ü' },
      { event_id: null },
      { extra: true },
      { delta: '' },
      { type: 'response.output_audio.delta' },
      { content_index: 0.5 },
    ];
    for (const fields of changes) check(frame(fields), 'preview', decode, ['full']);
    for (const fields of changes) check(frame(fields), undefined, frameDecoder(), ['full']);
  });

  it('decodes a fully decoded audio delta’s audio at the edge too; base64 that is not standard is left to audioDeltas', async () => {
    const pcm = Buffer.from(Array.from({ length: 960 }, (_, i) => (i * 29 + 3) & 255));
    // a nested object with a delta key of its own before the delta: no fast path reads it
    const nested = (delta: string) =>
      `{"type":"response.audio.delta","event_id":"e","trace":{"delta":""},"response_id":"r","item_id":"i",` +
      `"output_index":0,"content_index":0,"delta":"${delta}"}`;
    const paths: FramePath[] = [];
    const decode = tracedFrameDecoder('preview', (p) => paths.push(p));
    const good = Buffer.from(nested(pcm.toString('base64')));
    expect(check(good, 'preview', decode, paths)).toBe('full');
    const event = decode(good);
    expect(event._tag).toBe('Right');
    if (event._tag !== 'Right') return;
    expect(Buffer.from(decodedAudio(event.right)!).equals(pcm)).toBe(true);
    // URL-safe, a space, a stray padding: no audio attached, so audioDeltas decodes and reports each one
    const bad = [
      pcm.toString('base64url'),
      `${pcm.toString('base64').slice(0, 8)} ${pcm.toString('base64').slice(9)}`,
      `AA==${pcm.toString('base64')}`,
    ];
    const events = bad.map((b) => {
      const r = decode(Buffer.from(nested(b)));
      if (r._tag !== 'Right') throw new Error('expected an event');
      expect(decodedAudio(r.right), b.slice(0, 12)).toBeUndefined();
      return r.right as ServerMessage;
    });
    const chunks = await lastValueFrom(from(events).pipe(audioDeltas(), toArray()));
    expect(chunks.map((c) => isAudioDecodeFailure(c))).toEqual([true, true, true]);
  });

  it('keeps an own "__proto__" key of an audio delta, as JSON.parse does, on every path', () => {
    const b64 = Buffer.alloc(48, 5).toString('base64');
    for (const frame of [
      `{"type":"response.audio.delta","__proto__":1,"event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"${b64}"}`,
      `{"type": "response.audio.delta", "__proto__": 1, "response_id": "r", "item_id": "i", "output_index": 0, "content_index": 0, "delta": "${b64}"}`,
    ]) {
      const decode = frameDecoder('preview');
      for (let i = 0; i < 2; i++) {
        const r = decode(Buffer.from(frame));
        expect(r._tag).toBe('Right');
        if (r._tag !== 'Right') return;
        expect(Object.keys(r.right)).toContain('__proto__');
        expect(JSON.stringify(r.right)).toBe(JSON.stringify(JSON.parse(frame)));
      }
    }
  });

  it('answers as decodeServerEvent does on 20 000 byte-level mutations of real deltas, on every path', () => {
    const random = rng(20261124);
    const INTERESTING = [
      0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x2c, 0x3a, 0x20, 0x2d, 0x5f, 0x3d, 0x2f, 0x2b, 0x00, 0x1f, 0x7f, 0x80,
      0xc3, 0xff, 0x41, 0x75, 0x30, 0x09, 0x0a, 0x0d, 0x0c,
    ];
    const counts: Record<FramePath, number> = { template: 0, envelope: 0, full: 0 };
    for (const dialect of DIALECTS) {
      const paths: FramePath[] = [];
      const decode = tracedFrameDecoder(dialect, (p) => paths.push(p));
      const frames = [0, 1, 2].flatMap((n) => partFrames(dialect, n, 3, 60 + n));
      // and each frame as a relay re-serialises it, with json.dumps's separators
      frames.push(...frames.map((f) => shaped(f, 'spaced')));
      for (let i = 0; i < 10_000; i++) {
        const source = Buffer.from(frames[i % frames.length]!);
        let bytes = source;
        if (random() < 0.7) {
          // near the structure more often than not: the keys, the ids, the ends of the delta
          const marks = ['"event_id"', '"delta"', '"obfuscation"', '"content_index"', '"}'].map((m) =>
            source.indexOf(m),
          );
          const mark = marks[Math.floor(random() * marks.length)]!;
          const at = Math.max(
            0,
            Math.min(source.length - 1, (mark < 0 ? 0 : mark) + Math.floor(random() * 24) - 4),
          );
          const byte = INTERESTING[Math.floor(random() * INTERESTING.length)]!;
          const r = random();
          bytes =
            r < 0.4
              ? Buffer.concat([source.subarray(0, at), Buffer.from([byte]), source.subarray(at + 1)])
              : r < 0.7
                ? Buffer.concat([source.subarray(0, at), Buffer.from([byte]), source.subarray(at)])
                : r < 0.9
                  ? Buffer.concat([source.subarray(0, at), source.subarray(at + 1)])
                  : source.subarray(0, at);
        }
        counts[check(bytes, dialect, decode, paths)]++;
      }
    }
    // every path was taken often, so each comparison above could have failed
    expect(counts.template).toBeGreaterThan(1800);
    expect(counts.envelope).toBeGreaterThan(4000);
    expect(counts.full).toBeGreaterThan(8000);
  });

  it('takes a string, a Uint8Array that is not a Buffer, and reports a non-frame as the full path does', () => {
    const frame = partFrames('ga', 4, 1)[1]!;
    const bytes = new Uint8Array(Buffer.from(frame));
    expect(answer(decodeServerFrame(bytes, 'ga'))).toBe(reference(Buffer.from(frame), 'ga'));
    expect(answer(decodeServerFrame(frame, 'ga'))).toBe(reference(Buffer.from(frame), 'ga'));
    expect(outcome(decodeServerFrame(42 as unknown as string, 'ga'))).toBe(
      outcome(decodeServerEvent(42 as unknown as string, 'ga')),
    );
    expect(outcome(decodeServerFrame(Buffer.from(frame), 'beta' as Dialect))).toMatch(
      /unknown dialect "beta"/,
    );
  });
});

describe('audioDeltas on decoded frames', () => {
  it('hands over the audio decoded at the edge, and decodes the deltas of events made otherwise', async () => {
    const frames = partFrames('preview', 5, 2);
    const decode = frameDecoder('preview');
    const atTheEdge: (Uint8Array | undefined)[] = [];
    const decoded = (f: string) => {
      const r = decode(Buffer.from(f));
      if (r._tag !== 'Right') throw new Error(r.left.message);
      atTheEdge.push(decodedAudio(r.right));
      return r.right;
    };
    const parsed = frames.map((f) => JSON.parse(f) as ServerMessage);
    const [fromBytes, fromText] = await Promise.all([
      // one frame at a time down a synchronous pipeline, as connect() hands them over
      lastValueFrom(from(frames).pipe(map(decoded), audioDeltas(), toArray())),
      lastValueFrom(from(parsed).pipe(audioDeltas(), toArray())),
    ]);
    expect(fromBytes[0]).toBe(atTheEdge[1]);
    expect(fromBytes[1]).toBe(atTheEdge[3]);
    expect(fromBytes.map((b) => Buffer.from(b).toString('hex'))).toEqual(
      fromText.map((b) => Buffer.from(b).toString('hex')),
    );
    expect(fromText[0]).not.toBe(fromBytes[0]);
  });

  it('decodes the deltas itself when events were held back: the edge keeps only the audio decoded last', async () => {
    const frames = partFrames('ga', 7, 3);
    const decode = frameDecoder('ga');
    const events = frames.map((f) => {
      const r = decode(Buffer.from(f));
      if (r._tag !== 'Right') throw new Error(r.left.message);
      return r.right;
    });
    expect(decodedAudio(events[1])).toBeUndefined();
    expect(decodedAudio(events[5])).toBeInstanceOf(Uint8Array);
    const bytes = await lastValueFrom(from(events).pipe(audioDeltas(), toArray()));
    expect(bytes.map((b) => Buffer.from(b).toString('base64'))).toEqual(
      frames.filter((f) => f.includes('audio.delta"')).map((f) => JSON.parse(f).delta),
    );
  });

  it('gives two audioDeltas on one shared stream equal but separate chunks', async () => {
    const frames = partFrames('preview', 9, 2);
    const decode = frameDecoder('preview');
    const events$ = new Subject<ServerMessage>();
    const both = Promise.all([
      lastValueFrom(events$.pipe(audioDeltas(), toArray())),
      lastValueFrom(events$.pipe(audioDeltas(), toArray())),
    ]);
    for (const f of frames) {
      const r = decode(Buffer.from(f));
      if (r._tag !== 'Right') throw new Error(r.left.message);
      events$.next(r.right); // one event, two consumers, as share() hands it over
    }
    events$.complete();
    const [a, b] = await both;
    expect(a.length).toBe(2);
    expect(a.map((x) => Buffer.from(x).toString('hex'))).toEqual(
      b.map((x) => Buffer.from(x).toString('hex')),
    );
    a[0]![0] = a[0]![0]! ^ 0xff; // one consumer changes its chunk in place
    expect(b[0]![0]).not.toBe(a[0]![0]);
  });

  it('does not hand over the audio of an event whose delta was changed in place', () => {
    const decode = frameDecoder('ga');
    const r = decode(Buffer.from(partFrames('ga', 8, 1)[1]!));
    if (r._tag !== 'Right') throw new Error(r.left.message);
    expect(decodedAudio(r.right)).toBeInstanceOf(Uint8Array);
    (r.right as { delta: string }).delta = 'AAEC';
    expect(decodedAudio(r.right)).toBeUndefined();
  });

  it('decodes the delta of a copy: an event changed with a spread does not hand over the original audio', async () => {
    const [, frame] = partFrames('ga', 6, 1);
    const r = frameDecoder('ga')(Buffer.from(frame!));
    if (r._tag !== 'Right') throw new Error(r.left.message);
    const copy = { ...r.right, delta: 'AAEC' } as ServerMessage;
    expect(decodedAudio(copy)).toBeUndefined();
    const [bytes] = await lastValueFrom(from([copy]).pipe(audioDeltas(), toArray()));
    expect([...bytes!]).toEqual([0, 1, 2]);
  });

  it('hands the audio over once: a second take, and a later look, find none', () => {
    const r = frameDecoder('preview')(Buffer.from(partFrames('preview', 10, 1)[1]!));
    if (r._tag !== 'Right') throw new Error(r.left.message);
    const audio = takeDecodedAudio(r.right);
    expect(audio).toBeInstanceOf(Uint8Array);
    expect(takeDecodedAudio(r.right)).toBeUndefined();
    expect(decodedAudio(r.right)).toBeUndefined();
  });

  it('keeps each connection’s audio apart: a delta decoded on another connection leaves this one’s in place', () => {
    const [a, b] = [frameDecoder('ga'), frameDecoder('ga')];
    const first = a(Buffer.from(partFrames('ga', 11, 1)[1]!));
    const other = b(Buffer.from(partFrames('ga', 12, 1)[1]!));
    const oneShot = decodeServerFrame(Buffer.from(partFrames('ga', 13, 1)[1]!), 'ga');
    if (first._tag !== 'Right' || other._tag !== 'Right' || oneShot._tag !== 'Right')
      throw new Error('expected events');
    const expected = (n: number) => Buffer.from(JSON.parse(partFrames('ga', n, 1)[1]!).delta, 'base64');
    expect(Buffer.from(decodedAudio(first.right)!).equals(expected(11))).toBe(true);
    expect(Buffer.from(decodedAudio(other.right)!).equals(expected(12))).toBe(true);
    // a one-shot decode has no connection: its event keeps its own audio until taken
    a(Buffer.from(partFrames('ga', 14, 1)[1]!));
    expect(decodedAudio(first.right)).toBeUndefined();
    expect(Buffer.from(decodedAudio(oneShot.right)!).equals(expected(13))).toBe(true);
  });

  it('answers undefined, without throwing, for values that only look like a decoded delta', () => {
    const r = frameDecoder('preview')(Buffer.from(partFrames('preview', 15, 1)[1]!));
    if (r._tag !== 'Right') throw new Error(r.left.message);
    const lookalike = Object.create(Object.getPrototypeOf(r.right) as object) as object;
    Object.assign(lookalike, r.right);
    for (const value of [lookalike, structuredClone(r.right), null, undefined, 'delta', 3])
      expect(takeDecodedAudio(value)).toBeUndefined();
    expect(decodedAudio(r.right)).toBeInstanceOf(Uint8Array);
  });
});
