/**
 * `instrument()`: OpenTelemetry spans and metrics for a Realtime connection, from the tracer and meter you pass.
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { ConnectionState } from '../client/connect';
import { EVENT_NAMES, type Dialect, type ServerMessage } from '../protocol';
import {
  RootContext,
  SPAN_KEY,
  SPAN_KIND_CLIENT,
  SPAN_STATUS_ERROR,
  SPAN_STATUS_OK,
  type Attributes,
  type ContextLike,
  type MeterLike,
  type SpanLike,
  type TracerLike,
} from './otel';

/** Options of {@link instrument}; every property is optional. */
export interface TelemetryOptions {
  /** Spans come from it (`trace.getTracer('my-app')`). Default: no spans. */
  readonly tracer?: TracerLike | undefined;
  /** Metrics come from it (`metrics.getMeter('my-app')`). Default: no metrics. */
  readonly meter?: MeterLike | undefined;
  /**
   * The parent of the connection span, e.g. `context.active()` of `@opentelemetry/api`. Default: none (the
   * connection span is a root span). Each response span is a child of its connection span.
   */
  readonly context?: ContextLike | undefined;
  /** The dialect, on every span. Default: what a `connectWithState()` stream says, else what the event names say. */
  readonly dialect?: Dialect | undefined;
  /** The Azure deployment or OpenAI model, as `gen_ai.request.model`. Default: none. */
  readonly deployment?: string | undefined;
  /** More attributes for every span and data point (never put a key or token here). Default: none. */
  readonly attributes?: Attributes | undefined;
  /** Milliseconds, for the metrics' durations. Default `performance.now`. */
  readonly now?: (() => number) | undefined;
}

/** Responses open at once beyond which the oldest is ended as incomplete (a `response.done` that never came). */
const MAX_OPEN_RESPONSES = 64;

/** The wire names only one dialect has (names both use tell nothing). */
const NAMES = Object.values(EVENT_NAMES);
const GA_ONLY: ReadonlySet<string> = new Set(
  NAMES.map((n) => n.ga).filter((ga) => !NAMES.some((n) => n.preview === ga)),
);
const PREVIEW_ONLY: ReadonlySet<string> = new Set(
  NAMES.map((n) => n.preview).filter((p) => !NAMES.some((n) => n.ga === p)),
);
const AUDIO_DELTA = new Set([EVENT_NAMES.audioDelta.preview, EVENT_NAMES.audioDelta.ga]);

/** Bytes of a base64 string, without decoding it. */
const base64Bytes = (s: string) =>
  Math.floor((s.length * 3) / 4) - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);

interface OpenResponse {
  readonly span: SpanLike | undefined;
  readonly startedAt: number;
  readonly latencyFrom: number;
  readonly latencyBase: 'speech_stopped' | 'response.created';
  firstAudioAt: number | undefined;
  audioBytes: number;
}

