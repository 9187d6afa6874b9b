// sessionUpdate(config, dialect) and userMessage(text): the exact events per dialect, that they encode and decode
// as known client events, that they reproduce the corpus's official examples, that the emulator's validator and a
// live emulator over a real socket accept them (session.updated echoes them), and the type and thrown errors for a
// field of the other dialect.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  decodeClientEvent,
  encodeClientEvent,
  isUnknownEvent,
  sessionUpdate,
  SessionConfigError,
  userMessage,
  type ClientEvent,
  type Dialect,
  type SessionConfig,
} from '../../src/protocol';
import { RESPONSE_FIELDS, validateResponse, validateSession } from '../../src/testing/validate';
import { useSessions, type Ev } from '../emulator/harness';
import { clientCorpus, dialectOf } from './corpus';

const DIALECTS = ['preview', 'ga'] as const;

const weatherTool = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
} as const;

/** Every field the two dialects share, set. */
const shared = {
  instructions: 'You are a helpful assistant.',
  voice: 'alloy',
  outputModalities: ['audio'],
  inputAudioFormat: 'pcm16',
  outputAudioFormat: 'g711_ulaw',
  inputTranscription: { model: 'whisper-1', language: 'en', prompt: 'weather words' },
  inputNoiseReduction: 'near_field',
  turnDetection: {
    type: 'server_vad',
    threshold: 0.6,
    prefixPaddingMs: 250,
    silenceDurationMs: 400,
    createResponse: true,
    interruptResponse: false,
  },
  tools: [weatherTool],
  toolChoice: 'auto',
  maxOutputTokens: 512,
  speed: 1.1,
  include: ['item.input_audio_transcription.logprobs'],
} as const satisfies SessionConfig;

const previewConfig: SessionConfig<'preview'> = { ...shared, temperature: 0.7 };
const gaConfig: SessionConfig<'ga'> = {
  ...shared,
  voice: 'marin',
  turnDetection: { ...shared.turnDetection, idleTimeoutMs: 6000 },
  tracing: 'auto',
  truncation: 'auto',
};

const previewSession = {
  modalities: ['text', 'audio'],
  instructions: 'You are a helpful assistant.',
  voice: 'alloy',
  input_audio_format: 'pcm16',
  output_audio_format: 'g711_ulaw',
  input_audio_transcription: { model: 'whisper-1', language: 'en', prompt: 'weather words' },
  input_audio_noise_reduction: { type: 'near_field' },
  turn_detection: {
    type: 'server_vad',
    threshold: 0.6,
    prefix_padding_ms: 250,
    silence_duration_ms: 400,
    create_response: true,
    interrupt_response: false,
  },
  tools: [{ type: 'function', ...weatherTool }],
  tool_choice: 'auto',
  temperature: 0.7,
  max_response_output_tokens: 512,
  speed: 1.1,
  include: ['item.input_audio_transcription.logprobs'],
};

const gaSession = {
  type: 'realtime',
  output_modalities: ['audio'],
  instructions: 'You are a helpful assistant.',
  audio: {
    input: {
      format: { type: 'audio/pcm', rate: 24000 },
      transcription: { model: 'whisper-1', language: 'en', prompt: 'weather words' },
      noise_reduction: { type: 'near_field' },
      turn_detection: {
        type: 'server_vad',
        threshold: 0.6,
        prefix_padding_ms: 250,
        silence_duration_ms: 400,
        create_response: true,
        interrupt_response: false,
        idle_timeout_ms: 6000,
      },
    },
    output: { format: { type: 'audio/pcmu' }, voice: 'marin', speed: 1.1 },
  },
  tools: [{ type: 'function', ...weatherTool }],
  tool_choice: 'auto',
  max_output_tokens: 512,
  include: ['item.input_audio_transcription.logprobs'],
  tracing: 'auto',
  truncation: 'auto',
};

