// The emulator's voice (espeak-ng when installed, else the built-in synthesiser) and its VAD, without sockets.
import { describe, expect, it } from 'vitest';
import { pcm16ToFloat32 } from '../../src/audio/pcm';
import { builtinVoice, synthesize } from '../../src/testing/speech';
import { energyGateDb, fvadMode, VoiceActivityDetector, type VadEvent } from '../../src/testing/vad';
import { hello } from './harness';

const SENTENCE = 'I heard about 3.5 seconds of speech. This is the rx-realtime emulator answering.';

async function vadEvents(samples24k: Float32Array): Promise<VadEvent[]> {
  const vad = await VoiceActivityDetector.create({}, 0);
  try {
    const padded = new Float32Array(samples24k.length + 24000); // one second of silence after it
    padded.set(samples24k);
    return vad.push(padded);
  } finally {
    vad.dispose();
  }
}

describe('the built-in voice', () => {
  it('takes about as long as saying the text, the same every time', async () => {
    const a = await synthesize(SENTENCE, { engine: 'builtin' });
    const b = await synthesize(SENTENCE, { engine: 'builtin' });
    expect(a.engine).toBe('builtin');
    expect(Buffer.from(a.pcm).equals(Buffer.from(b.pcm))).toBe(true);
    const seconds = a.pcm.byteLength / 48000;
    // 13 words: a person says them in 3–6 s
    expect(seconds).toBeGreaterThan(3);
    expect(seconds).toBeLessThan(6);
  });

  it('sounds different per voice and speaks faster with speed', () => {
    const alloy = builtinVoice('Hello there.', { pitch: 150 });
    const coral = builtinVoice('Hello there.', { pitch: 210 });
    expect(Buffer.from(alloy.buffer).equals(Buffer.from(coral.buffer))).toBe(false);
    expect(builtinVoice(SENTENCE, { speed: 1.5 }).length / builtinVoice(SENTENCE).length).toBeCloseTo(
      1 / 1.5,
      2,
    );
  });

  it('is speech to a VAD: one start, one stop', async () => {
    const events = await vadEvents(builtinVoice('Hello there, how are you today'));
    expect(events.map((e) => e.type)).toEqual(['start', 'stop']);
  });
});

describe('espeak-ng (the optional GPL peer, a dev dependency here)', () => {
  it('speaks real words for every voice, resampled to 24 kHz, and a VAD hears one utterance', async () => {
    for (const voice of ['alloy', 'coral', 'echo', 'marin']) {
      const { engine, pcm } = await synthesize('Hello there, how are you today?', { voice });
      expect({ voice, engine }).toEqual({ voice, engine: 'espeak-ng' });
      expect(pcm.byteLength / 48000).toBeGreaterThan(1);
      expect(pcm.byteLength / 48000).toBeLessThan(4);
    }
    const { pcm } = await synthesize('Hello there, how are you today?');
    expect((await vadEvents(pcm16ToFloat32(pcm))).map((e) => e.type)).toEqual(['start', 'stop']);
  });

  it('reads a text that starts with a dash as text, not as an option', async () => {
    const { engine, pcm } = await synthesize('-v is not an option here');
    expect(engine).toBe('espeak-ng');
    expect(pcm.byteLength / 48000).toBeGreaterThan(0.8);
  });
});

describe('the VAD', () => {
  it('maps threshold to a libfvad mode and an energy gate', () => {
    expect([0, 0.2, 0.5, 0.8, 1].map(fvadMode)).toEqual([0, 0, 2, 3, 3]);
    expect([0, 0.5, 1].map(energyGateDb)).toEqual([-75, -47.5, -20]);
  });

  it('keeps its clock across pushes and after a resync', async () => {
    const vad = await VoiceActivityDetector.create({ prefixPaddingMs: 0, silenceDurationMs: 500 }, 1000);
    try {
      const speech = pcm16ToFloat32(hello());
      const whole: VadEvent[] = [];
      for (let i = 0; i < speech.length; i += 2400) whole.push(...vad.push(speech.subarray(i, i + 2400)));
      expect(whole.map((e) => e.type)).toEqual(['start', 'stop']);
      vad.resync(100_000);
      const again = vad.push(speech);
      expect(again.map((e) => e.audioMs - 100_000)).toEqual(whole.map((e) => e.audioMs - 1000));
    } finally {
      vad.dispose();
    }
    expect(vad.push(new Float32Array(2400))).toEqual([]); // disposed: inert
  });
});
