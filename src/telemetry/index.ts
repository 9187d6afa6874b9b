export { instrument } from './instrument';
export type { TelemetryOptions } from './instrument';
export type {
  TracerLike,
  MeterLike,
  SpanLike,
  ContextLike,
  HistogramLike,
  CounterLike,
  Attributes,
  AttributeValue,
} from './otel';
