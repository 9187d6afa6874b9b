// Internal: what the turn-taking operators read from `session.created` / `session.updated`, in either dialect's
// session shape (protocol README §3, §4), and the decoded length of base64 audio without decoding it.

/**
 * Whether the server cancels a response at `speech_started` by itself: server VAD (`server_vad`, `semantic_vad`)
 * with `interrupt_response` not false (default true). `undefined` when the session object does not say (a
 * partial session keeps the previous setting).
 */
// source: protocol README §3
export function interruptsItself(session: unknown): boolean | undefined {
  const s = session as { turn_detection?: unknown; audio?: { input?: { turn_detection?: unknown } } } | null;
  const td = s?.turn_detection !== undefined ? s.turn_detection : s?.audio?.input?.turn_detection;
  if (td === undefined) return undefined;
  if (td === null) return false; // manual turns: no server VAD, nothing cancels by itself
  const { type, interrupt_response: interrupt } = td as { type?: unknown; interrupt_response?: unknown };
  const vad = type === undefined || type === 'server_vad' || type === 'semantic_vad';
  return vad && interrupt !== false;
}

/**
 * Bytes per millisecond of the session's output audio: 48 for PCM16 at 24 kHz, 8 for G.711 µ-law / A-law at 8 kHz
 * (preview `output_audio_format`, GA `audio.output.format.type`). `undefined` when the session does not say.
 */
// source: protocol README §1
export function outputBytesPerMs(session: unknown): number | undefined {
  const s = session as { output_audio_format?: unknown; audio?: { output?: { format?: unknown } } } | null;
  const preview = s?.output_audio_format;
  if (typeof preview === 'string') return preview.startsWith('g711') ? 8 : 48;
  const ga = (s?.audio?.output?.format as { type?: unknown } | undefined)?.type;
  if (typeof ga === 'string') return ga === 'audio/pcmu' || ga === 'audio/pcma' ? 8 : 48;
  return undefined;
}

/** Decoded length of a base64 string, without decoding it. */
export function base64Length(b64: string): number {
  let padding = 0;
  if (b64.endsWith('==')) padding = 2;
  else if (b64.endsWith('=')) padding = 1;
  return Math.floor((b64.length * 3) / 4) - padding;
}