/** The config, the dialect, and the `session` object it must produce: one case per shape worth pinning. */
const CASES: readonly { name: string; dialect: Dialect; config: SessionConfig; session: object }[] = [
  { name: 'every field (preview)', dialect: 'preview', config: previewConfig, session: previewSession },
  { name: 'every field (ga)', dialect: 'ga', config: gaConfig, session: gaSession },
  { name: 'empty (preview)', dialect: 'preview', config: {}, session: {} },
  { name: 'empty (ga)', dialect: 'ga', config: {}, session: { type: 'realtime' } },
  {
    name: 'text only, manual turns (preview)',
    dialect: 'preview',
    config: { outputModalities: ['text'], turnDetection: null, inputTranscription: null },
    session: { modalities: ['text'], turn_detection: null, input_audio_transcription: null },
  },
  {
    name: 'text only, manual turns (ga)',
    dialect: 'ga',
    config: { outputModalities: ['text'], turnDetection: { type: 'none' }, inputTranscription: null },
    session: {
      type: 'realtime',
      output_modalities: ['text'],
      audio: { input: { transcription: null, turn_detection: null } },
    },
  },
  {
    name: 'semantic VAD, A-law, a named function (preview)',
    dialect: 'preview',
    config: {
      turnDetection: { type: 'semantic_vad', eagerness: 'low', interruptResponse: true },
      inputAudioFormat: 'g711_alaw',
      toolChoice: { type: 'function', name: 'get_weather' },
      maxOutputTokens: 'inf',
      inputNoiseReduction: null,
    },
    session: {
      turn_detection: { type: 'semantic_vad', eagerness: 'low', interrupt_response: true },
      input_audio_format: 'g711_alaw',
      // Azure documents {type:"function", function:{name}} for the preview protocol (protocol README §3)
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_response_output_tokens: 'inf',
      input_audio_noise_reduction: null,
    },
  },
  {
    name: 'semantic VAD, A-law, a named function (ga)',
    dialect: 'ga',
    config: {
      turnDetection: { type: 'semantic_vad', eagerness: 'low', interruptResponse: true },
      inputAudioFormat: 'g711_alaw',
      toolChoice: { type: 'function', name: 'get_weather' },
      maxOutputTokens: 'inf',
      voice: { id: 'voice_custom_1' },
    },
    session: {
      type: 'realtime',
      audio: {
        input: {
          format: { type: 'audio/pcma' },
          turn_detection: { type: 'semantic_vad', eagerness: 'low', interrupt_response: true },
        },
        output: { voice: { id: 'voice_custom_1' } },
      },
      tool_choice: { type: 'function', name: 'get_weather' },
      max_output_tokens: 'inf',
    },
  },
  {
    name: 'GA-only prompt, tracing object and truncation ratio (ga)',
    dialect: 'ga',
    config: {
      prompt: { id: 'pmpt_1', version: '2', variables: { city: 'Paris' } },
      tracing: { workflowName: 'weather', groupId: 'g1', metadata: { team: 'a' } },
      truncation: { type: 'retention_ratio', retentionRatio: 0.5, tokenLimits: { postInstructions: 1000 } },
      inputTranscription: {
        model: 'gpt-4o-transcribe',
        languages: ['en', 'fr'],
        keywords: ['Paris'],
        delay: 'low',
      },
    },
    session: {
      type: 'realtime',
      audio: {
        input: {
          transcription: {
            model: 'gpt-4o-transcribe',
            languages: ['en', 'fr'],
            keywords: ['Paris'],
            delay: 'low',
          },
        },
      },
      prompt: { id: 'pmpt_1', version: '2', variables: { city: 'Paris' } },
      tracing: { workflow_name: 'weather', group_id: 'g1', metadata: { team: 'a' } },
      truncation: {
        type: 'retention_ratio',
        retention_ratio: 0.5,
        token_limits: { post_instructions: 1000 },
      },
    },
  },
];

