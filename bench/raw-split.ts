// The split pipeline in plain rxjs, without rx-realtime: what a user who wants a stream per response and per
// content part writes with rxjs alone, on the raw client's events (JSON.parse, base64 by Buffer). The benchmarks'
// `rawRxSplit` clients use it (bench/service-client.ts, bench/solo-client.ts; `rawRx` uses `rawEvents` too):
// beside rx-realtime's split (`splitResponses()` → `mergeMap(splitContentParts())` → `mergeMap(audioDeltas())`)
// it tells what rx-realtime's operators cost from what this composition costs in rxjs anyway. rxjs comes as an
// argument, as in bench/user-pipeline.ts: a process that runs another client loads none of it.
//
// The same structure as rx-realtime's: a group per response, ended by `response.done`; in it a group per
// content part (item id and content index), ended by `response.content_part.done`; in each part the audio
// deltas decoded. Events (../shared/protocol/README.md §6): the part events carry `response_id`, the response's
// own (`response.created`, `response.done`) carry it as `response.id`.
import type { Observable } from 'rxjs';
import type { WebSocket } from 'ws';

export type Rxjs = typeof import('rxjs');

/** A server event as `JSON.parse` gives it: only the fields the split reads. */
export interface RawEvent {
  readonly type: string;
  readonly event_id?: string;
  readonly delta?: string;
  readonly response_id?: string;
  readonly response?: { readonly id?: string };
  readonly item_id?: string;
  readonly content_index?: number;
}

/**
 * The events of the socket `open()` makes (each frame `JSON.parse`d), as the raw rxjs clients read them: it
 * completes when the socket closes and errors when it fails; unsubscribing closes it. `onOpen`, when given, runs
 * once the socket is open (the caller's uplink) and gives what to stop before the socket closes.
 */
export function rawEvents(
  rxjs: Rxjs,
  open: () => WebSocket,
  onOpen?: (ws: WebSocket) => () => void,
): Observable<RawEvent> {
  return new rxjs.Observable<RawEvent>((subscriber) => {
    const ws = open();
    let stop: (() => void) | undefined;
    if (onOpen) ws.on('open', () => (stop = onOpen(ws)));
    ws.on('message', (data: Buffer) => subscriber.next(JSON.parse(data.toString()) as RawEvent));
    ws.on('close', () => subscriber.complete());
    ws.on('error', (err) => subscriber.error(err));
    return () => {
      stop?.();
      ws.close();
    };
  });
}

/** Each audio delta of each part of each response, as bytes, with its event's id. */
export function rawSplitAudio(
  rxjs: Rxjs,
  events$: Observable<RawEvent>,
  audioType: string,
): Observable<{ readonly pcm: Buffer; readonly eventId: unknown }> {
  const { filter, groupBy, map, mergeMap } = rxjs;
  const responseOf = (e: RawEvent) => e.response_id ?? e.response?.id;
  return events$.pipe(
    filter((e) => responseOf(e) !== undefined),
    groupBy(responseOf, { duration: (r) => r.pipe(filter((e) => e.type === 'response.done')) }),
    mergeMap((response) =>
      response.pipe(
        filter((e) => e.content_index !== undefined),
        groupBy((e) => `${e.item_id}/${e.content_index}`, {
          duration: (p) => p.pipe(filter((e) => e.type === 'response.content_part.done')),
        }),
      ),
    ),
    mergeMap((part) =>
      part.pipe(
        filter((e) => e.type === audioType),
        map((e) => ({ pcm: Buffer.from(e.delta!, 'base64'), eventId: e.event_id })),
      ),
    ),
  );
}
