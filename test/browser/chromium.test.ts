// The browser example in a real headless Chromium (Debian's, driven by playwright-core through its executable
// path; no browser is ever downloaded). Chromium's fake microphone speaks a fixture WAV on a loop; the page
// (examples/browser, bundled from the built package) connects to the emulator through the global WebSocket with
// an ephemeral key its server minted, streams the mic through its capture worklet, plays the spoken reply
// through its playback worklet, and, when the WAV's loop speaks again over the reply, barges in: the truncate is
// at the position the page's player reported as heard.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultReply, type ReplyContext } from '../../src/testing/replies';
import { serveDemo, type Demo } from '../../examples/browser/serve';
import type { DemoState } from '../../examples/browser/app';

const CHROMIUM = '/usr/bin/chromium';
const root = new URL('../..', import.meta.url);
const WAV = fileURLToPath(new URL('test/fixtures/audio/hello.wav', root));
const ARTEFACTS = fileURLToPath(new URL('test-results/browser/', root));

// Only a developer machine without Chromium skips; in CI (.ci/run installs it) a missing Chromium fails.
const skip = !existsSync(CHROMIUM) && !process.env['CI'];
const reason = `skipped: ${CHROMIUM} is missing (apt-get install chromium) and CI is not set`;
if (skip) console.warn(`chromium.test.ts ${reason}`);

describe.skipIf(skip)(`the browser example in headless Chromium${skip ? ` (${reason})` : ''}`, () => {
  let demo: Demo;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const replies: ReplyContext[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    demo = await serveDemo({
      env: {}, // the emulator, whatever the environment says
      emulator: {
        speech: 'builtin',
        reply: (ctx) => {
          replies.push(ctx);
          return defaultReply(ctx);
        },
      },
    });
    profile = mkdtempSync(join(tmpdir(), 'rx-realtime-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${WAV}`, // looped: the second pass talks over the reply
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await demo?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** The page's state once a reply was heard and the loop's second pass interrupted it. */
  let s: DemoState;
  let session: { endpoint: string; deployment: string; key: string; expiresAt: number };
  const sockets: string[] = [];

  it('talks: mic to server VAD, a spoken reply played through the worklet, the transcript, a barge-in', async () => {
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(demo.url);
    const minted = page.waitForResponse((r) => new URL(r.url()).pathname === '/session');
    await page.click('#start');
    session = await (await minted).json();
    // about 7 s: the first pass's turn (~4 s), the reply playing, the second pass talking over it; on a timeout
    // the assertions below say what did not happen
    await page
      .waitForFunction(
        () => {
          const d = (globalThis as unknown as { rxDemo: DemoState }).rxDemo;
          return d.status === 'failed' || (d.truncated.length > 0 && d.playedMs > 0);
        },
        undefined,
        { timeout: 30_000, polling: 100 },
      )
      .catch(() => undefined);
    s = await page.evaluate(() => (globalThis as unknown as { rxDemo: DemoState }).rxDemo);
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, 'chromium.png'), fullPage: true });

    expect(s.errors).toEqual([]);
    expect(s.status).toBe('listening');
    // the page's bundle is the built package; the key it got was minted server-side, and the real key is nowhere
    expect(demo.bundleInputs).toContain('dist/browser.js');
    expect(demo.bundleInputs.filter((i) => /^node:|node_modules\/ws\//.test(i))).toEqual([]);
    expect(demo.minted()).toBe(1);
    expect(session.key).toMatch(/^ek_[0-9a-f]{32}$/);
    expect(JSON.stringify(session)).not.toContain(demo.emulator!.apiKey);
    // the global WebSocket, to the GA path, with no key in the URL (the ek_ key went as a subprotocol)
    const port = new URL(demo.emulator!.endpoint).port;
    expect(sockets).toEqual([`ws://127.0.0.1:${port}/openai/v1/realtime?model=gpt-realtime`]);

    // the emulator heard the fake mic: its server VAD started, stopped and committed a turn of real length
    expect(s.appendedMs).toBeGreaterThan(3000);
    const vad = s.events.filter((t) => t.startsWith('input_audio_buffer.'));
    expect(vad.slice(0, 3)).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
    ]);
    const first = replies[0]!;
    expect(first.input.kind).toBe('audio');
    // hello.wav speaks for about 3.4 s; the VAD's turn adds its prefix padding and silence
    expect(first.input.audioMs).toBeGreaterThan(2500);
    expect(first.input.audioMs).toBeLessThan(5500);

    // the spoken reply arrived and the playback worklet played it
    expect(s.receivedAudioBytes).toBeGreaterThan(48_000); // over a second of PCM16 24 kHz
    expect(s.playedMs).toBeGreaterThan(0);

    // the transcript shows both sides
    const lines = await page.locator('#transcript li').allTextContents();
    expect(lines[0]).toMatch(/^You: \[emulator: \d\.\d s of speech, not transcribed\]$/);
    // the assistant's line: what the reply's transcript deltas said until the barge-in cancelled it (a prefix of
    // the emulator's sentence, words included), then the page's mark of where it was interrupted
    const said = (defaultReply(first) as { text: string }).text;
    const shown = /^Assistant: (.+?) ?\[interrupted at \d+ ms\]$/.exec(lines[1] ?? '')?.[1] ?? '';
    expect(shown.length).toBeGreaterThan('I heard'.length);
    expect(said.startsWith(shown)).toBe(true);

    // barge-in: the loop's second pass spoke over the reply; the page truncated at the position its player had
    // played (within what it had received), and the server truncated that item there
    expect(s.truncates.length).toBe(1);
    const t = s.truncates[0]!;
    expect(t.audioEndMs).toBeGreaterThan(0);
    expect(Math.abs(t.audioEndMs - Math.min(t.heardMs, t.receivedMs))).toBeLessThanOrEqual(1);
    expect(s.truncated).toEqual([{ itemId: t.itemId, audioEndMs: t.audioEndMs }]);
    expect(lines[1]).toMatch(new RegExp(`\\[interrupted at ${t.audioEndMs} ms\\]$`));

    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 45_000);

  it('closes the session at Stop', async () => {
    expect(demo.emulator!.sessions()).toBe(1);
    await page.click('#stop');
    await page.waitForFunction(
      () => (globalThis as unknown as { rxDemo: DemoState }).rxDemo.status === 'closed',
      undefined,
      { timeout: 10_000 },
    );
    await expect.poll(() => demo.emulator!.sessions(), { timeout: 10_000 }).toBe(0);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('sends no response.cancel the server refuses: its VAD (interrupt_response) cancels by itself', () => {
    // the contract of interruptOnSpeech: a cancel only when the session's server VAD does not cancel itself
    expect(s.serverErrors).toEqual([]);
    expect(s.cancels).toBe(0);
  });
});
