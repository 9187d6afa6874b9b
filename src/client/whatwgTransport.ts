/**
 * The WHATWG transport: the platform's `WebSocket` (browsers, Deno, Bun, workers) or a constructor you pass.
 */
import type { WebSocketConstructor } from './options';
import { socketOf, type Transport } from './transport';

/**
 * A transport over a WHATWG `WebSocket`: the global one, or the constructor given. It cannot send headers, so the
 * handshake puts auth in the query (`api-key`) and in the subprotocols (bearer and ephemeral keys); it cannot ping
 * or pause, and the platform enforces its own frame limits. Frames are read as `ArrayBuffer`s so text and binary
 * frames are told apart the same way as with `ws`.
 *
 * It's like `new WebSocket(url, protocols)`, but its four callbacks become the four facts `connect()` needs:
 * open, message, close after open, and failed (no HTTP status is visible to a page: the platform hides it).
 *
 * ```text
 * onopen --onmessage--onmessage--...--onclose(code)    -> open, message…, close(code, reason)
 * onerror, onclose (never opened)                      -> failed({ detail })
 * ```
 *
 * @example
 * ```ts
 * import { connect, whatwgTransport } from 'rx-realtime';
 * const realtime = connect({ url: 'wss://example.com/v1/realtime?model=m', transport: whatwgTransport() });
 * ```
 */
export function whatwgTransport(WebSocketClass?: WebSocketConstructor): Transport {
  return {
    sendsHeaders: false,
    open(request, events) {
      const Ctor = WebSocketClass ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!Ctor) {
        const failed = { closed: false };
        // report asynchronously, as a socket would
        queueMicrotask(() =>
          failed.closed
            ? undefined
            : events.failed({
                detail: 'there is no global WebSocket here: pass a transport or WebSocket option',
              }),
        );
        return {
          send: () => undefined,
          bufferedAmount: 0,
          close: () => void (failed.closed = true),
          terminate: () => void (failed.closed = true),
        };
      }
      const ws =
        request.protocols.length > 0 ? new Ctor(request.url, [...request.protocols]) : new Ctor(request.url);
      ws.binaryType = 'arraybuffer';
      let opened = false;
      let ended = false;
      const end = () => {
        ended = true;
        ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      };
      ws.onopen = () => {
        if (ended) return;
        opened = true;
        events.open();
      };
      ws.onmessage = (m: MessageEvent) => {
        if (ended) return;
        const data: unknown = m.data;
        if (typeof data === 'string') events.message(data, false);
        else if (data instanceof ArrayBuffer) events.message(new Uint8Array(data), true);
        else if (ArrayBuffer.isView(data))
          events.message(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), true);
        else events.message(String(data), true);
      };
      ws.onerror = () => {
        if (ended || opened) return; // after open, onclose follows with the code
        end();
        events.failed({ detail: 'the WebSocket failed to open' });
      };
      ws.onclose = (c: CloseEvent) => {
        if (ended) return;
        end();
        if (opened) events.close(c.code, c.reason);
        else events.failed({ detail: `the WebSocket closed with ${c.code} before it opened` });
      };
      const stop = (code: number, reason: string) => {
        if (ended) return;
        const wasOpen = ws.readyState === ws.OPEN;
        if (ws.readyState === ws.CONNECTING || wasOpen) {
          // a WHATWG close() accepts only 1000 or 3000-4999
          if (wasOpen && (code === 1000 || (code >= 3000 && code <= 4999))) ws.close(code, reason);
          else ws.close();
        }
      };
      return socketOf(
        {
          send: (frame) => ws.send(frame),
          close: stop,
          // the platform has no terminate: close, and stop listening so nothing is reported after
          terminate: () => {
            stop(1000, '');
            end();
          },
        },
        () => ws.bufferedAmount,
      );
    },
  };
}
