// rx-realtime/testing: the emulator and test helpers. Public names one per line.

/**
 * The emulator (`startEmulator()`), a local server that speaks the Realtime protocol, and test helpers.
 *
 * @packageDocumentation
 * @module rx-realtime/testing
 */

export { startEmulator } from './emulator';
export { defaultReply } from './replies';
export { placeholderTranscriber } from './replies';
export { scriptedReplies } from './replies';
export { synthesize } from './speech';
export { selfSignedCertificate } from './tls';
export { PREVIEW_API_VERSIONS } from './routes';
export type { Emulator } from './emulator';
export type { EmulatorFaults } from './faults';
export type { Fault } from './faults';
export type { FaultAction } from './faults';
export type { FaultOptions } from './faults';
export type { FaultRecord } from './faults';
export type { RefusalStatus } from './faults';
export type { EmulatorOptions } from './emulator';
export type { Reply } from './replies';
export type { ReplyContext } from './replies';
export type { ReplyPolicy } from './replies';
export type { Transcriber } from './replies';
export type { Recording } from './replay';
export type { Synthesis } from './speech';
export type { SynthesizeOptions } from './speech';
export type { SelfSigned } from './tls';
export type { Clock } from './clock';
export { targetFromEnv } from './targetFromEnv';
export type { EnvTarget } from './targetFromEnv';
export type { EnvTargetOptions } from './targetFromEnv';
