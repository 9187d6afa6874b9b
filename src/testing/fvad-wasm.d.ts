// The WASM build of libfvad ships no types; the emulator's VAD types what it uses (see vad.ts).
declare module '@echogarden/fvad-wasm' {
  const factory: () => Promise<unknown>;
  export default factory;
}
