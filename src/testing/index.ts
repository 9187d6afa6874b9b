// rx-realtime/testing: the emulator and test helpers. Public names one per line.
export { startEmulator } from './emulator';
export { defaultReply } from './emulator';
export { placeholderTranscriber } from './emulator';
export { selfSignedCertificate } from './tls';
export { synthesize } from './speech';
export type { Emulator } from './emulator';
export type { EmulatorOptions } from './emulator';
export type { Reply } from './session';
export type { ReplyContext } from './session';
export type { ReplyPolicy } from './session';
export type { Transcriber } from './session';
export type { SelfSigned } from './tls';
