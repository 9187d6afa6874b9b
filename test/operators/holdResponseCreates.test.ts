import { describe, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { holdResponseCreates } from '../../src/operators';
import type { ClientEvent, ServerMessage } from '../../src/protocol';
import { DIALECTS, testScheduler } from './helpers';

describe.each(DIALECTS)('holdResponseCreates (%s)', (dialect) => {
  const L = legend(dialect);
  const create: ClientEvent = { type: 'response.create' };
  const named = (n: number): ClientEvent => ({ type: 'response.create', event_id: `rx_create_${n}` });
  const oob: ClientEvent = { type: 'response.create', response: { conversation: 'none' } };
  const append: ClientEvent = { type: 'input_audio_buffer.append', audio: 'AAAA' };
  const refusal = (eventId: string) =>
    ({
      type: 'error',
      event_id: 'event_err',
      error: {
        type: 'invalid_request_error',
        code: 'decimal_above_max_value',
        message: 'too high',
        param: null,
        event_id: eventId,
      },
    }) as ServerMessage;

  it('holds a response.create while a response is in flight and releases it at response.done', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const server = hot('---c-----------d------', L);
      const client = cold('-r----x--r------------|', { r: create, x: append });
      expectObservable(client.pipe(holdResponseCreates(server))).toBe('-r----x--------s------|', {
        r: named(1),
        s: named(2),
        x: append,
      });
      expectSubscriptions(server.subscriptions).toBe('^---------------------!');
      expectSubscriptions(client.subscriptions).toBe('^---------------------!');
    });
  });

  it('never holds out-of-band creates, and counts server-VAD responses as in flight', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const server = hot('-c-----d----', L);
      const client = cold('---o-r-----|', { r: create, o: oob });
      expectObservable(client.pipe(holdResponseCreates(server))).toBe('---o---r---|', {
        r: named(1),
        o: oob,
      });
    });
  });

  it('releases the next create when the server refuses the one in flight (its error names the event_id)', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const server = hot('-----f-----', { f: refusal('mine') });
      const client = cold('-r-s-------|', { r: { ...create, event_id: 'mine' }, s: create });
      expectObservable(client.pipe(holdResponseCreates(server))).toBe('-r---s-----|', {
        r: { ...create, event_id: 'mine' },
        s: named(1),
      });
    });
  });

  it('keeps holding when an error names some other event', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const server = hot('-----f-z-----', { ...L, f: refusal('other') });
      const client = cold('-r-s---------', { r: create, s: create });
      expectObservable(client.pipe(holdResponseCreates(server))).toBe('-r-----------', { r: named(1) });
    });
  });

  it('errors with either source and completes only when nothing is held', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      expectObservable(cold<ClientEvent>('-x-#', { x: append }).pipe(holdResponseCreates(hot('-')))).toBe(
        '-x-#',
        { x: append },
      );
      expectObservable(
        cold<ClientEvent>('-x----', { x: append }).pipe(holdResponseCreates(hot('---#'))),
      ).toBe('-x-#', { x: append });
      expectObservable(cold<ClientEvent>('|').pipe(holdResponseCreates(hot('-')))).toBe('|');
      expectObservable(
        cold<ClientEvent>('-r-r|', { r: create }).pipe(
          holdResponseCreates(hot<ServerMessage>('-----c-d', L)),
        ),
      ).toBe('-r-----(s|)', { r: named(1), s: named(2) });
    });
  });
});
