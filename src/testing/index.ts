// rx-realtime/testing: the emulator and test helpers. Public names one per line.
export {};