describe('sessionUpdate(config, dialect)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('writes %s in the dialect’s wire shape', (_name, c) => {
    expect(sessionUpdate(c.config, c.dialect)).toEqual({ type: 'session.update', session: c.session });
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    'writes %s as a frame that decodes as a known session.update of its dialect',
    (_name, c) => {
      const event = sessionUpdate(c.config, c.dialect);
      const frame = encodeClientEvent(event, c.dialect);
      const decoded = decodeClientEvent(frame, c.dialect);
      expect(E.isRight(decoded) && !isUnknownEvent(decoded.right)).toBe(true);
      expect(E.isRight(decoded) && decoded.right).toEqual(event);
      // GA's required `session.type` is in the event itself, so encoding adds nothing
      expect(JSON.parse(frame)).toEqual(event);
    },
  );

  it.each(CASES.map((c) => [c.name, c] as const))(
    'writes %s so that the emulator validator accepts it',
    (_name, c) => {
      const session = sessionUpdate(c.config, c.dialect).session as Record<string, unknown>;
      expect(validateSession(c.dialect, session)).toBeUndefined();
    },
  );

  it('reproduces the official examples of the conformance corpus from a SessionConfig', () => {
    const example = (source: string, dialect: Dialect) => {
      const entry = clientCorpus.find(
        (e) => e.source.startsWith(source) && e.type === 'session.update' && dialectOf(e) === dialect,
      );
      if (!entry) throw new Error(`no ${dialect} corpus example ${source}`);
      return entry.payload['session'];
    };
    const corpusWeather = {
      name: 'get_weather',
      description: 'Get the current weather...',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    };
    // the beta spec's example (openai-openapi@25be478, RealtimeClientEventSessionUpdate)
    expect(
      sessionUpdate(
        {
          outputModalities: ['text', 'audio'],
          instructions: 'You are a helpful assistant.',
          voice: 'sage',
          inputAudioFormat: 'pcm16',
          outputAudioFormat: 'pcm16',
          inputTranscription: { model: 'whisper-1' },
          turnDetection: {
            type: 'server_vad',
            threshold: 0.5,
            prefixPaddingMs: 300,
            silenceDurationMs: 500,
            createResponse: true,
          },
          tools: [{ type: 'function', ...corpusWeather }],
          toolChoice: 'auto',
          temperature: 0.8,
          maxOutputTokens: 'inf',
        },
        'preview',
      ).session,
    ).toEqual(example('openai/openai-openapi@25be478', 'preview'));
    // Azure's how-to "Session configuration" example
    expect(
      sessionUpdate(
        {
          voice: 'alloy',
          instructions: '',
          inputAudioFormat: 'pcm16',
          inputTranscription: { model: 'whisper-1' },
          turnDetection: {
            type: 'server_vad',
            threshold: 0.5,
            prefixPaddingMs: 300,
            silenceDurationMs: 200,
            createResponse: true,
          },
          tools: [],
        },
        'preview',
      ).session,
    ).toEqual(example('MicrosoftDocs/azure-ai-docs@bd70210', 'preview'));
    // the GA spec's example (openai-openapi@5162af9, RealtimeClientEventSessionUpdate)
    const ga = example('openai/openai-openapi@5162af9', 'ga') as { tools: (typeof corpusWeather)[] };
    expect(ga).toBeDefined();
    expect(
      sessionUpdate(
        {
          instructions: 'You are a creative assistant that helps with design tasks.',
          tools: ga.tools,
          toolChoice: 'auto',
        },
        'ga',
      ).session,
    ).toEqual(example('openai/openai-openapi@5162af9', 'ga'));
  });

  it('leaves the config as it was', () => {
    const config = structuredClone(gaConfig);
    sessionUpdate(config, 'ga');
    expect(config).toEqual(gaConfig);
  });

  it('treats a field set to undefined as left out', () => {
    expect(sessionUpdate({ instructions: undefined, temperature: undefined }, 'ga')).toEqual({
      type: 'session.update',
      session: { type: 'realtime' },
    });
  });

  describe('a field of the other dialect', () => {
    it('is a type error with a literal dialect, and a thrown SessionConfigError naming it at run time', () => {
      // @ts-expect-error temperature is preview only
      expect(() => sessionUpdate({ temperature: 0.7 }, 'ga')).toThrow(
        "sessionUpdate(config, 'ga'): 'temperature' exists only in the preview dialect: the GA protocol removed temperature. Remove it for 'ga'.",
      );
      // @ts-expect-error prompt is GA only
      expect(() => sessionUpdate({ prompt: { id: 'pmpt_1' } }, 'preview')).toThrow(
        "sessionUpdate(config, 'preview'): 'prompt' exists only in the ga dialect: prompt is a GA session field. Remove it for 'preview'.",
      );
      // @ts-expect-error tracing is GA only
      expect(() => sessionUpdate({ tracing: 'auto' }, 'preview')).toThrow(/'tracing' exists only in the ga/);
      // @ts-expect-error truncation is GA only
      expect(() => sessionUpdate({ truncation: 'auto' }, 'preview')).toThrow(
        /'truncation' exists only in the ga/,
      );
      expect(() =>
        // @ts-expect-error idle_timeout_ms is GA turn detection only
        sessionUpdate({ turnDetection: { type: 'server_vad', idleTimeoutMs: 6000 } }, 'preview'),
      ).toThrow(
        "sessionUpdate(config, 'preview'): 'turnDetection.idleTimeoutMs' exists only in the ga dialect: idle_timeout_ms is a GA turn detection field. Remove it for 'preview'.",
      );
      expect(() =>
        // @ts-expect-error languages is GA input transcription only
        sessionUpdate({ inputTranscription: { model: 'whisper-1', languages: ['en'] } }, 'preview'),
      ).toThrow(/'inputTranscription.languages' exists only in the ga dialect/);
      // @ts-expect-error marin is a GA voice
      expect(() => sessionUpdate({ voice: 'marin' }, 'preview')).toThrow(
        "sessionUpdate(config, 'preview'): the voice 'marin' exists only in the ga dialect.",
      );
      // @ts-expect-error a custom voice is GA only
      expect(() => sessionUpdate({ voice: { id: 'v1' } }, 'preview')).toThrow(
        "sessionUpdate(config, 'preview'): a custom voice { id } exists only in the ga dialect. Use a voice name for 'preview'.",
      );
    });

    it('is a thrown SessionConfigError with the field and the dialect when the dialect is only known at run time', () => {
      const dialect = ['preview', 'ga'][1] as Dialect;
      const config: SessionConfig = { instructions: 'Hi', temperature: 0.9 };
      let caught: unknown;
      try {
        sessionUpdate(config, dialect);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SessionConfigError);
      expect(caught).toMatchObject({ name: 'SessionConfigError', field: 'temperature', dialect: 'ga' });
      // the same config is fine for the dialect that has the field
      expect(sessionUpdate(config, 'preview' as Dialect).session).toEqual({
        instructions: 'Hi',
        temperature: 0.9,
      });
    });

    it('takes a config typed SessionConfig (either dialect’s fields) with a literal dialect, checked at run time', () => {
      const config: SessionConfig = { instructions: 'Hi' };
      expect(sessionUpdate(config, 'ga').session).toEqual({ type: 'realtime', instructions: 'Hi' });
      const both: SessionConfig = { temperature: 0.9 };
      expect(() => sessionUpdate(both, 'ga')).toThrow(/'temperature' exists only in the preview dialect/);
      const ga: SessionConfig<'ga'> = { instructions: 'Hi' };
      expect(sessionUpdate(ga, 'ga').session).toEqual({ type: 'realtime', instructions: 'Hi' });
      const preview: SessionConfig<'preview'> = { temperature: 0.9 };
      // a typed config's dialect joins the literal's (D = Dialect): the run-time check catches it
      expect(() => sessionUpdate(preview, 'ga')).toThrow(SessionConfigError);
    });

    it('accepts the other dialect’s fields in the untyped SessionConfig, so one config can be checked at run time', () => {
      const config: SessionConfig = { temperature: 0.9, prompt: { id: 'p' } };
      for (const dialect of DIALECTS as readonly Dialect[])
        expect(() => sessionUpdate(config, dialect)).toThrow(SessionConfigError);
    });
  });

  describe('a config it cannot say', () => {
    it.each(DIALECTS)('throws for an unknown field, wire-named fields included (%s)', (dialect) => {
      expect(() => sessionUpdate({ turn_detection: null } as SessionConfig, dialect)).toThrow(
        `sessionUpdate(config, '${dialect}'): unknown SessionConfig field 'turn_detection'.`,
      );
      expect(() =>
        sessionUpdate(
          { turnDetection: { type: 'server_vad', silence_duration_ms: 1 } } as SessionConfig,
          dialect,
        ),
      ).toThrow(`unknown SessionConfig field 'turnDetection.silence_duration_ms'.`);
      expect(() =>
        sessionUpdate({ turnDetection: { type: 'semantic_vad', threshold: 0.5 } } as SessionConfig, dialect),
      ).toThrow(`unknown SessionConfig field 'turnDetection.threshold'.`);
      expect(() =>
        sessionUpdate({ tools: [{ name: 'f', strict: true }] } as unknown as SessionConfig, dialect),
      ).toThrow(`unknown SessionConfig field 'tools[0].strict'.`);
      expect(() =>
        sessionUpdate({ tools: [{ description: 'x' }] } as unknown as SessionConfig, dialect),
      ).toThrow(`sessionUpdate(config, '${dialect}'): a function tool needs a name (tools[0].name).`);
    });

    it.each(DIALECTS)(
      'throws for empty or unknown output modalities and turn detection types (%s)',
      (dialect) => {
        expect(() => sessionUpdate({ outputModalities: [] }, dialect)).toThrow(
          `sessionUpdate(config, '${dialect}'): 'outputModalities' is empty: give ['text'] or ['audio'].`,
        );
        expect(() =>
          sessionUpdate({ outputModalities: ['video'] } as unknown as SessionConfig, dialect),
        ).toThrow(`unknown output modality "video" (expected 'text' or 'audio').`);
        expect(() =>
          sessionUpdate({ turnDetection: { type: 'push_to_talk' } } as unknown as SessionConfig, dialect),
        ).toThrow(
          `unknown turn detection type "push_to_talk" (expected 'server_vad', 'semantic_vad' or 'none').`,
        );
        expect(() =>
          sessionUpdate({ tools: [{ type: 'mcp', name: 'x' }] } as unknown as SessionConfig, dialect),
        ).toThrow(`only function tools are supported here (type 'function'), got "mcp".`);
      },
    );

    it('throws for idleTimeoutMs on semantic VAD: it is a server VAD field (GA)', () => {
      expect(() =>
        sessionUpdate(
          // @ts-expect-error semantic VAD has no idle timeout
          { turnDetection: { type: 'semantic_vad', eagerness: 'high', idleTimeoutMs: 6000 } },
          'ga',
        ),
      ).toThrow(`sessionUpdate(config, 'ga'): unknown SessionConfig field 'turnDetection.idleTimeoutMs'.`);
    });

    it('throws for an unknown dialect', () => {
      expect(() => sessionUpdate({}, 'beta' as Dialect)).toThrow(
        `sessionUpdate: unknown dialect "beta" (expected 'preview' or 'ga').`,
      );
    });

    it('maps every list with audio to the dialect’s audio modalities', () => {
      for (const m of [['audio'], ['text', 'audio'], ['audio', 'text']] as const) {
        expect(sessionUpdate({ outputModalities: m }, 'preview').session.modalities).toEqual([
          'text',
          'audio',
        ]);
        expect(sessionUpdate({ outputModalities: m }, 'ga').session.output_modalities).toEqual(['audio']);
      }
    });
  });
});

