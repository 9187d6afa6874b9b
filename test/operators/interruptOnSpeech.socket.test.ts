// interruptOnSpeech on real sockets: the emulator on 127.0.0.1, its server VAD on spoken audio, the operator's
// output fed back into the connection as a user (or session()) wires it.
import {
  BehaviorSubject,
  Subject,
  filter,
  firstValueFrom,
  share,
  timeout,
  type Observable,
  type Subscription,
} from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client';
import { interruptOnSpeech } from '../../src/operators';
import { isEvent, type ClientEvent, type Dialect, type ServerMessage } from '../../src/protocol';
import { startEmulator, type Emulator } from '../../src/testing/emulator';
import { appends, hello, turnDetection, userText } from '../emulator/harness';
import { DIALECTS } from './helpers';

const REPLY_AUDIO = new Uint8Array(48000 * 10); // the reply's audio: 10 s of PCM16 24 kHz

interface Loop {
  readonly events: ServerMessage[];
  /** What interruptOnSpeech sent. */
  readonly sent: ClientEvent[];
  readonly playback: BehaviorSubject<number>;
  readonly events$: Observable<ServerMessage>;
  send(...events: ClientEvent[]): void;
  /** The next event of this type from now on. */
  next(type: string): Promise<ServerMessage>;
}

const opened: { emulator: Emulator; subscription: Subscription }[] = [];
afterEach(async () => {
  for (const { emulator, subscription } of opened.splice(0)) {
    subscription.unsubscribe();
    await emulator.close();
  }
});

async function loop(dialect: Dialect, pace: 'fast' | 'realtime', clock = true): Promise<Loop> {
  const emulator = await startEmulator({
    pace,
    speech: 'builtin',
    reply: [{ text: 'Hello.', audio: REPLY_AUDIO }],
  });
  const client = new Subject<ClientEvent>();
  const server$ = connect({
    endpoint: emulator.endpoint,
    deployment: 'test-deployment',
    dialect,
    apiKey: emulator.apiKey,
    pingIntervalMs: 0,
  })(client).pipe(share());
  const events: ServerMessage[] = [];
  const sent: ClientEvent[] = [];
  const playback = new BehaviorSubject(0);
  const subscription = server$.subscribe((e) => events.push(e));
  subscription.add(
    server$.pipe(interruptOnSpeech(clock ? { playbackMs: playback } : {})).subscribe((e) => {
      sent.push(e);
      client.next(e);
    }),
  );
  opened.push({ emulator, subscription });
  const next = (type: string) =>
    firstValueFrom(
      server$.pipe(
        filter((e) => e.type === type),
        timeout(10_000),
      ),
    );
  await next('session.created');
  return { events, events$: server$, sent, playback, send: (...e) => e.forEach((x) => client.next(x)), next };
}

const errors = (events: readonly ServerMessage[]) => events.filter((e) => e.type === 'error');
const assistantItem = (events: readonly ServerMessage[]) =>
  (events.find((e) => isEvent(e, 'audioDelta')) as { item_id: string }).item_id;

describe.each(DIALECTS)('interruptOnSpeech against the emulator (%s)', (dialect) => {
  it('truncates a finished response at the heard position when the user speaks while its audio plays', async () => {
    const s = await loop(dialect, 'fast');
    const done = s.next('response.done');
    s.send(userText('hi'), { type: 'response.create' });
    await done;
    s.playback.next(300); // the player has played 300 ms of the 10 s received
    const truncated = s.next('conversation.item.truncated');
    s.send(...appends(hello()));
    expect(await truncated).toMatchObject({ item_id: assistantItem(s.events), audio_end_ms: 300 });
    expect(s.sent).toEqual([
      {
        type: 'conversation.item.truncate',
        item_id: assistantItem(s.events),
        content_index: 0,
        audio_end_ms: 300,
      },
    ]);
    expect(errors(s.events)).toEqual([]);
  });

  it('without a playback clock, cuts at the wall-clock estimate, which the service accepts', async () => {
    const s = await loop(dialect, 'fast', false);
    const done = s.next('response.done');
    s.send(userText('hi'), { type: 'response.create' });
    await done;
    const cut = firstValueFrom(
      s.events$.pipe(
        filter((e) => e.type === 'conversation.item.truncated' || e.type === 'conversation.item.deleted'),
        timeout(10_000),
      ),
    );
    s.send(...appends(hello()));
    const event = (await cut) as { item_id: string; audio_end_ms?: number };
    expect(event.item_id).toBe(assistantItem(s.events));
    // the estimate is the time since the first delta: short of the 10 s received, never past it
    if (event.audio_end_ms !== undefined) expect(event.audio_end_ms).toBeLessThan(10000);
    expect(s.sent).toHaveLength(1);
    expect(errors(s.events)).toEqual([]);
  });

  it('deletes the item when none of its audio was heard', async () => {
    const s = await loop(dialect, 'fast');
    const done = s.next('response.done');
    s.send(userText('hi'), { type: 'response.create' });
    await done;
    s.playback.next(0);
    const deleted = s.next('conversation.item.deleted');
    s.send(...appends(hello()));
    expect(await deleted).toMatchObject({ item_id: assistantItem(s.events) });
    expect(errors(s.events)).toEqual([]);
  });

  it('lets the default server VAD cancel a response in flight: a truncate, no response.cancel, no error', async () => {
    const s = await loop(dialect, 'realtime');
    const firstAudio = s.next(dialect === 'preview' ? 'response.audio.delta' : 'response.output_audio.delta');
    s.send(userText('hi'), { type: 'response.create' });
    await firstAudio;
    s.playback.next(40);
    const done = s.next('response.done');
    const truncated = s.next('conversation.item.truncated');
    s.send(...appends(hello()));
    expect(await done).toMatchObject({
      response: { status: 'cancelled', status_details: { reason: 'turn_detected' } },
    });
    expect(await truncated).toMatchObject({ audio_end_ms: 40 });
    expect(s.sent.map((e) => e.type)).toEqual(['conversation.item.truncate']);
    expect(errors(s.events)).toEqual([]);
  });

  it('cancels the response itself when the session has interrupt_response false', async () => {
    const s = await loop(dialect, 'realtime');
    const updated = s.next('session.updated');
    s.send(turnDetection(dialect, { type: 'server_vad', interrupt_response: false }));
    await updated;
    const firstAudio = s.next(dialect === 'preview' ? 'response.audio.delta' : 'response.output_audio.delta');
    s.send(userText('hi'), { type: 'response.create' });
    await firstAudio;
    s.playback.next(40);
    const done = s.next('response.done');
    const truncated = s.next('conversation.item.truncated');
    s.send(...appends(hello()));
    expect(await done).toMatchObject({
      response: { status: 'cancelled', status_details: { reason: 'client_cancelled' } },
    });
    expect(await truncated).toMatchObject({ audio_end_ms: 40 });
    expect(s.sent.map((e) => e.type)).toEqual(['response.cancel', 'conversation.item.truncate']);
    expect(errors(s.events)).toEqual([]);
  });
});