/**
 * Spans and metrics for the connection whose server stream it is put on (`connect()` or, with more detail,
 * `connectWithState()`): one `realtime.connection` span per subscription, one `realtime.response` span per
 * response, its child, and these metrics:
 *
 * | metric | unit | what |
 * |---|---|---|
 * | `rx_realtime.response.time_to_first_audio` | ms | the user's speech end (else `response.created`) to the first audio delta; attribute `rx_realtime.latency.from` |
 * | `rx_realtime.response.duration` | ms | `response.created` to `response.done` |
 * | `rx_realtime.response.audio` | ms | audio in a response (24 kHz PCM16) |
 * | `rx_realtime.responses` | {response} | ended responses, attribute `rx_realtime.response.status` |
 * | `rx_realtime.interruptions` | {response} | responses cancelled (barge-in or `response.cancel`) |
 * | `rx_realtime.errors` | {error} | server `error` events, undecodable frames, and connection errors, by `error.type` |
 * | `gen_ai.client.token.usage` | {token} | tokens per response, by `gen_ai.token.type` (`input`, `output`) |
 *
 * It's like an OpenTelemetry instrumentation library, but as an operator: nothing is patched, nothing is global,
 * and `@opentelemetry/api` is never imported (you pass the tracer and meter, so nothing loads without them).
 * Span attributes: `rx_realtime.dialect`, `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.response.id`,
 * `rx_realtime.response.status`, `gen_ai.usage.input_tokens` / `output_tokens`, `rx_realtime.request_id`,
 * `server.address`, `rx_realtime.close.code`; never a key, a token or a URL's query.
 *
 * ```text
 * server:      -s--c--a--a--d-----C--D--|
 * output:      -s--c--a--a--d-----C--D--|      (the same events, untouched)
 * spans:       [connection .......................]
 *                  [response 1 ]   [resp 2]
 * ```
 *
 * Values of other types (a `session()` stream's states) pass by. Events pass through unchanged. The connection span ends when the stream completes (status OK), errors (status
 * ERROR with the error's name and code) or is unsubscribed; responses still open then end as `incomplete`.
 *
 * @example
 * ```ts
 * import { metrics, trace } from '@opentelemetry/api';
 * import { connectWithState, instrument } from 'rx-realtime';
 * import { NEVER } from 'rxjs';
 *
 * const realtime = connectWithState({ endpoint: 'https://my-resource.openai.azure.com', deployment: 'gpt-realtime', dialect: 'ga', apiKey: 'key' });
 * realtime(NEVER)
 *   .pipe(instrument({ tracer: trace.getTracer('my-app'), meter: metrics.getMeter('my-app'), deployment: 'gpt-realtime' }))
 *   .subscribe();
 * ```
 */