describe('userMessage(text)', () => {
  const item = (text: string) => ({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });

  it('is the conversation.item.create of a user input_text message, then a response.create', () => {
    expect(userMessage('What is the weather in Paris?')).toEqual([
      item('What is the weather in Paris?'),
      { type: 'response.create' },
    ]);
  });

  it('is the item alone with respond: false', () => {
    expect(userMessage('Remember this.', { respond: false })).toEqual([item('Remember this.')]);
  });

  it('keeps text as given (empty, unicode, quotes)', () => {
    for (const text of ['', 'Ça va ? 😀', '"quoted"\n']) expect(userMessage(text)[0]).toEqual(item(text));
  });

  it('throws a TypeError for a text that is not a string', () => {
    expect(() => userMessage(42 as unknown as string)).toThrow(
      'userMessage: text must be a string, got number.',
    );
  });

  it('is the corpus’s official user message in both dialects', () => {
    for (const protocol of ['beta', 'ga']) {
      const official = clientCorpus.find(
        (e) =>
          e.protocol === protocol &&
          e.type === 'conversation.item.create' &&
          JSON.stringify(e.payload['item']).includes('"text":"hi"'),
      );
      expect(official).toBeDefined();
      expect(userMessage('hi')[0]).toEqual({
        type: 'conversation.item.create',
        item: official!.payload['item'],
      });
    }
  });

  it.each(DIALECTS)(
    'encodes to frames that decode as known client events, and pass the emulator validator (%s)',
    (dialect) => {
      for (const event of userMessage('Hi there')) {
        const decoded = decodeClientEvent(encodeClientEvent(event, dialect), dialect);
        expect(E.isRight(decoded) && !isUnknownEvent(decoded.right) && decoded.right).toEqual(event);
      }
      expect(RESPONSE_FIELDS[dialect]).toBeDefined();
      expect(validateResponse(dialect, {})).toBeUndefined();
    },
  );
});

