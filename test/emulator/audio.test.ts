// The input audio buffer, server VAD settings, G.711, input transcription and the GA idle timeout.
import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../../src/audio/base64';
import { encodeMuLaw } from '../../src/audio/g711';
import { float32ToPcm16, pcm16ToFloat32, pcm16ToInt16 } from '../../src/audio/pcm';
import { resample } from '../../src/audio/resample';
import type { ClientEvent, Dialect } from '../../src/protocol';
import {
  appends,
  hello,
  names,
  silence,
  turnDetection,
  useSessions,
  userText,
  type Ev,
  type Live,
} from './harness';

const start = useSessions();
const VAD = { type: 'server_vad' };

/** The events from the last one of `type` seen so far. */
const countOf = (s: Live, type: string) => s.types().filter((t) => t === type).length;

/** hello.wav at another level (gain 0.1 = −20 dB). */
function scaled(pcm: Uint8Array, gain: number): Uint8Array {
  return float32ToPcm16(pcm16ToFloat32(pcm).map((x) => x * gain));
}

/** Sends audio, then a manual commit: the VAD events of the audio (if any) come before `committed`. */
async function vadTurn(
  s: Live,
  audio: Uint8Array,
): Promise<{ started: Ev | undefined; stopped: Ev | undefined }> {
  s.send(...appends(audio), { type: 'input_audio_buffer.commit' });
  await s.next('input_audio_buffer.committed');
  const find = (t: string) => s.events.find((e) => e.type === t) as unknown as Ev | undefined;
  return {
    started: find('input_audio_buffer.speech_started'),
    stopped: find('input_audio_buffer.speech_stopped'),
  };
}

/** Manual commits (turn detection off) with input transcription on, in the dialect's session shape. */
function manualWithTranscription(s: { send(...e: ClientEvent[]): void }, dialect: Dialect): void {
  s.send(
    turnDetection(
      dialect,
      null,
      dialect === 'preview' ? { input_audio_transcription: { model: 'whisper-1' } } : {},
    ),
  );
  if (dialect === 'ga') {
    s.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' } } } },
    });
  }
}

