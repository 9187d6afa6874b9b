/**
 * The page: talk to a Realtime session from the browser with rx-realtime.
 *
 * ```text
 * mic ─► capture worklet (24 kHz PCM16, 100 ms) ─► audioAppends ─┐
 *                                                                 ├─► connect() ─► server events ─┬─► transcript
 * interruptOnSpeech({ playbackMs }) ◄── heard position ◄──┐       │                               │
 *        └─► conversation.item.truncate / response.cancel ┼───────┘                               │
 *                                   playback worklet ◄────┴── splitContentParts ─► audioDeltas ◄──┘
 * ```
 *
 * The key is an ephemeral `ek_…` key the page's own server minted with `createClientSecret()` (see serve.ts): the
 * page's WebSocket sends it as the `openai-insecure-api-key.<key>` subprotocol, since a page cannot set headers.
 * The server's real key never reaches the page.
 */
import { Subject, merge, mergeMap, map, of, share, type Subscription } from 'rxjs';
import {
  audioAppends,
  audioDeltas,
  connect,
  interruptOnSpeech,
  isDecodeFailure,
  isEvent,
  splitContentParts,
  type ClientEvent,
  type ServerMessage,
} from 'rx-realtime';

/** What the page's server hands out at `POST /session`. */
interface SessionInfo {
  readonly endpoint: string;
  readonly deployment: string;
  readonly key: string;
  readonly expiresAt: number;
  /** The input-transcription model (on Azure a deployment name); none: no transcript of the user's turns. */
  readonly transcription?: string;
}

/** Kept at most, in the page's event log. */
const MAX_LOG = 200;

/**
 * What the page did, for people (the meters) and for the Chromium test (`window.rxDemo`). Everything is a counter
 * or a bounded list.
 */
export interface DemoState {
  status: 'idle' | 'starting' | 'listening' | 'closed' | 'failed';
  /** The server event types received, the latest {@link MAX_LOG}. */
  readonly events: string[];
  /** Milliseconds of microphone audio sent as `input_audio_buffer.append`. */
  appendedMs: number;
  /** Bytes of assistant audio received (PCM16 24 kHz). */
  receivedAudioBytes: number;
  /** Milliseconds of assistant audio the playback worklet has played, in all. */
  playedMs: number;
  /** The last heard position fed to `interruptOnSpeech`, of the item being received. */
  heardMs: number;
  /** The truncates the page sent (barge-in), with the heard position when it sent each. */
  readonly truncates: { itemId: string; audioEndMs: number; heardMs: number; receivedMs: number }[];
  /** The server's `conversation.item.truncated` answers. */
  readonly truncated: { itemId: string; audioEndMs: number }[];
  /** The cancels the page sent. */
  cancels: number;
  /** Transcript lines as shown. */
  readonly transcript: { role: 'user' | 'assistant'; text: string; id: string }[];
  /** Stream failures and page exceptions (the status is then `failed`). */
  readonly errors: string[];
  /** The server's `error` events (`code: message`): values on the stream, the session goes on. */
  readonly serverErrors: string[];
}

const state: DemoState = {
  status: 'idle',
  events: [],
  appendedMs: 0,
  receivedAudioBytes: 0,
  playedMs: 0,
  heardMs: 0,
  truncates: [],
  truncated: [],
  cancels: 0,
  transcript: [],
  errors: [],
  serverErrors: [],
};
(globalThis as unknown as { rxDemo: DemoState }).rxDemo = state;

