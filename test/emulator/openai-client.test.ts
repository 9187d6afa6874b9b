// The official `openai` client (openai@6.49.0) drives the emulator unmodified, over TLS (it always uses wss).
import { AzureOpenAI, OpenAI } from 'openai';
import { OpenAIRealtimeWS as BetaRealtimeWS } from 'openai/beta/realtime/ws';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/testing';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ tls: true, pace: 'fast', speech: 'builtin' });
});
afterAll(() => emulator.close());

type Rt = {
  on(event: string, fn: (e: never) => void): void;
  send(e: unknown): void;
  close(): void;
  socket: { on(e: string, fn: () => void): void };
};

/** One text turn through an official client; resolves with the server event types it saw. */
function textTurn(rt: Rt, session: Record<string, unknown>): Promise<{ types: string[]; text: string }> {
  const types: string[] = [];
  let text = '';
  return new Promise((resolve, reject) => {
    rt.on('error', (e: never) => reject(new Error(JSON.stringify(e))));
    rt.on('event', (e: never) => {
      const event = e as { type: string; delta?: string; text?: string };
      types.push(event.type);
      if (event.type === 'response.text.done' || event.type === 'response.output_text.done')
        text = event.text ?? '';
      if (event.type === 'response.done') {
        rt.close();
        resolve({ types, text });
      }
    });
    rt.socket.on('open', () => {
      rt.send({ type: 'session.update', session });
      rt.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
      });
      rt.send({ type: 'response.create' });
    });
  });
}

describe('the official openai client against the emulator', () => {
  it('GA: OpenAIRealtimeWS with an OpenAI-style client (bearer key, /v1/realtime)', async () => {
    const client = new OpenAI({ apiKey: emulator.apiKey, baseURL: `${emulator.endpoint}/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: emulator.certificate } }, client);
    const { types, text } = await textTurn(rt as unknown as Rt, {
      type: 'realtime',
      output_modalities: ['text'],
    });
    expect(types[0]).toBe('session.created');
    expect(types).toContain('response.output_text.delta');
    expect(text).toBe('You said: Hi. This is the rx-realtime emulator answering.');
  });

  it('GA: OpenAIRealtimeWS.azure with AzureOpenAI (api-key header, /openai/realtime)', async () => {
    const client = new AzureOpenAI({
      apiKey: emulator.apiKey,
      endpoint: emulator.endpoint,
      apiVersion: '2025-04-01-preview',
      deployment: 'gpt-4o-realtime-preview',
    });
    const rt = await OpenAIRealtimeWS.azure(client, { options: { ca: emulator.certificate } });
    const { types, text } = await textTurn(rt as unknown as Rt, { modalities: ['text'] });
    // the dated api-version path speaks preview, as Azure does
    expect(types).toContain('response.text.delta');
    expect(text).toBe('You said: Hi. This is the rx-realtime emulator answering.');
  });

  it('beta: the beta OpenAIRealtimeWS (OpenAI-Beta header) gets preview event names', async () => {
    const client = new OpenAI({ apiKey: emulator.apiKey, baseURL: `${emulator.endpoint}/v1` });
    const rt = new BetaRealtimeWS(
      { model: 'gpt-4o-realtime-preview', options: { ca: emulator.certificate } },
      client,
    );
    const { types } = await textTurn(rt as unknown as Rt, { modalities: ['text'] });
    expect(types).toContain('response.text.delta');
    expect(types.filter((t) => /^response\.output_(text|audio)/.test(t))).toEqual([]); // no GA names on the beta protocol
  });
});