describe.each(['preview', 'ga'] as Dialect[])('input audio in %s', (dialect) => {
  const n = names[dialect];

  it('commits manually with turn_detection null, and refuses a commit of less than 100 ms', async () => {
    const s = await start(dialect);
    s.send(turnDetection(dialect, null), ...appends(silence(1000)), { type: 'input_audio_buffer.commit' });
    const committed = await s.next('input_audio_buffer.committed');
    expect(committed['previous_item_id']).toBeNull();
    const item = await s.next(n.itemAdded[0]!);
    expect(item['item']).toMatchObject({
      id: committed['item_id'],
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    });
    s.send({ type: 'input_audio_buffer.commit', event_id: 'evt_empty' });
    expect((await s.next('error'))['error']).toEqual({
      type: 'invalid_request_error',
      code: 'input_audio_buffer_commit_empty',
      message:
        'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has 0.00ms of audio.',
      param: null,
      event_id: 'evt_empty',
    });
    s.send(...appends(silence(50)), { type: 'input_audio_buffer.commit' });
    expect(((await s.next('error'))['error'] as { message: string }).message).toContain(
      'buffer only has 50.00ms of audio.',
    );
    // manual mode never answers by itself (§6)
    s.send({ type: 'input_audio_buffer.clear' });
    await s.next('input_audio_buffer.cleared');
    expect(s.types()).not.toContain('response.created');
  });

  it('clears the buffer: a commit after a clear has nothing to commit', async () => {
    const s = await start(dialect);
    s.send(
      turnDetection(dialect, null),
      ...appends(silence(500)),
      { type: 'input_audio_buffer.clear' },
      {
        type: 'input_audio_buffer.commit',
      },
    );
    await s.next('input_audio_buffer.cleared');
    expect(((await s.next('error'))['error'] as { code: string }).code).toBe(
      'input_audio_buffer_commit_empty',
    );
  });

  it('counts audio_start_ms and audio_end_ms on all the audio received in the session', async () => {
    const s = await start(dialect, { reply: [{ text: 'ok' }] });
    s.send(...appends(silence(2000)), ...appends(hello()));
    const started = await s.next('input_audio_buffer.speech_started');
    const stopped = await s.next('input_audio_buffer.speech_stopped');
    // hello.wav's speech starts 0.5 s into it, reported 300 ms early (prefix padding): 2000 + 500 − 300
    expect(started['audio_start_ms']).toBeGreaterThanOrEqual(2150);
    expect(started['audio_start_ms']).toBeLessThanOrEqual(2300);
    expect(stopped['audio_end_ms']).toBeGreaterThan(5600);
    expect(stopped['audio_end_ms']).toBeLessThan(6400);
  });

  it('honours prefix_padding_ms and silence_duration_ms exactly', async () => {
    const results: { started: Ev | undefined; stopped: Ev | undefined }[] = [];
    for (const td of [
      { ...VAD, prefix_padding_ms: 0, silence_duration_ms: 200, create_response: false },
      { ...VAD, prefix_padding_ms: 300, silence_duration_ms: 1000, create_response: false },
    ]) {
      const s = await start(dialect);
      s.send(turnDetection(dialect, td));
      results.push(await vadTurn(s, hello()));
    }
    const [a, b] = results;
    expect((a!.started!['audio_start_ms'] as number) - (b!.started!['audio_start_ms'] as number)).toBe(300);
    expect((b!.stopped!['audio_end_ms'] as number) - (a!.stopped!['audio_end_ms'] as number)).toBe(800);
  });

  it('needs louder audio at a higher threshold: quiet speech is a turn at 0.5, not at 0.9', async () => {
    const quiet = scaled(hello(), 0.1); // −20 dB
    const heard: boolean[] = [];
    for (const threshold of [0.5, 0.9]) {
      const s = await start(dialect);
      s.send(turnDetection(dialect, { ...VAD, threshold, create_response: false }));
      heard.push((await vadTurn(s, quiet)).started !== undefined);
    }
    expect(heard).toEqual([true, false]);
  });

  it('does not answer a VAD turn with create_response false', async () => {
    const s = await start(dialect);
    s.send(turnDetection(dialect, { ...VAD, create_response: false }), ...appends(hello()));
    await s.next('input_audio_buffer.committed');
    s.send({ type: 'response.create', event_id: 'evt_mine' });
    await s.next('response.done');
    expect(countOf(s, 'response.created')).toBe(1);
    expect(s.types()).not.toContain('error');
  });

  it('lets the response finish with interrupt_response false, then answers the new turn', async () => {
    const s = await start(dialect, {
      pace: 'realtime',
      reply: [{ text: 'Keep talking.' }, { text: 'Second.' }],
    });
    s.send(turnDetection(dialect, { ...VAD, interrupt_response: false }), userText('hi'), {
      type: 'response.create',
    });
    await s.next(`${n.audio}.delta`);
    s.send(...appends(hello()));
    await s.next('input_audio_buffer.speech_started');
    const first = await s.next('response.done');
    expect((first['response'] as { status: string }).status).toBe('completed');
    const second = await s.next('response.done');
    expect(
      (second['response'] as { output: { content: { transcript: string }[] }[] }).output[0]!.content[0]!
        .transcript,
    ).toBe('Second.');
    expect(s.types()).not.toContain('error');
  });

  it('takes G.711 µ-law input when configured, counting 8 bytes a millisecond, and speaks G.711 back', async () => {
    const s = await start(dialect, { reply: [{ text: 'Short answer.' }] });
    const at8k = pcm16ToInt16(float32ToPcm16(resample(pcm16ToFloat32(hello()), 24000, 8000)));
    const ulaw = encodeMuLaw(at8k);
    s.send({
      type: 'session.update',
      session:
        dialect === 'preview'
          ? { input_audio_format: 'g711_ulaw', output_audio_format: 'g711_ulaw' }
          : {
              type: 'realtime',
              audio: {
                input: { format: { type: 'audio/pcmu' } },
                output: { format: { type: 'audio/pcmu' } },
              },
            },
    } as ClientEvent);
    const updated = await s.next('session.updated');
    if (dialect === 'ga')
      expect((updated['session'] as { audio: { input: { format: unknown } } }).audio.input.format).toEqual({
        type: 'audio/pcmu',
      });
    s.send(...appends(ulaw, 8));
    const started = await s.next('input_audio_buffer.speech_started');
    const stopped = await s.next('input_audio_buffer.speech_stopped');
    expect(started['audio_start_ms']).toBeGreaterThanOrEqual(200);
    expect(started['audio_start_ms']).toBeLessThan(400);
    expect(stopped['audio_end_ms']).toBeGreaterThan(3600);
    expect(stopped['audio_end_ms']).toBeLessThan(4400);
    const delta = await s.next(`${n.audio}.delta`);
    expect(Buffer.from(delta['delta'] as string, 'base64').length).toBe(800); // 100 ms at 8 kHz, one byte a sample
    const done = await s.next('response.done');
    expect(
      (done['response'] as Record<string, unknown>)[dialect === 'preview' ? 'output_audio_format' : 'audio'],
    ).toEqual(
      dialect === 'preview' ? 'g711_ulaw' : { output: { format: { type: 'audio/pcmu' }, voice: 'alloy' } },
    );
  });

  it('transcribes committed turns when input transcription is on, with the deterministic default', async () => {
    const s = await start(dialect);
    const model = dialect === 'preview' ? 'whisper-1' : 'gpt-4o-transcribe';
    s.send({
      type: 'session.update',
      session:
        dialect === 'preview'
          ? { input_audio_transcription: { model } }
          : { type: 'realtime', audio: { input: { transcription: { model } } } },
    } as ClientEvent);
    s.send(...appends(hello()));
    const started = await s.next('input_audio_buffer.speech_started');
    const stopped = await s.next('input_audio_buffer.speech_stopped');
    const completed = await s.next('conversation.item.input_audio_transcription.completed');
    const seconds = (
      ((stopped['audio_end_ms'] as number) - (started['audio_start_ms'] as number)) /
      1000
    ).toFixed(1);
    expect(completed).toMatchObject({
      item_id: started['item_id'],
      content_index: 0,
      transcript: `[emulator: ${seconds} s of speech, not transcribed]`,
    });
    const deltas = s.events.filter(
      (e) => e.type === 'conversation.item.input_audio_transcription.delta',
    ) as unknown as Ev[];
    // whisper-1 sends the transcript at once; gpt-4o-transcribe streams deltas first
    expect(deltas.map((d) => d['delta']).join('')).toBe(dialect === 'preview' ? '' : completed['transcript']);
    expect((completed['usage'] as { type: string }).type).toBe(dialect === 'preview' ? 'duration' : 'tokens');
    s.send({ type: 'conversation.item.retrieve', item_id: started['item_id'] as string });
    const retrieved = await s.next('conversation.item.retrieved');
    expect((retrieved['item'] as { content: unknown[] }).content).toEqual([
      { type: 'input_audio', transcript: completed['transcript'] },
    ]);
  });

  it('gives a custom transcriber the audio of the turn, and reports its failure as .failed', async () => {
    const seen: number[] = [];
    let calls = 0;
    const s = await start(dialect, {
      transcriber: (pcm, ms) => {
        seen.push(pcm.byteLength / 48, ms);
        if (calls++ === 1)
          throw Object.assign(new Error('no speech model here'), { code: 'audio_unintelligible' });
        return 'hello there';
      },
    });
    manualWithTranscription(s, dialect);
    s.send(...appends(silence(1500)), { type: 'input_audio_buffer.commit' });
    expect((await s.next('conversation.item.input_audio_transcription.completed'))['transcript']).toBe(
      'hello there',
    );
    s.send(...appends(silence(300)), { type: 'input_audio_buffer.commit' });
    const failed = await s.next('conversation.item.input_audio_transcription.failed');
    expect(failed['error']).toEqual({
      type: 'transcription_error',
      code: 'audio_unintelligible',
      message: 'no speech model here',
      param: null,
    });
    expect(seen).toEqual([1500, 1500, 300, 300]);
  });

  it('keeps at most maxTurnAudioMs of a turn for the transcriber (the rest is counted, not kept)', async () => {
    let kept = 0;
    const s = await start(dialect, {
      maxTurnAudioMs: 1000,
      transcriber: (pcm) => {
        kept = pcm.byteLength;
        return 'x';
      },
    });
    manualWithTranscription(s, dialect);
    s.send(...appends(silence(3000)), { type: 'input_audio_buffer.commit' });
    await s.next('conversation.item.input_audio_transcription.completed');
    expect(kept).toBe(1000 * 48);
  });

  it('takes a flood of appends (paused reading, nothing lost) and counts every millisecond', async () => {
    let seen = { bytes: 0, ms: 0 };
    const s = await start(dialect, {
      transcriber: (pcm, ms) => {
        seen = { bytes: pcm.byteLength, ms };
        return 'x';
      },
    });
    manualWithTranscription(s, dialect);
    s.send(...appends(silence(90_000)), { type: 'input_audio_buffer.commit' });
    await s.next('conversation.item.input_audio_transcription.completed');
    expect(seen).toEqual({ bytes: 60_000 * 48, ms: 90_000 }); // 900 appends counted; the last 60 s kept
  });

  it('refuses an append of more than 15 MiB', async () => {
    const s = await start(dialect);
    s.send({
      type: 'input_audio_buffer.append',
      event_id: 'evt_big',
      audio: bytesToBase64(new Uint8Array(15 * 1024 * 1024 + 2)),
    });
    expect((await s.next('error'))['error']).toEqual({
      type: 'invalid_request_error',
      code: 'invalid_value',
      message:
        "Invalid 'audio': one append may carry at most 15 MiB (15728640 bytes) of audio, got 15728642 bytes.",
      param: 'audio',
      event_id: 'evt_big',
    });
  });
});

describe('the GA idle timeout', () => {
  it('after a response, idle_timeout_ms of audio without speech commits it and answers (timeout_triggered)', async () => {
    const s = await start('ga');
    s.send(turnDetection('ga', { ...VAD, idle_timeout_ms: 5000 }), userText('hi'), {
      type: 'response.create',
    });
    await s.next('response.done');
    s.send(...appends(silence(6000)));
    const timeout = await s.next('input_audio_buffer.timeout_triggered');
    expect((timeout['audio_end_ms'] as number) - (timeout['audio_start_ms'] as number)).toBe(5000);
    const committed = await s.next('input_audio_buffer.committed');
    expect(committed['item_id']).toBe(timeout['item_id']);
    await s.next('response.created');
  });

  it('is not a preview field', async () => {
    const s = await start('preview');
    s.send(turnDetection('preview', { ...VAD, idle_timeout_ms: 5000 }));
    expect(((await s.next('error'))['error'] as { message: string }).message).toBe(
      "Unknown parameter: 'session.turn_detection.idle_timeout_ms'.",
    );
  });
});
