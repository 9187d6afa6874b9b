// inputTranscripts() on a transcription-only session (`intent: 'transcription'`), end to end on real sockets: a
// WAV's turns become one final transcript each, the deltas before it add up to it, in both dialects.
import { Subject, lastValueFrom, takeWhile, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client';
import { inputTranscripts, type InputTranscript } from '../../src/operators';
import type { ClientEvent } from '../../src/protocol';
import { startEmulator, type Emulator } from '../../src/testing/emulator';
import { appends, hello, silence } from './harness';

const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

describe.each(['preview', 'ga'] as const)('inputTranscripts() on a transcription session (%s)', (dialect) => {
  it('gives each VAD turn its deltas and one final transcript', async () => {
    const said = ['Hello, what is the weather like in Paris today?', 'And tomorrow?'];
    let turn = 0;
    const emulator = await startEmulator({
      pace: 'fast',
      speech: 'builtin',
      transcriber: () => said[turn++]!,
    });
    emulators.push(emulator);
    const client = new Subject<ClientEvent>();
    const finals: InputTranscript[] = [];
    const transcripts = lastValueFrom(
      connect({
        endpoint: emulator.endpoint,
        deployment: 'gpt-4o-transcribe',
        dialect,
        intent: 'transcription',
        apiKey: emulator.apiKey,
        pingIntervalMs: 0,
      })(client).pipe(
        inputTranscripts(),
        takeWhile((t) => {
          if (t.final) finals.push(t);
          return finals.length < 2;
        }, true),
        toArray(),
      ),
    );
    // two turns: the fixture's question, then silence, then the question again
    for (const e of [...appends(hello()), ...appends(silence(500)), ...appends(hello())]) client.next(e);
    const all = await transcripts;
    expect(finals.map((t) => t.text)).toEqual(said);
    for (const final of finals) {
      const deltas = all.filter((t) => !t.final && t.itemId === final.itemId).map((t) => t.delta ?? '');
      expect(deltas.join('')).toBe(final.text);
      expect(final.error).toBeUndefined();
    }
    expect(new Set(finals.map((t) => t.itemId)).size).toBe(2);
  });
});