describe.each(DIALECTS)('against the emulator on a real socket (%s)', (dialect) => {
  const start = useSessions();
  const config = dialect === 'preview' ? previewConfig : gaConfig;

  /** Every leaf of `sent` is in `echo` with the same value. */
  function missingIn(echo: unknown, sent: unknown, path = 'session'): string[] {
    if (sent !== null && typeof sent === 'object' && !Array.isArray(sent)) {
      if (echo === null || typeof echo !== 'object') return [`${path}: ${JSON.stringify(echo)}`];
      return Object.entries(sent).flatMap(([k, v]) =>
        missingIn((echo as Record<string, unknown>)[k], v, `${path}.${k}`),
      );
    }
    return JSON.stringify(echo) === JSON.stringify(sent) ? [] : [`${path}: ${JSON.stringify(echo)}`];
  }

  it('accepts the full config: session.updated echoes every field sent', async () => {
    const s = await start(dialect);
    const update = sessionUpdate(config, dialect);
    s.send({ ...update, event_id: 'evt_update' } as ClientEvent);
    const reply = await s.next((e) => e.type === 'session.updated' || e.type === 'error');
    expect(reply.type, JSON.stringify(reply)).toBe('session.updated');
    expect(missingIn(reply['session'], update.session)).toEqual([]);
  });

  it.each(CASES.filter((c) => c.dialect === dialect).map((c) => [c.name, c] as const))(
    'accepts %s',
    async (_name, c) => {
      const s = await start(dialect);
      const update = sessionUpdate(c.config, dialect);
      s.send(update);
      const reply = await s.next((e) => e.type === 'session.updated' || e.type === 'error');
      expect(reply.type, JSON.stringify(reply)).toBe('session.updated');
      expect(missingIn(reply['session'], update.session)).toEqual([]);
    },
  );

  it('answers a userMessage turn in a text session built by sessionUpdate', async () => {
    const s = await start(dialect);
    s.send(sessionUpdate({ outputModalities: ['text'], turnDetection: null }, dialect));
    await s.next('session.updated');
    s.send(...userMessage('What is the weather in Paris?'));
    const done = await s.next('response.done');
    const response = done['response'] as { status: string; output: { content: { text?: string }[] }[] };
    expect(response.status).toBe('completed');
    expect(response.output[0]!.content[0]!.text).toBe(
      'You said: What is the weather in Paris?. This is the rx-realtime emulator answering.',
    );
    expect(s.events.filter((e) => e.type === 'error')).toEqual([]);
    const added = s.events.find(
      (e) => (e as Ev).type === (dialect === 'ga' ? 'conversation.item.added' : 'conversation.item.created'),
    ) as Ev | undefined;
    expect(added?.['item']).toMatchObject({ role: 'user', content: [{ type: 'input_text' }] });
  });
});
