// collectAudio, inputTranscripts, functionCallArguments and turnMetrics on real sockets: the emulator on
// 127.0.0.1, both dialects, the operators on the stream connect() gives.
import {
  Subject,
  filter,
  merge,
  firstValueFrom,
  share,
  timeout,
  type Observable,
  type Subscription,
} from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client';
import {
  collectAudio,
  functionCallArguments,
  inputTranscripts,
  turnMetrics,
  type CollectedAudio,
  type FunctionCallArgumentsDelta,
  type InputTranscript,
  type TurnMetrics,
} from '../../src/operators';
import type { ClientEvent, Dialect, ServerMessage } from '../../src/protocol';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/testing/emulator';
import { appends, hello, userText } from '../emulator/harness';
import { DIALECTS } from './helpers';

const opened: { emulator: Emulator; subscription: Subscription }[] = [];
afterEach(async () => {
  for (const { emulator, subscription } of opened.splice(0)) {
    subscription.unsubscribe();
    await emulator.close();
  }
});

/** A live session: its server stream (shared), a way to send, and what one operator gave so far. */
async function session<T>(
  dialect: Dialect,
  options: EmulatorOptions,
  operator: (server$: Observable<ServerMessage>) => Observable<T>,
) {
  const emulator = await startEmulator({ pace: 'fast', speech: 'builtin', ...options });
  const client = new Subject<ClientEvent>();
  const server$ = connect({
    endpoint: emulator.endpoint,
    deployment: 'test-deployment',
    dialect,
    apiKey: emulator.apiKey,
    pingIntervalMs: 0,
  })(client).pipe(share());
  const events: ServerMessage[] = [];
  const values: T[] = [];
  const subscription = server$.subscribe((e) => events.push(e));
  subscription.add(operator(server$).subscribe((v) => values.push(v)));
  opened.push({ emulator, subscription });
  const next = (type: string) =>
    firstValueFrom(
      server$.pipe(
        filter((e) => e.type === type),
        timeout(10_000),
      ),
    );
  await next('session.created');
  return { events, values, next, send: (...e: ClientEvent[]) => e.forEach((x) => client.next(x)) };
}

const transcriptionOn = (dialect: Dialect): ClientEvent =>
  ({
    type: 'session.update',
    session:
      dialect === 'preview'
        ? { input_audio_transcription: { model: 'whisper-1' } }
        : { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-transcribe' } } } },
  }) as ClientEvent;

describe.each(DIALECTS)('the operators against the emulator (%s)', (dialect) => {
  it("inputTranscripts gives the user's turn, final, equal to the service's transcript", async () => {
    const s = await session<InputTranscript>(dialect, {}, (e) => e.pipe(inputTranscripts()));
    const updated = s.next('session.updated');
    s.send(transcriptionOn(dialect));
    await updated;
    const completed = s.next('conversation.item.input_audio_transcription.completed');
    s.send(...appends(hello()));
    const done = (await completed) as { item_id: string; transcript: string };
    const finals = s.values.filter((v) => v.final);
    expect(finals).toEqual([
      expect.objectContaining({ itemId: done.item_id, contentIndex: 0, text: done.transcript, final: true }),
    ]);
    expect(done.transcript).toMatch(/^\[emulator: \d\.\d s of speech, not transcribed\]$/);
    // the deltas before it build up to the same text
    const deltas = s.values.filter((v) => !v.final);
    if (deltas.length > 0) expect(deltas.at(-1)!.text).toBe(done.transcript);
  });

  it('functionCallArguments streams the arguments with the name, joining to the finished arguments', async () => {
    const s = await session<FunctionCallArgumentsDelta>(
      dialect,
      { reply: [{ functionCall: { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } } }] },
      (e) => e.pipe(functionCallArguments()),
    );
    const argsDone = s.next('response.function_call_arguments.done');
    s.send(userText('weather?'), { type: 'response.create' });
    const finished = (await argsDone) as { call_id: string; item_id: string; arguments: string };
    expect(s.values.length).toBeGreaterThan(0);
    expect(s.values.map((v) => v.delta).join('')).toBe(finished.arguments);
    for (const v of s.values)
      expect(v).toMatchObject({ callId: finished.call_id, itemId: finished.item_id, name: 'get_weather' });
  });

  it('turnMetrics measures a spoken turn: latencies from the end of speech, the audio, the usage', async () => {
    const s = await session<TurnMetrics>(
      dialect,
      { reply: [{ text: 'Hello.', audio: new Uint8Array(48000 * 2) }] },
      (e) => e.pipe(turnMetrics()),
    );
    const done = s.next('response.done');
    s.send(...appends(hello()));
    const response = (await done) as { response: { id: string; usage: unknown } };
    expect(s.values).toHaveLength(1);
    const m = s.values[0]!;
    expect(m).toMatchObject({
      responseId: response.response.id,
      status: 'completed',
      audioMs: 2000,
      interrupted: false,
      usage: response.response.usage,
    });
    expect(m.speechEndToFirstAudioMs).toBeGreaterThanOrEqual(0);
    expect(m.speechEndToFirstTextMs).toBeGreaterThanOrEqual(0);
    expect(m.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('collectAudio and turnMetrics say cancelled / interrupted for a response the user barged in on', async () => {
    const both = (e: Observable<ServerMessage>) =>
      merge<(CollectedAudio | TurnMetrics)[]>(e.pipe(collectAudio()), e.pipe(turnMetrics()));
    const s = await session<CollectedAudio | TurnMetrics>(
      dialect,
      { pace: 'realtime', reply: [{ text: 'Hello.', audio: new Uint8Array(48000 * 4) }] },
      both,
    );
    const firstAudio = s.next(dialect === 'preview' ? 'response.audio.delta' : 'response.output_audio.delta');
    s.send(userText('hi'), { type: 'response.create' });
    await firstAudio;
    const done = s.next('response.done');
    s.send(...appends(hello()));
    await done;
    const part = s.values.find((v): v is CollectedAudio => 'audio' in v)!;
    const metrics = s.values.find((v): v is TurnMetrics => 'interrupted' in v)!;
    expect(part).toMatchObject({ status: 'cancelled', reason: 'turn_detected' });
    expect(part.audio.byteLength).toBeLessThan(48000 * 4);
    expect(metrics).toMatchObject({ status: 'cancelled', interrupted: true });
    expect(metrics.audioMs).toBe(Math.floor(part.audio.byteLength / 48));
  });
});
