/**
 * The CLI's `session.update`, in the shape of the dialect: the beta (preview) session is flat, the GA one has
 * `type: 'realtime'` and nests the audio settings (GA refuses an update without `session.type`).
 */
import type { ClientEvent, Dialect } from '../protocol';

export interface SessionSettings {
  readonly instructions?: string | undefined;
  readonly voice?: string | undefined;
  readonly textOnly?: boolean | undefined;
}

export function sessionUpdate(dialect: Dialect, s: SessionSettings): ClientEvent {
  const turnDetection = { type: 'server_vad', silence_duration_ms: 500 };
  if (dialect === 'preview') {
    return {
      type: 'session.update',
      session: {
        modalities: s.textOnly ? ['text'] : ['text', 'audio'],
        ...(s.instructions ? { instructions: s.instructions } : {}),
        ...(s.voice ? { voice: s.voice } : {}),
        input_audio_format: 'pcm16',
        output_audio_format: 'pcm16',
        turn_detection: turnDetection,
      },
    } as ClientEvent;
  }
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      output_modalities: s.textOnly ? ['text'] : ['audio'],
      ...(s.instructions ? { instructions: s.instructions } : {}),
      audio: {
        input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: turnDetection },
        output: { format: { type: 'audio/pcm', rate: 24000 }, ...(s.voice ? { voice: s.voice } : {}) },
      },
    },
  } as ClientEvent;
}
