// examples/transcribe.ts against the in-process emulator (no AZURE_OPENAI_ENDPOINT), in both dialects.
import { describe, expect, it } from 'vitest';
import { transcribe } from '../../examples/transcribe';

describe('examples/transcribe', () => {
  it.each(['preview', 'ga'])(
    'prints one transcript per spoken turn of two-turns.wav (%s)',
    async (dialect) => {
      const printed: string[] = [];
      const transcripts = await transcribe(
        ['--fast', '--dialect', dialect],
        (line) => printed.push(line),
        {},
      );
      // the emulator's placeholder transcriber: one line per VAD turn, saying how much speech it heard
      expect(transcripts).toHaveLength(2);
      for (const t of transcripts) expect(t).toMatch(/^\[emulator: \d+\.\d s of speech, not transcribed\]$/);
      expect(printed).toEqual(transcripts);
    },
  );
});