export function instrument<T extends ServerMessage | ConnectionState | { readonly type: string }>(
  options: TelemetryOptions = {},
): MonoTypeOperatorFunction<T> {
  const { tracer, meter } = options;
  const now = options.now ?? (() => performance.now());
  const m = meter && {
    ttfa: meter.createHistogram('rx_realtime.response.time_to_first_audio', {
      unit: 'ms',
      description: "From the user's speech end (or response.created) to the response's first audio",
    }),
    duration: meter.createHistogram('rx_realtime.response.duration', {
      unit: 'ms',
      description: 'From response.created to response.done',
    }),
    audio: meter.createHistogram('rx_realtime.response.audio', {
      unit: 'ms',
      description: 'Audio in a response',
    }),
    responses: meter.createCounter('rx_realtime.responses', {
      unit: '{response}',
      description: 'Ended responses',
    }),
    interruptions: meter.createCounter('rx_realtime.interruptions', {
      unit: '{response}',
      description: 'Responses cancelled before their end',
    }),
    errors: meter.createCounter('rx_realtime.errors', {
      unit: '{error}',
      description: 'Server errors, undecodable frames and connection errors',
    }),
    reconnects: meter.createCounter('rx_realtime.reconnects', {
      unit: '{reconnect}',
      description: 'Sockets session() reconnected after a retryable ending (rollovers are not counted)',
    }),
    tokens: meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Tokens per response',
    }),
  };

  return (source) =>
    new Observable<T>((subscriber) => {
      let dialect: Dialect | undefined = options.dialect;
      const base: Attributes = {
        ...options.attributes,
        ...(options.deployment ? { 'gen_ai.request.model': options.deployment } : {}),
      };
      const common = (): Attributes => ({ ...base, ...(dialect ? { 'rx_realtime.dialect': dialect } : {}) });
      const connection = tracer?.startSpan(
        'realtime.connection',
        { kind: SPAN_KIND_CLIENT, attributes: clean(common()) },
        options.context,
      );
      const parent = connection
        ? (options.context ?? RootContext.empty).setValue(SPAN_KEY, connection)
        : undefined;
      const open = new Map<string, OpenResponse>();
      let speechStoppedAt: number | undefined;
      let ended = false;

      const setDialect = (d: Dialect) => {
        if (dialect) return;
        dialect = d;
        connection?.setAttribute('rx_realtime.dialect', d);
      };
      const error = (type: string, extra: Attributes = {}) => {
        m?.errors.add(1, clean({ ...common(), 'error.type': type }));
        connection?.addEvent('rx_realtime.error', clean({ 'error.type': type, ...extra }));
      };
      const endResponse = (id: string, status: string, done?: DoneResponse) => {
        const r = open.get(id);
        if (!r) return;
        open.delete(id);
        const at = now();
        const attrs = clean({ ...common(), 'rx_realtime.response.status': status });
        const usage = done?.usage ?? undefined;
        if (r.span) {
          r.span.setAttributes(
            clean({
              'rx_realtime.response.status': status,
              'rx_realtime.response.status_reason': done?.status_details?.reason ?? undefined,
              'gen_ai.usage.input_tokens': usage?.input_tokens,
              'gen_ai.usage.output_tokens': usage?.output_tokens,
              'rx_realtime.response.audio_ms': Math.round(r.audioBytes / 48),
            }),
          );
          if (status === 'failed' || status === 'incomplete')
            r.span.setStatus({
              code: SPAN_STATUS_ERROR,
              message: done?.status_details?.error?.code ?? done?.status_details?.reason ?? status,
            });
          else r.span.setStatus({ code: SPAN_STATUS_OK });
          r.span.end();
        }
        if (!m) return;
        m.responses.add(1, attrs);
        m.duration.record(at - r.startedAt, attrs);
        m.audio.record(r.audioBytes / 48, attrs);
        if (status === 'cancelled') m.interruptions.add(1, attrs);
        if (typeof usage?.input_tokens === 'number')
          m.tokens.record(usage.input_tokens, { ...attrs, 'gen_ai.token.type': 'input' });
        if (typeof usage?.output_tokens === 'number')
          m.tokens.record(usage.output_tokens, { ...attrs, 'gen_ai.token.type': 'output' });
      };
      const finish = (status: 'ok' | 'error' | 'unsubscribed', err?: unknown) => {
        if (ended) return;
        ended = true;
        for (const id of [...open.keys()]) endResponse(id, 'incomplete');
        if (status === 'error') error(errorType(err), clean(errorAttributes(err)));
        if (!connection) return;
        if (status === 'error') {
          connection.setAttributes(clean(errorAttributes(err)));
          connection.setStatus({ code: SPAN_STATUS_ERROR, message: errorType(err) });
        } else if (status === 'ok') connection.setStatus({ code: SPAN_STATUS_OK });
        else connection.setAttribute('rx_realtime.ended_by', 'unsubscribe');
        connection.end();
      };

      const observe = (value: ServerMessage | ConnectionState) => {
        const type = value.type as string;
        if (type === 'rx-realtime.connection_state') {
          const s = value as ConnectionState;
          setDialect(s.dialect);
          if (s.state === 'connecting')
            connection?.setAttributes(
              clean({ 'rx_realtime.request_id': s.requestId, 'server.address': hostOf(s.url) }),
            );
          if (s.state === 'open') connection?.addEvent('rx_realtime.open');
          if (s.state === 'closed')
            connection?.setAttributes(
              clean({ 'rx_realtime.close.code': s.code, 'rx_realtime.close.reason': s.reason || undefined }),
            );
          return;
        }
        if (type === 'rx-realtime.session_state') {
          // session(): a reconnect ends what was open on the dropped socket, and is counted
          const s = value as { state?: string; attempt?: number; reason?: string };
          if (s.state === 'reconnecting') {
            for (const id of [...open.keys()]) endResponse(id, 'incomplete');
            m?.reconnects.add(1, clean({ ...base, 'rx_realtime.reconnect.attempt': s.attempt }));
            connection?.addEvent(
              'rx_realtime.reconnecting',
              clean({ 'rx_realtime.reconnect.attempt': s.attempt, 'rx_realtime.reconnect.reason': s.reason }),
            );
          } else if (s.state === 'rolled_over') connection?.addEvent('rx_realtime.rolled_over');
          return;
        }
        if (type === 'rx-realtime.decode_failure') {
          error('decode_failure', { 'rx_realtime.event.type': (value as { eventType?: string }).eventType });
          return;
        }
        if (GA_ONLY.has(type)) setDialect('ga');
        else if (PREVIEW_ONLY.has(type)) setDialect('preview');
        const e = value as ServerMessage & Record<string, unknown>;
        switch (type) {
          case 'session.created': {
            const session = e['session'] as { id?: string; model?: string } | undefined;
            connection?.setAttributes(
              clean({ 'rx_realtime.session.id': session?.id, 'gen_ai.response.model': session?.model }),
            );
            return;
          }
          case 'input_audio_buffer.speech_stopped':
            speechStoppedAt = now();
            return;
          case 'error': {
            const details = e['error'] as { code?: string | null; type?: string; event_id?: string | null };
            error(details.code ?? details.type ?? 'error', {
              'rx_realtime.error.event_id': details.event_id ?? undefined,
            });
            return;
          }
          case 'response.created': {
            const id = (e['response'] as { id?: string } | undefined)?.id;
            if (!id || open.has(id)) return;
            if (open.size >= MAX_OPEN_RESPONSES) endResponse(open.keys().next().value!, 'incomplete');
            const at = now();
            open.set(id, {
              span: tracer?.startSpan(
                'realtime.response',
                { kind: SPAN_KIND_CLIENT, attributes: clean({ ...common(), 'gen_ai.response.id': id }) },
                parent,
              ),
              startedAt: at,
              latencyFrom: speechStoppedAt ?? at,
              latencyBase: speechStoppedAt === undefined ? 'response.created' : 'speech_stopped',
              firstAudioAt: undefined,
              audioBytes: 0,
            });
            speechStoppedAt = undefined;
            return;
          }
          case 'response.done': {
            const response = e['response'] as DoneResponse | undefined;
            if (response?.id) endResponse(response.id, response.status ?? 'completed', response);
            return;
          }
        }
        if (AUDIO_DELTA.has(type)) {
          const r = open.get(e['response_id'] as string);
          if (!r || typeof e['delta'] !== 'string') return;
          r.audioBytes += base64Bytes(e['delta']);
          if (r.firstAudioAt === undefined) {
            r.firstAudioAt = now();
            const ms = r.firstAudioAt - r.latencyFrom;
            r.span?.setAttribute('rx_realtime.response.time_to_first_audio_ms', Math.round(ms));
            m?.ttfa.record(ms, clean({ ...common(), 'rx_realtime.latency.from': r.latencyBase }));
          }
        }
      };

      const subscription = source.subscribe({
        next(value) {
          // telemetry never breaks the pipeline: a throwing exporter or meter loses its data point, not the stream
          try {
            observe(value as ServerMessage | ConnectionState);
          } catch {
            /* ignored on purpose */
          }
          subscriber.next(value);
        },
        error(err: unknown) {
          safely(() => finish('error', err));
          subscriber.error(err);
        },
        complete() {
          safely(() => finish('ok'));
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        safely(() => finish('unsubscribed'));
      };
    });
}

interface DoneResponse {
  readonly id?: string | undefined;
  readonly status?: string | undefined;
  readonly status_details?: { reason?: string; error?: { code?: string } | null } | null | undefined;
  readonly usage?: { input_tokens?: number; output_tokens?: number } | null | undefined;
}

const safely = (f: () => void) => {
  try {
    f();
  } catch {
    /* a throwing tracer or meter must not change how the stream ends */
  }
};

/** Attributes without the undefined ones (OpenTelemetry drops them with a warning). */
function clean(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out[k] = v;
  return out;
}

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
};

const errorType = (err: unknown): string =>
  err instanceof Error ? err.name : typeof err === 'string' ? 'string' : 'unknown';

/** The status or close code of a connection error: its fields, never its message (which may name a URL). */
function errorAttributes(err: unknown): Attributes {
  const e = err as { status?: unknown; code?: unknown };
  return {
    'error.type': errorType(err),
    'http.response.status_code': typeof e?.status === 'number' ? e.status : undefined,
    'rx_realtime.close.code': typeof e?.code === 'number' ? e.code : undefined,
  };
}
