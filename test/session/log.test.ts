// The log of unacknowledged client events behind replay: what leaves it at which acknowledgement, what a new
// socket gets again, and its bounds.
import { describe, expect, it } from 'vitest';
import type { ClientEvent, ServerMessage } from '../../src/protocol';
import { PendingLog } from '../../src/session/log';

const append = (audio: string): ClientEvent => ({ type: 'input_audio_buffer.append', audio });
const item = (id: string): ClientEvent =>
  ({
    type: 'conversation.item.create',
    item: { id, type: 'message', role: 'user', content: [{ type: 'input_text', text: id }] },
  }) as ClientEvent;
const create = (event_id: string): ClientEvent => ({ type: 'response.create', event_id });
const server = (event: Record<string, unknown>) => event as unknown as ServerMessage;
const types = (events: readonly ClientEvent[]) => events.map((e) => e.type);

describe('PendingLog', () => {
  it('keeps everything in order until acknowledged, and forgets what the server acknowledged', () => {
    const log = new PendingLog(1 << 20, 1 << 20);
    log.add(item('u1'), 1, true);
    log.add(create('c1'), 1, true);
    log.add(append('AAAA'), 1, true);
    log.acknowledge(server({ type: 'conversation.item.created', item: { id: 'u1' } }));
    log.acknowledge(server({ type: 'response.created', response: { id: 'r1' } }));
    expect(types(log.resend(2, false))).toEqual(['input_audio_buffer.append']);
    log.acknowledge(server({ type: 'input_audio_buffer.committed', item_id: 'u2' }));
    expect(log.size).toBe(0);
  });

  it('acknowledges items by id (GA conversation.item.added too) and refused creates by event_id', () => {
    const log = new PendingLog(1 << 20, 1 << 20);
    log.add(item('a'), 1, true);
    log.add(item('b'), 1, true);
    log.add(create('c1'), 1, true);
    log.acknowledge(server({ type: 'conversation.item.added', item: { id: 'b' } }));
    log.acknowledge(server({ type: 'error', error: { type: 'invalid_request_error', event_id: 'c1' } }));
    expect(log.resend(1, true)).toEqual([item('a')]);
  });

  it('at a drop forgets what went out and has no use on a new session, keeps what never went out', () => {
    const log = new PendingLog(1 << 20, 1 << 20);
    log.add({ type: 'response.cancel' }, 1, true); // went out: the response it cancels died with the socket
    log.add({ type: 'response.cancel' }, 1, false); // never went out: still the user's
    log.add(item('a'), 1, true);
    log.dropped();
    expect(types(log.resend(2, false))).toEqual(['response.cancel', 'conversation.item.create']);
    expect(log.hasCreate()).toBe(false);
    expect(log.settled()).toBe(false);
  });

  it('keeps at most maxResendAudioBytes of sent, uncommitted audio (oldest forgotten)', () => {
    const log = new PendingLog(1 << 20, 3 * (100 + 64));
    for (let i = 0; i < 10; i++) log.add(append(String(i).repeat(100)), 1, true);
    const kept = log.resend(2, true).map((e) => (e as { audio: string }).audio[0]);
    expect(kept).toEqual(['7', '8', '9']);
    expect(log.settled()).toBe(true);
  });

  it('never drops audio that did not go out: past maxQueuedBytes it refuses', () => {
    const log = new PendingLog(10 * (100 + 64), 1 << 20);
    for (let i = 0; i < 10; i++) expect(log.add(append('x'.repeat(100)), undefined, false)).toBe(true);
    expect(log.add(append('x'.repeat(100)), undefined, false)).toBe(false);
    expect(log.size).toBe(10);
  });

  it('counts a socket’s events as sent once it opened', () => {
    const log = new PendingLog(1 << 20, 1 << 20);
    log.add(create('c1'), 3, false);
    log.acknowledge(server({ type: 'response.created', response: { id: 'r' } })); // not for a create not yet out
    expect(log.hasCreate()).toBe(true);
    log.opened(3);
    log.acknowledge(server({ type: 'response.created', response: { id: 'r' } }));
    expect(log.hasCreate()).toBe(false);
  });
});
