/**
 * Function-call events for the runTools specs, in both dialects (letters local to those specs; the shared legend
 * has none for function calls). A call is its `response.output_item.added` (the `function_call` item, with its
 * name) and its `response.function_call_arguments.done` (GA adds the `name`, preview has none: protocol README §5).
 */
import type { Dialect, ServerMessage } from '../src/protocol';
import { decodeServerEventObject } from '../src/protocol';

export interface CallSpec {
  readonly responseId: string;
  readonly callId: string;
  readonly name: string;
  /** As the model wrote them. */
  readonly arguments: string;
  readonly outputIndex?: number;
}

/** Decodes through the real codecs, so a spec can only use events the library accepts. */
function known(dialect: Dialect, event: object): ServerMessage {
  const decoded = decodeServerEventObject(event, dialect);
  if (decoded._tag === 'Left') throw new Error(`not a valid ${dialect} event: ${decoded.left.message}`);
  return decoded.right;
}

const itemId = (c: CallSpec) => `item_${c.callId}`;

function item(dialect: Dialect, c: CallSpec, status: string, args: string) {
  return {
    id: itemId(c),
    type: 'function_call',
    status,
    call_id: c.callId,
    name: c.name,
    arguments: args,
    ...(dialect === 'preview' ? { object: 'realtime.item' } : {}),
  };
}

/** `response.output_item.added` of the call's `function_call` item. */
export const callAdded = (dialect: Dialect, c: CallSpec): ServerMessage =>
  known(dialect, {
    type: 'response.output_item.added',
    event_id: `event_added_${c.callId}`,
    response_id: c.responseId,
    output_index: c.outputIndex ?? 0,
    item: item(dialect, c, 'in_progress', ''),
  });

/** `response.function_call_arguments.done` (with `name` on GA only). */
export const argumentsDone = (dialect: Dialect, c: CallSpec): ServerMessage =>
  known(dialect, {
    type: 'response.function_call_arguments.done',
    event_id: `event_args_${c.callId}`,
    response_id: c.responseId,
    item_id: itemId(c),
    output_index: c.outputIndex ?? 0,
    call_id: c.callId,
    arguments: c.arguments,
    ...(dialect === 'ga' ? { name: c.name } : {}),
  });

/** `response.output_item.done` of the call's item. */
export const callDone = (dialect: Dialect, c: CallSpec): ServerMessage =>
  known(dialect, {
    type: 'response.output_item.done',
    event_id: `event_item_done_${c.callId}`,
    response_id: c.responseId,
    output_index: c.outputIndex ?? 0,
    item: item(dialect, c, 'completed', c.arguments),
  });

/** `response.done` of a response, with a status (and the reason of a cancel). */
export const responseDone = (
  dialect: Dialect,
  responseId: string,
  status: 'completed' | 'cancelled' | 'failed' | 'incomplete',
): ServerMessage =>
  known(dialect, {
    type: 'response.done',
    event_id: `event_done_${responseId}_${status}`,
    response: {
      object: 'realtime.response',
      id: responseId,
      status,
      status_details: status === 'cancelled' ? { type: 'cancelled', reason: 'turn_detected' } : null,
      output: [],
      usage: null,
    },
  });

/** The `function_call_output` item that answers a call. */
export const output = (callId: string, text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'function_call_output', call_id: callId, output: text },
});

/** An error output as runTools writes it. */
export const errorOutput = (callId: string, message: string) =>
  output(callId, JSON.stringify({ error: message }));

export const responseCreate = { type: 'response.create' };