/** Appends to a list kept to its last {@link MAX_LOG} entries. */
function keep<T>(list: T[], value: T) {
  list.push(value);
  if (list.length > MAX_LOG) list.shift();
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function render() {
  $('status').textContent = state.status;
  $('sent').textContent = (state.appendedMs / 1000).toFixed(1);
  $('received').textContent = (state.receivedAudioBytes / 48000).toFixed(1);
  $('played').textContent = (state.playedMs / 1000).toFixed(1);
  $('interrupts').textContent = String(state.truncates.length);
  $('errors').textContent = [...state.errors, ...state.serverErrors].join('\n');
}

/** One transcript line per user item and per assistant item, updated in place. */
function line(role: 'user' | 'assistant', id: string, text: string, append = false) {
  let entry = state.transcript.find((l) => l.id === id);
  if (!entry) {
    entry = { role, text: '', id };
    keep(state.transcript, entry);
    const list = $('transcript');
    if (list.children.length >= MAX_LOG) list.firstElementChild?.remove();
    const li = document.createElement('li');
    li.className = role;
    li.dataset['id'] = id;
    $('transcript').append(li);
  }
  entry.text = append ? entry.text + text : text;
  const li = $('transcript').querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(id)}"]`)!;
  li.textContent = `${role === 'user' ? 'You' : 'Assistant'}: ${entry.text}`;
}

function fail(message: string) {
  state.status = 'failed';
  keep(state.errors, message);
  console.error(message);
  render();
}

let running: { subscription: Subscription; stop(): Promise<void> } | undefined;
let resources: { media: MediaStream; context: AudioContext } | undefined;

