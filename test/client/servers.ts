import type { Observable } from 'rxjs';
import type { ServerMessage } from '../../src/protocol';
// Small real servers on 127.0.0.1 for the connection tests (no mocked ws).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TestServer {
  readonly port: number;
  readonly endpoint: string;
  /** Every upgrade request seen, in order. */
  readonly requests: IncomingMessage[];
  /** Every socket accepted, in order. */
  readonly sockets: WebSocket[];
  /** Close codes the server received from clients, in order. */
  readonly closes: number[];
  close(): Promise<void>;
}

export const SESSION_CREATED = JSON.stringify({
  type: 'session.created',
  event_id: 'event_s',
  session: { id: 'sess_1', object: 'realtime.session', model: 'test' },
});

/** A WebSocket server; `onConnection` drives each socket. By default it sends session.created. */
export async function wsServer(
  onConnection: (socket: WebSocket, req: IncomingMessage) => void = (s) => s.send(SESSION_CREATED),
): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const sockets: WebSocket[] = [];
  const closes: number[] = [];
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket, req) => {
    requests.push(req);
    sockets.push(socket);
    socket.on('close', (code) => closes.push(code));
    onConnection(socket, req);
  });
  await listen(http);
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    sockets,
    closes,
    close: async () => {
      for (const s of sockets) s.terminate();
      wss.close();
      await closeHttp(http);
    },
  };
}

/** A server that answers every upgrade with an HTTP status and body, as Azure does on a bad key. */
export async function httpStatusServer(status: number, body: string, contentType = 'application/json') {
  const http = createServer();
  http.on('upgrade', (_req, socket) => {
    socket.end(
      `HTTP/1.1 ${status} Status\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await listen(http);
  const port = (http.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeHttp(http) };
}

function listen(http: Server) {
  return new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
}
function closeHttp(http: Server) {
  return new Promise<void>((resolve) => {
    http.closeAllConnections?.();
    http.close(() => resolve());
  });
}

/** Collects a stream until it ends; resolves with values and the error (if any). */
export function run(
  stream: Observable<ServerMessage>,
): Promise<{ values: ServerMessage[]; error?: unknown }> {
  const values: ServerMessage[] = [];
  return new Promise((resolve) =>
    stream.subscribe({
      next: (v) => values.push(v),
      error: (error) => resolve({ values, error }),
      complete: () => resolve({ values }),
    }),
  );
}
