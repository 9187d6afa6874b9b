/**
 * The CLI's `session.update`: its few settings as a `SessionConfig`, in the dialect's shape by `sessionUpdate`.
 */
import { sessionUpdate as buildSessionUpdate } from '../protocol/sessionConfig';
import type { VoiceConfig } from '../protocol/sessionConfig';
import type { ClientEvent, Dialect } from '../protocol';

export interface SessionSettings {
  readonly instructions?: string | undefined;
  readonly voice?: string | undefined;
  readonly textOnly?: boolean | undefined;
}

export function sessionUpdate(dialect: Dialect, s: SessionSettings): ClientEvent {
  return buildSessionUpdate(
    {
      outputModalities: s.textOnly ? ['text'] : ['audio'],
      ...(s.instructions ? { instructions: s.instructions } : {}),
      // a name the dialect does not have is refused by the builder with a SessionConfigError naming it
      ...(s.voice ? { voice: s.voice as VoiceConfig } : {}),
      inputAudioFormat: 'pcm16',
      outputAudioFormat: 'pcm16',
      turnDetection: { type: 'server_vad', silenceDurationMs: 500 },
    },
    dialect,
  );
}
