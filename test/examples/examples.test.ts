// Every example runs here against the emulator (in-process, fast pacing), as a user would start it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionCalling } from '../../examples/function-calling';
import { runService } from '../../examples/pipeline-service';
import { streamFile } from '../../examples/stream-file';
import { textChat } from '../../examples/text-chat';
import { readWav } from '../../src/audio/wav';

const dir = mkdtempSync(join(tmpdir(), 'rx-realtime-examples-'));
// the variables that name a service (targetFromEnv): the examples must take the emulator path here
const serviceEnv = ['AZURE_OPENAI_ENDPOINT', 'OPENAI_API_KEY'];
const saved = new Map<string, string>();
beforeAll(() => {
  for (const name of serviceEnv) {
    const value = process.env[name];
    if (value !== undefined) saved.set(name, value);
    delete process.env[name];
  }
});
afterAll(() => {
  for (const [name, value] of saved) process.env[name] = value;
  rmSync(dir, { recursive: true, force: true });
});

describe('examples', () => {
  it.each(['preview', 'ga'])(
    'stream-file streams the speech fixture and writes the spoken reply (%s)',
    async (dialect) => {
      const out = join(dir, `reply-${dialect}.wav`);
      let shown = '';
      const result = await streamFile(['--fast', '--dialect', dialect, '--out', out], (t) => (shown += t));
      expect(result.transcript).toMatch(
        /^I heard about \d\.\d seconds of speech\. This is the rx-realtime emulator answering\.$/,
      );
      // the transcript is one whole line: no status line inside it, the status lines still all there
      const lines = shown.split('\n');
      expect(lines.filter((l) => l.startsWith('assistant: '))).toEqual([`assistant: ${result.transcript}`]);
      for (const status of [
        '● user speaking',
        '○ user stopped',
        '● assistant speaking',
        '○ assistant stopped',
      ])
        expect(lines).toContain(status);
      expect(lines.indexOf(`assistant: ${result.transcript}`)).toBeLessThan(
        lines.indexOf('○ assistant stopped'),
      );
      const wav = readWav(new Uint8Array(readFileSync(out)));
      expect(wav.sampleRate).toBe(24000);
      expect(wav.durationMs).toBeGreaterThan(1000);
      expect(result.audioBytes).toBe(Math.round((wav.durationMs * 48000) / 1000));
      expect(result.speechEndToFirstAudioMs).toBeGreaterThanOrEqual(0);
    },
  );

  it('stream-file --text-only prints the text reply and writes no (empty) WAV', async () => {
    const out = join(dir, 'text-only.wav');
    let shown = '';
    const result = await streamFile(
      ['--fast', '--dialect', 'ga', '--text-only', '--out', out],
      (t) => (shown += t),
    );
    expect(result.transcript).toMatch(/This is the rx-realtime emulator answering\.$/);
    expect(result.audioBytes).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(shown).toContain(`--text-only: the reply has no audio, so no ${out} was written`);
  });

  it('text-chat answers each line in turn', async () => {
    let shown = '';
    const answers = await textChat(
      ['Hello there', '', 'What time is it?'],
      ['--dialect', 'ga'],
      (t) => (shown += t),
    );
    expect(answers).toEqual([
      'You said: Hello there. This is the rx-realtime emulator answering.',
      'You said: What time is it?. This is the rx-realtime emulator answering.',
    ]);
    expect(shown).toBe(answers.map((a) => `${a}\n`).join(''));
  });

  it.each(['preview', 'ga'])(
    'function-calling runs the tool and streams the answer (%s)',
    async (dialect) => {
      const { calls, answer } = await functionCalling(['--dialect', dialect, '--city', 'Oslo']);
      expect(calls).toEqual(['get_weather({"city":"Oslo"})']);
      expect(answer).toBe(
        'The function returned {"city":"Oslo","temperature_c":21,"sky":"clear"}. This is the rx-realtime emulator.',
      );
    },
  );

  it('pipeline-service runs concurrent sessions and shuts down cleanly', async () => {
    const log = await runService({ sessions: 3, pace: 'fast' });
    for (const session of [1, 2, 3]) {
      const mine = log.filter((e) => e.session === session);
      expect(mine.filter((e) => e.kind === 'user').map((e) => e.text)).toEqual(['speaking', 'stopped']);
      expect(mine.filter((e) => e.kind === 'reply')).toHaveLength(1);
    }
    expect(log.filter((e) => e.kind === 'error')).toEqual([]);
  });
});
