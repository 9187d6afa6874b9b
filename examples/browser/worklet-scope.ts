/**
 * The few names of the AudioWorklet global scope the two worklets use (TypeScript's DOM lib does not describe
 * that scope). Types only: at run time these are the worklet scope's own globals.
 */
export interface WorkletProcessor {
  readonly port: MessagePort;
}

export interface WorkletScope {
  /** The AudioContext's sample rate. */
  readonly sampleRate: number;
  /** The base class of every processor. */
  readonly AudioWorkletProcessor: new () => WorkletProcessor;
  registerProcessor(
    name: string,
    processor: new () => WorkletProcessor & {
      process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
    },
  ): void;
}

/** The worklet's global scope, typed. */
export const scope = globalThis as unknown as WorkletScope;
