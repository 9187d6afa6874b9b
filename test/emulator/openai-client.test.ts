// The official `openai` client (openai@6.49.0) drives the emulator unmodified, over TLS (it always builds wss://
// URLs). It takes no CA option of its own, but passes `options` to the `ws` constructor: `{ ca }` there is how
// it trusts the emulator's certificate (NODE_EXTRA_CA_CERTS cannot be set at run time).
import { AzureOpenAI, OpenAI } from 'openai';
import { OpenAIRealtimeWS as BetaRealtimeWS } from 'openai/beta/realtime/ws';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/protocol';
import { startEmulator, type Emulator } from '../../src/testing/emulator';
import { appends, hello, notKnown } from './harness';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    tls: true,
    pace: 'fast',
    speech: 'builtin',
    verifyToken: (token) => token === 'entra-token',
  });
});
afterAll(() => emulator.close());

type Event = {
  type: string;
  text?: string;
  delta?: string;
  response?: { output: { content: { transcript?: string }[] }[] };
};
type Rt = {
  url: URL;
  on(event: string, fn: (e: never) => void): void;
  send(e: unknown): void;
  close(): void;
  socket: { once(e: string, fn: () => void): void };
};

/** Runs `send` once the socket is open and resolves with every event up to response.done. */
function turn(rt: Rt, dialect: Dialect, send: (rt: Rt) => void): Promise<Event[]> {
  const events: Event[] = [];
  return new Promise((resolve, reject) => {
    rt.on('error', (e: never) => reject(new Error(String((e as Error).message))));
    rt.on('event', (e: never) => {
      events.push(e as Event);
      if ((e as Event).type === 'response.done') {
        rt.close();
        // everything the emulator sent is a known event of the dialect the client speaks
        const unknown = notKnown(events as never, dialect);
        if (unknown.length) reject(new Error(unknown.join('; ')));
        else resolve([...events]);
      }
    });
    rt.socket.once('open', () => send(rt));
  });
}

const textTurn = (session: Record<string, unknown>) => (rt: Rt) => {
  rt.send({ type: 'session.update', session });
  rt.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
  });
  rt.send({ type: 'response.create' });
};
const textOf = (events: Event[]) =>
  events.find((e) => e.type === 'response.text.done' || e.type === 'response.output_text.done')?.text;
const ca = () => ({ options: { ca: emulator.certificate } });

describe('the official openai client against the emulator, over TLS', () => {
  it('GA OpenAIRealtimeWS, OpenAI style: Bearer key on /v1/realtime', async () => {
    const client = new OpenAI({ apiKey: emulator.apiKey, baseURL: `${emulator.endpoint}/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', ...ca() }, client);
    expect(rt.url.pathname).toBe('/v1/realtime');
    const events = await turn(
      rt as unknown as Rt,
      'ga',
      textTurn({ type: 'realtime', output_modalities: ['text'] }),
    );
    expect(events[0]!.type).toBe('session.created');
    expect(events.map((e) => e.type)).toContain('response.output_text.delta');
    expect(textOf(events)).toBe('You said: Hi. This is the rx-realtime emulator answering.');
  });

  it('GA OpenAIRealtimeWS on the Azure v1 endpoint (baseURL …/openai/v1, the key as a bearer), with a spoken VAD turn', async () => {
    const client = new OpenAI({ apiKey: emulator.apiKey, baseURL: `${emulator.endpoint}/openai/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', ...ca() }, client);
    expect(rt.url.pathname).toBe('/openai/v1/realtime');
    const events = await turn(rt as unknown as Rt, 'ga', (r) => appends(hello()).forEach((e) => r.send(e)));
    const types = events.map((e) => e.type);
    expect(types.slice(1, 4)).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
    ]);
    expect(types).toContain('response.output_audio.delta');
    expect(events.at(-1)!.response!.output[0]!.content[0]!.transcript).toMatch(
      /^I heard about \d\.\d seconds of speech\./,
    );
  });

  it('GA OpenAIRealtimeWS.azure with AzureOpenAI (api-key header, dated api-version: the preview protocol, as Azure)', async () => {
    const client = new AzureOpenAI({
      apiKey: emulator.apiKey,
      endpoint: emulator.endpoint,
      apiVersion: '2025-04-01-preview',
      deployment: 'gpt-4o-realtime-preview',
    });
    const rt = await OpenAIRealtimeWS.azure(client, ca());
    expect(rt.url.pathname).toBe('/openai/realtime');
    const events = await turn(rt as unknown as Rt, 'preview', textTurn({ modalities: ['text'] }));
    expect(events.map((e) => e.type)).toContain('response.text.delta');
    expect(textOf(events)).toBe('You said: Hi. This is the rx-realtime emulator answering.');
  });

  it('beta OpenAIRealtimeWS (OpenAI-Beta header) gets the preview protocol on /v1/realtime', async () => {
    const client = new OpenAI({ apiKey: emulator.apiKey, baseURL: `${emulator.endpoint}/v1` });
    const rt = new BetaRealtimeWS({ model: 'gpt-4o-realtime-preview', ...ca() }, client);
    const events = await turn(rt as unknown as Rt, 'preview', textTurn({ modalities: ['text'] }));
    expect(events.map((e) => e.type)).toContain('response.text.delta');
    expect(events.filter((e) => /^response\.output_(text|audio)/.test(e.type))).toEqual([]); // no GA names
  });

  it('beta OpenAIRealtimeWS.azure with AzureOpenAI and an Entra token provider (Authorization: Bearer)', async () => {
    const client = new AzureOpenAI({
      azureADTokenProvider: async () => 'entra-token',
      endpoint: emulator.endpoint,
      apiVersion: '2025-04-01-preview',
      deployment: 'gpt-4o-mini-realtime-preview',
    });
    const rt = await BetaRealtimeWS.azure(client, ca());
    const events = await turn(rt as unknown as Rt, 'preview', textTurn({ modalities: ['text'] }));
    expect(textOf(events)).toBe('You said: Hi. This is the rx-realtime emulator answering.');
  });

  it('beta OpenAIRealtimeWS.azure with a wrong key fails the handshake (401 before upgrade)', async () => {
    const client = new AzureOpenAI({
      apiKey: 'wrong',
      endpoint: emulator.endpoint,
      apiVersion: '2025-04-01-preview',
      deployment: 'd',
    });
    const rt = (await BetaRealtimeWS.azure(client, ca())) as unknown as Rt;
    const message = await new Promise<string>((resolve) =>
      rt.on('error', (e: never) => resolve((e as Error).message)),
    );
    expect(message).toBe('Unexpected server response: 401');
  });
});