async function start() {
  if (running || state.status === 'starting') return;
  state.status = 'starting';
  render();
  const answer = await fetch('/session', { method: 'POST' });
  if (!answer.ok) throw new Error(`/session answered ${answer.status}`);
  const info = (await answer.json()) as SessionInfo;

  // echo cancellation matters: without it the assistant's voice comes back through the mic and interrupts itself
  const media = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const context = new AudioContext(); // the device's rate; the worklets resample to and from 24 kHz
  resources = { media, context };
  await context.audioWorklet.addModule('/capture-worklet.js');
  await context.audioWorklet.addModule('/playback-worklet.js');
  const capture = new AudioWorkletNode(context, 'rx-capture', { numberOfInputs: 1, numberOfOutputs: 1 });
  const source = context.createMediaStreamSource(media);
  source.connect(capture);
  capture.connect(context.destination); // it outputs silence; connected so the graph pulls it
  const player = new AudioWorkletNode(context, 'rx-playback', {
    numberOfInputs: 0,
    numberOfOutputs: 1,
    outputChannelCount: [1],
  });
  player.connect(context.destination);
  await context.resume();

  const mic$ = new Subject<Uint8Array>();
  capture.port.onmessage = (e: MessageEvent<ArrayBuffer>) => {
    state.appendedMs += e.data.byteLength / 48;
    mic$.next(new Uint8Array(e.data));
  };

  let receivingItem: string | undefined; // the assistant audio item whose deltas arrive now
  const playbackMs$ = new Subject<number>();
  player.port.onmessage = (e: MessageEvent<{ itemId: string; ms: number; totalMs: number }>) => {
    state.playedMs = e.data.totalMs;
    // interruptOnSpeech wants the heard position of the item it is receiving, never of an older one
    if (e.data.itemId === receivingItem) {
      // what left the worklet is heard once it has gone through the output's latency
      const latencyMs = (context.outputLatency || context.baseLatency || 0) * 1000;
      state.heardMs = Math.max(0, e.data.ms - latencyMs);
      playbackMs$.next(state.heardMs);
    }
    render();
  };

  const interruptions$ = new Subject<ClientEvent>();
  const realtime = connect({
    endpoint: info.endpoint,
    deployment: info.deployment,
    dialect: 'ga',
    bearerToken: info.key, // the ephemeral key: sent as a subprotocol by the page's WebSocket
  });
  const sessionUpdate = {
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: 'You are a friendly voice assistant. Keep answers short.',
      ...(info.transcription ? { audio: { input: { transcription: { model: info.transcription } } } } : {}),
    },
  } as ClientEvent;
  const server$ = realtime(merge(of(sessionUpdate), audioAppends(mic$), interruptions$)).pipe(share());

  const receivedBytesOf = new Map<string, number>();
  // the connection's end (an error) is reported once, by the last subscriber below: the others ignore it
  const ignore = () => undefined;
  const subscription = server$.pipe(interruptOnSpeech({ playbackMs: playbackMs$ })).subscribe({
    error: ignore,
    next: (event) => {
      if (event.type === 'conversation.item.truncate') {
        const itemId = event.item_id;
        keep(state.truncates, {
          itemId,
          audioEndMs: event.audio_end_ms,
          heardMs: state.heardMs,
          receivedMs: (receivedBytesOf.get(itemId) ?? 0) / 48,
        });
        player.port.postMessage({ type: 'clear' }); // stop speaking at once: the user talks
        const entry = state.transcript.find((l) => l.id === itemId);
        if (entry) line('assistant', itemId, `${entry.text} [interrupted at ${event.audio_end_ms} ms]`);
      }
      if (event.type === 'response.cancel') state.cancels += 1;
      interruptions$.next(event);
      render();
    },
  });

  subscription.add(
    server$
      .pipe(
        splitContentParts(),
        mergeMap((part) =>
          part.pipe(
            audioDeltas(),
            map((pcm) => ({ itemId: part.itemId, pcm })),
          ),
        ),
      )
      .subscribe({
        error: ignore, // IncompleteStreamError of a part cut by the connection's end
        next: ({ itemId, pcm }) => {
          receivingItem = itemId;
          state.receivedAudioBytes += pcm.byteLength;
          receivedBytesOf.set(itemId, (receivedBytesOf.get(itemId) ?? 0) + pcm.byteLength);
          if (receivedBytesOf.size > 50) receivedBytesOf.delete(receivedBytesOf.keys().next().value!);
          const copy = pcm.slice(); // its own buffer, transferred to the audio thread
          player.port.postMessage({ type: 'audio', itemId, pcm: copy.buffer }, [copy.buffer]);
        },
      }),
  );

  subscription.add(
    server$.subscribe({
      next: (message: ServerMessage) => {
        if (isDecodeFailure(message)) {
          // a value on the stream, the session goes on (shown like a server error)
          keep(state.serverErrors, `a server frame did not decode: ${message.message}`);
          return;
        }
        keep(state.events, String(message.type));
        if (message.type === 'session.created') state.status = 'listening';
        if (message.type === 'conversation.item.input_audio_transcription.completed')
          line('user', message.item_id, message.transcript);
        if (message.type === 'conversation.item.truncated')
          keep(state.truncated, { itemId: message.item_id, audioEndMs: message.audio_end_ms });
        if (isEvent(message, 'transcriptDelta')) line('assistant', message.item_id, message.delta, true);
        if (message.type === 'error') {
          const text = `${message.error.code ?? message.error.type}: ${message.error.message}`;
          keep(state.serverErrors, text);
          console.warn(`server error event: ${text}`);
        }
        render();
      },
      error: (err: Error) => {
        fail(`${err.name}: ${err.message}`);
        void release();
      },
      complete: () => {
        state.status = 'closed';
        void release();
      },
    }),
  );

  running = {
    subscription,
    async stop() {
      subscription.unsubscribe(); // closes the socket with 1000
      await release();
      state.status = 'closed';
      render();
    },
  };
  render();
}

/** Turns the microphone and the audio graph off (once). */
async function release() {
  const r = resources;
  resources = undefined;
  running = undefined;
  if (!r) return;
  r.media.getTracks().forEach((t) => t.stop());
  await r.context.close();
}

$('start').addEventListener('click', () => {
  start().catch((err: Error) => {
    fail(`${err.name}: ${err.message}`); // no microphone, no session key, …
    void release();
  });
});
$('stop').addEventListener('click', () => {
  const r = running;
  running = undefined;
  r?.stop().catch((err: Error) => fail(`${err.name}: ${err.message}`));
});
render();
