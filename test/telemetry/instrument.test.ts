// instrument() with the real OpenTelemetry SDK (in-memory exporter and a collecting metric reader) against the
// emulator over real sockets.
import { existsSync, readFileSync } from 'node:fs';
import { readFileSync as read } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context as otelContext, metrics as otelMetrics, trace as otelTrace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  concat,
  filter,
  firstValueFrom,
  Subject,
  lastValueFrom,
  NEVER,
  of,
  share,
  takeWhile,
  toArray,
  type Observable,
} from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toPcm16Mono24k } from '../../src/audio/wav';
import { connect, connectWithState, type ConnectionState } from '../../src/client/connect';
import type { ConnectOptions } from '../../src/client/options';
import { audioAppends } from '../../src/operators/audioAppends';
import type { ClientEvent, ServerMessage } from '../../src/protocol';
import { session, type SessionInput } from '../../src/session';
import { instrument, type MeterLike, type TracerLike } from '../../src/telemetry';
import { startEmulator, type Emulator } from '../../src/testing/emulator';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hello = toPcm16Mono24k(new Uint8Array(read(join(root, 'test/fixtures/audio/hello.wav'))));

class Collector extends MetricReader {
  protected override onShutdown = async () => {};
  protected override onForceFlush = async () => {};
}

let emulator: Emulator;
let exporter: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;
let reader: Collector;
let meterProvider: MeterProvider;
let tracer: TracerLike;
let meter: MeterLike;

beforeAll(async () => {
  emulator = await startEmulator({ pace: 'fast' });
});
afterAll(() => emulator.close());
const setup = () => {
  exporter = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  reader = new Collector();
  meterProvider = new MeterProvider({ readers: [reader] });
  // the SDK's own objects, typed as the structural types: they must fit as they are
  tracer = tracerProvider.getTracer('test');
  meter = meterProvider.getMeter('test');
};
afterEach(async () => {
  await tracerProvider?.shutdown();
  await meterProvider?.shutdown();
});

const options = (dialect: 'preview' | 'ga', apiKey = emulator.apiKey): ConnectOptions => ({
  endpoint: emulator.endpoint,
  deployment: 'my-deployment',
  dialect,
  apiKey,
});

/** One voice turn (the speech fixture under server VAD), until the response's end. */
const voiceTurn = (dialect: 'preview' | 'ga'): Observable<ClientEvent> =>
  concat(
    of(
      dialect === 'preview'
        ? ({ type: 'session.update', session: { turn_detection: { type: 'server_vad' } } } as ClientEvent)
        : ({
            type: 'session.update',
            session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad' } } } },
          } as ClientEvent),
    ),
    audioAppends(new Uint8Array([...hello, ...new Uint8Array(48_000)]), { pace: 'fast' }),
  );

const untilDone = (server$: Observable<ServerMessage | ConnectionState>) =>
  lastValueFrom(
    server$.pipe(
      takeWhile((e) => e.type !== 'response.done', true),
      toArray(),
    ),
  );

async function collect(): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}
const points = (rm: ResourceMetrics, name: string) =>
  rm.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints ?? [];

