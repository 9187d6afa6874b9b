/**
 * The parts of the OpenTelemetry API (`@opentelemetry/api` 1.x) that {@link instrument} uses, written out
 * structurally: the package never imports `@opentelemetry/api`, so it loads nothing when telemetry is not used, and
 * the tracer and meter you pass (from `trace.getTracer()`, `metrics.getMeter()`) fit these types as they are.
 */

/** An attribute value, as OpenTelemetry takes it. */
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue | undefined>;

/** `Context` of `@opentelemetry/api`: an immutable map. */
export interface ContextLike {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): ContextLike;
  deleteValue(key: symbol): ContextLike;
}

/** The `Span` methods used here. */
export interface SpanLike {
  setAttribute(key: string, value: AttributeValue): unknown;
  setAttributes(attributes: Attributes): unknown;
  addEvent(name: string, attributes?: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/** `Tracer` of `@opentelemetry/api`. */
export interface TracerLike {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: Attributes },
    context?: ContextLike,
  ): SpanLike;
}

export interface HistogramLike {
  record(value: number, attributes?: Attributes): void;
}
export interface CounterLike {
  add(value: number, attributes?: Attributes): void;
}

/** `Meter` of `@opentelemetry/api`. */
export interface MeterLike {
  createHistogram(name: string, options?: { description?: string; unit?: string }): HistogramLike;
  createCounter(name: string, options?: { description?: string; unit?: string }): CounterLike;
}

/** `SpanStatusCode` and `SpanKind` values of the OpenTelemetry specification (stable since API 1.0). */
export const SPAN_STATUS_OK = 1;
export const SPAN_STATUS_ERROR = 2;
export const SPAN_KIND_CLIENT = 2;

/**
 * The context key under which OpenTelemetry keeps the active span. The API makes its keys with
 * `Symbol.for(description)` on purpose, so that every copy and version of `@opentelemetry/api` shares them
 * (`createContextKey` in `@opentelemetry/api/build/src/context/context.js`); `trace.setSpan(ctx, span)` is
 * `ctx.setValue(this key, span)`.
 */
export const SPAN_KEY: symbol = Symbol.for('OpenTelemetry Context Key SPAN');

/** A root context of our own, for when no parent context is given (the API's `ROOT_CONTEXT` behaves the same). */
export class RootContext implements ContextLike {
  private constructor(private readonly values: ReadonlyMap<symbol, unknown>) {}
  static readonly empty: ContextLike = new RootContext(new Map());
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): ContextLike {
    return new RootContext(new Map(this.values).set(key, value));
  }
  deleteValue(key: symbol): ContextLike {
    const next = new Map(this.values);
    next.delete(key);
    return new RootContext(next);
  }
}
