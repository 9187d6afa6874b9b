// rx-realtime/testing: the emulator and test helpers. Public names one per line.
export { startEmulator } from './emulator';
export { defaultReply } from './replies';
export { placeholderTranscriber } from './replies';
export { scriptedReplies } from './replies';
export { synthesize } from './speech';
export { selfSignedCertificate } from './tls';
export { PREVIEW_API_VERSIONS } from './routes';
export type { Emulator } from './emulator';
export type { EmulatorOptions } from './emulator';
export type { Reply } from './replies';
export type { ReplyContext } from './replies';
export type { ReplyPolicy } from './replies';
export type { Transcriber } from './replies';
export type { Recording } from './replay';
export type { Synthesis } from './speech';
export type { SynthesizeOptions } from './speech';
export type { SelfSigned } from './tls';