const spanNamed = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe('instrument()', () => {
  it.each(['preview', 'ga'] as const)(
    'makes a connection span and a child response span with the response id, status and tokens (%s)',
    async (dialect) => {
      setup();
      const events = await untilDone(
        connectWithState(options(dialect))(voiceTurn(dialect)).pipe(
          instrument({ tracer, meter, deployment: 'my-deployment' }),
        ),
      );
      const done = events.find((e) => e.type === 'response.done') as {
        response: { id: string; usage: { input_tokens: number; output_tokens: number } };
      };
      const spans = exporter.getFinishedSpans();
      const [connection] = spanNamed(spans, 'realtime.connection');
      const [response] = spanNamed(spans, 'realtime.response');
      expect(spans).toHaveLength(2);
      expect(response!.parentSpanContext?.spanId).toBe(connection!.spanContext().spanId);
      expect(response!.spanContext().traceId).toBe(connection!.spanContext().traceId);
      expect(response!.attributes).toMatchObject({
        'rx_realtime.dialect': dialect,
        'gen_ai.request.model': 'my-deployment',
        'gen_ai.response.id': done.response.id,
        'rx_realtime.response.status': 'completed',
        'gen_ai.usage.input_tokens': done.response.usage.input_tokens,
        'gen_ai.usage.output_tokens': done.response.usage.output_tokens,
      });
      expect(response!.attributes['rx_realtime.response.audio_ms']).toBeGreaterThan(1000);
      expect(response!.status.code).toBe(1);
      const state = events.find((e) => e.type === 'rx-realtime.connection_state') as ConnectionState;
      expect(connection!.attributes).toMatchObject({
        'rx_realtime.dialect': dialect,
        'rx_realtime.request_id': state.requestId,
        'server.address': new URL(emulator.endpoint).host,
        'gen_ai.response.model': 'my-deployment',
        'rx_realtime.ended_by': 'unsubscribe',
      });
      expect(connection!.events.map((e) => e.name)).toContain('rx_realtime.open');

      const rm = await collect();
      const [ttfa] = points(rm, 'rx_realtime.response.time_to_first_audio');
      expect(ttfa!.attributes).toMatchObject({
        'rx_realtime.latency.from': 'speech_stopped',
        'rx_realtime.dialect': dialect,
      });
      expect((ttfa!.value as { count: number }).count).toBe(1);
      expect((points(rm, 'rx_realtime.response.duration')[0]!.value as { count: number }).count).toBe(1);
      const audio = points(rm, 'rx_realtime.response.audio')[0]!.value as { sum: number };
      expect(Math.round(audio.sum)).toBe(response!.attributes['rx_realtime.response.audio_ms']);
      expect(
        points(rm, 'rx_realtime.responses').map((p) => [
          p.attributes['rx_realtime.response.status'],
          p.value,
        ]),
      ).toEqual([['completed', 1]]);
      const tokens = points(rm, 'gen_ai.client.token.usage').map((p) => [
        p.attributes['gen_ai.token.type'],
        (p.value as { sum: number }).sum,
      ]);
      expect(tokens).toEqual([
        ['input', done.response.usage.input_tokens],
        ['output', done.response.usage.output_tokens],
      ]);
      expect(points(rm, 'rx_realtime.errors')).toEqual([]);
      // no secret anywhere: not the key, not a URL with a query
      const all = JSON.stringify({ spans: spans.map((s) => [s.attributes, s.events]), rm });
      expect(all).not.toContain(emulator.apiKey);
      expect(all).not.toContain('api-key');
    },
  );

  it('times a text turn from response.created, and nests under the context it is given', async () => {
    setup();
    const parent = tracer.startSpan('request') as unknown as Parameters<typeof otelTrace.setSpan>[1];
    const ctx = otelTrace.setSpan(otelContext.active(), parent);
    const turn: ClientEvent[] = [
      {
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      } as ClientEvent,
      { type: 'response.create' } as ClientEvent,
    ];
    await untilDone(connect(options('ga'))(of(...turn)).pipe(instrument({ tracer, meter, context: ctx })));
    parent.end();
    const spans = exporter.getFinishedSpans();
    const [connection] = spanNamed(spans, 'realtime.connection');
    const [response] = spanNamed(spans, 'realtime.response');
    expect(connection!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(response!.parentSpanContext?.spanId).toBe(connection!.spanContext().spanId);
    // the dialect from the event names when no connection state says it
    expect(response!.attributes['rx_realtime.dialect']).toBe('ga');
    const [ttfa] = points(await collect(), 'rx_realtime.response.time_to_first_audio');
    expect(ttfa!.attributes['rx_realtime.latency.from']).toBe('response.created');
  });

  it('ends the connection span with ERROR and counts the error when the handshake is refused, without the key', async () => {
    setup();
    const bad = 'not-the-key-4c5d6e7f';
    const err = await lastValueFrom(
      connectWithState(options('preview', bad))(NEVER).pipe(instrument({ tracer, meter })),
    ).catch((e: unknown) => e);
    expect((err as Error).name).toBe('HandshakeError');
    const [connection] = exporter.getFinishedSpans();
    expect(connection!.status).toEqual({ code: 2, message: 'HandshakeError' });
    expect(connection!.attributes).toMatchObject({
      'error.type': 'HandshakeError',
      'http.response.status_code': 401,
    });
    const errors = points(await collect(), 'rx_realtime.errors');
    expect(errors.map((p) => [p.attributes['error.type'], p.value])).toEqual([['HandshakeError', 1]]);
    expect(
      JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events, s.status])),
    ).not.toContain(bad);
  });

  it('ends a response cut by a dropped socket as incomplete (ERROR), and the connection with its close code', async () => {
    setup();
    emulator.faults.inject({ action: 'drop', atEvent: 'response.audio.delta', nth: 3 });
    const err = await lastValueFrom(
      connectWithState(options('preview'))(voiceTurn('preview')).pipe(instrument({ tracer, meter })),
    ).catch((e: unknown) => e);
    expect((err as Error).name).toBe('ConnectionClosedError');
    const spans = exporter.getFinishedSpans();
    const [response] = spanNamed(spans, 'realtime.response');
    const [connection] = spanNamed(spans, 'realtime.connection');
    expect(response!.attributes['rx_realtime.response.status']).toBe('incomplete');
    expect(response!.status.code).toBe(2);
    expect(connection!.attributes).toMatchObject({
      'error.type': 'ConnectionClosedError',
      'rx_realtime.close.code': 1006,
    });
    const rm = await collect();
    expect(
      points(rm, 'rx_realtime.responses').map((p) => [p.attributes['rx_realtime.response.status'], p.value]),
    ).toEqual([['incomplete', 1]]);
  });

  it('over session(): counts a reconnect, ends the response the drop cut as incomplete, and the answer again', async () => {
    setup();
    emulator.faults.inject({ action: 'drop', atEvent: 'response.text.delta', nth: 1 });
    const input = new Subject<SessionInput>();
    const out$ = session({
      ...options('preview'),
      pingIntervalMs: 0,
      config: { outputModalities: ['text'] },
      reconnect: { initialDelayMs: 0, maxDelayMs: 0 },
    })(input).pipe(instrument({ tracer, meter }), share());
    const replayedAndAnswered = firstValueFrom(
      out$.pipe(
        filter(
          (e) =>
            e.type === 'response.done' &&
            (e as { response: { status?: string } }).response.status === 'completed',
        ),
      ),
    );
    input.next('Hello');
    await replayedAndAnswered;
    const spans = spanNamed(exporter.getFinishedSpans(), 'realtime.response');
    expect(spans.map((r) => r.attributes['rx_realtime.response.status'])).toEqual([
      'incomplete',
      'completed',
    ]);
    const rm = await collect();
    expect(
      points(rm, 'rx_realtime.reconnects').map((p) => [
        p.attributes['rx_realtime.reconnect.attempt'],
        p.value,
      ]),
    ).toEqual([[1, 1]]);
  });

  it('counts server error events by code and leaves every event as it was', async () => {
    setup();
    const bad = { type: 'conversation.item.delete', item_id: 'item_nope' } as ClientEvent;
    const server$ = connect(options('preview'))(of(bad)).pipe(share());
    const untilError = (o: Observable<ServerMessage>) =>
      firstValueFrom(
        o.pipe(
          takeWhile((e) => e.type !== 'error', true),
          toArray(),
        ),
      );
    const [plain, seen] = await Promise.all([
      untilError(server$),
      untilError(server$.pipe(instrument({ tracer, meter }))),
    ]);
    expect(seen).toEqual(plain);
    for (let i = 0; i < seen.length; i++) expect(seen[i]).toBe(plain[i]);
    const error = seen.at(-1) as { type: string; error: { code: string } };
    expect(error.type).toBe('error');
    const errors = points(await collect(), 'rx_realtime.errors');
    expect(errors.map((p) => [p.attributes['error.type'], p.value])).toEqual([[error.error.code, 1]]);
  });

  it('ends the connection span OK at a 1000 close and counts undecodable frames (a replayed recording)', async () => {
    setup();
    const recording = read(
      join(root, 'test/fixtures/protocol/sessions/beta-openai-text-response.liusida-dictionary.jsonl'),
      'utf8',
    );
    const replaying = await startEmulator({ replay: recording, pace: 'fast' });
    try {
      await lastValueFrom(
        connectWithState({
          endpoint: replaying.endpoint,
          deployment: 'd',
          apiKey: replaying.apiKey,
          sessionCreatedTimeoutMs: 0,
        })(NEVER).pipe(instrument({ tracer, meter })),
      );
    } finally {
      await replaying.close();
    }
    const spans = exporter.getFinishedSpans();
    const [connection] = spanNamed(spans, 'realtime.connection');
    const [response] = spanNamed(spans, 'realtime.response');
    expect(connection!.status.code).toBe(1);
    expect(connection!.attributes['rx_realtime.close.code']).toBe(1000);
    // its response.done holds "[Object]" where the recorder cut it, so it does not decode: the response never ended
    expect(response!.attributes['rx_realtime.response.status']).toBe('incomplete');
    const errors = points(await collect(), 'rx_realtime.errors');
    expect(errors.map((p) => [p.attributes['error.type'], p.value])).toEqual([['decode_failure', 2]]);
    expect(connection!.events.filter((e) => e.name === 'rx_realtime.error')).toHaveLength(2);
  });

  it('with neither tracer nor meter passes every event through untouched', async () => {
    const turn = voiceTurn('preview');
    const events = await untilDone(connectWithState(options('preview'))(turn).pipe(instrument()));
    expect(events.at(-1)!.type).toBe('response.done');
    expect(events[0]).toMatchObject({ type: 'rx-realtime.connection_state', state: 'connecting' });
  });

  it('the SDK tracer and meter fit the structural types; a global no-op meter too', () => {
    const t: TracerLike = otelTrace.getTracer('x');
    const mm: MeterLike = otelMetrics.getMeter('x');
    expect(typeof t.startSpan).toBe('function');
    expect(typeof mm.createHistogram).toBe('function');
  });
});

describe('the built package', () => {
  it('never imports @opentelemetry/api (it is an optional peer: the tracer and meter are passed in)', () => {
    for (const f of ['index.js', 'index.cjs', 'browser.js', 'testing.js', 'testing.cjs']) {
      const file = join(root, 'dist', f);
      if (!existsSync(file)) continue;
      expect(readFileSync(file, 'utf8'), f).not.toMatch(/@opentelemetry/);
    }
    if (existsSync(join(root, 'dist/index.js')))
      expect(readFileSync(join(root, 'dist/index.js'), 'utf8')).toContain(
        'rx_realtime.response.time_to_first_audio',
      );
  });
});
