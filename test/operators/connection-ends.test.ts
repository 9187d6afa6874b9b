// Responses, items and parts open when the connection ends (a dropped socket, a close with an error code) end
// with IncompleteStreamError whose reason names what cut them. Real sockets on 127.0.0.1: a small ws server of
// the test's own sends half a response, then drops or closes.
import { EMPTY, mergeMap, NEVER, catchError, lastValueFrom, map, of, type Observable, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { legend } from '../../marbles/legend';
import { connect } from '../../src/client';
import { IncompleteStreamError, splitContentParts, splitItems, splitResponses } from '../../src/operators';
import type { ServerMessage } from '../../src/protocol';
import { SESSION_CREATED, wsServer } from '../client/servers';

const L = legend('preview');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Sends session.created and half a response (c o p a), then ends the socket as `end` says. */
async function halfResponseServer(end: 'drop' | 1011): Promise<string> {
  const server = await wsServer((socket) => {
    socket.send(SESSION_CREATED);
    for (const k of 'copa') socket.send(JSON.stringify(L[k]));
    setTimeout(() => (end === 'drop' ? socket.terminate() : socket.close(1011, 'internal error')), 50);
  });
  closers.push(() => server.close());
  return `ws://127.0.0.1:${server.port}/openai/realtime?api-version=2025-04-01-preview&deployment=x`;
}

type Split = () => import('rxjs').OperatorFunction<ServerMessage, Observable<ServerMessage>>;

const innerEnding = (inner: Observable<ServerMessage>) =>
  inner.pipe(
    toArray(),
    map(() => 'completed'),
    catchError((err: unknown) =>
      of(
        err instanceof IncompleteStreamError
          ? `${err.kind} ${err.id}: ${err.reason}`
          : `other: ${String(err)}`,
      ),
    ),
  );

describe.each([
  ['drop', 'ConnectionClosedError: connection closed with 1006'],
  [1011, 'ConnectionClosedError: connection closed with 1011 (internal error)'],
] as const)('a connection that ends with %s mid-response', (end, cut) => {
  it.each([
    ['splitResponses', splitResponses as Split, 'response resp_1'],
    ['splitItems', splitItems as Split, 'item item_1'],
    ['splitContentParts', splitContentParts as Split, 'content part item_1:0'],
  ] as const)(
    '%s errors the open inner stream with a reason naming the close',
    async (_name, split, what) => {
      const url = await halfResponseServer(end);
      const server$ = connect({ url, apiKey: 'test-key' })(NEVER);
      const endings = await lastValueFrom(
        server$.pipe(
          split(),
          mergeMap((inner) => innerEnding(inner)),
          catchError(() => EMPTY),
          toArray(),
        ),
      );
      expect(endings).toEqual([`${what}: source errored: ${cut}`]);
    },
  );
});
