// `userMessage(text)`: the client events of a typed user turn.
// Protocol facts from ../shared/protocol/README.md: §6 (manual mode: nothing happens until `response.create`), §5
// ("user content `input_text`, `input_audio`: the same" in both dialects; client event names unchanged).
import type { ConversationItemCreate, ResponseCreate } from './clientEvents';

/** Options of {@link userMessage}. */
export interface UserMessageOptions {
  /** Also ask for the answer (`response.create`). Default `true`; `false` adds the message only. */
  readonly respond?: boolean;
}

/**
 * The client events of a typed user turn: a `conversation.item.create` with a user message of one `input_text`
 * part, then the `response.create` that asks the model to answer (a typed item never starts a response by
 * itself: server VAD answers speech only).
 *
 * It's like `functionCallOutput(call, result)` for text: an array (not an Observable), because the events are
 * known at once and in order; send them with `from(userMessage(text))`, spread them into a list, or
 * `concatMap((line) => userMessage(line))` a stream of typed lines. Both dialects take the same events:
 * `conversation.item.create` and `response.create` keep their names, and user content is `input_text` in both.
 * The item has no `id`: the server assigns one. A `text` that is not a string throws a `TypeError`.
 *
 * ```text
 * userMessage('Hi') = [
 *   { type: 'conversation.item.create',
 *     item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] } },
 *   { type: 'response.create' },
 * ]
 * userMessage('Hi', { respond: false }) = [the conversation.item.create alone]
 * ```
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { userMessage } from 'rx-realtime';
 *
 * const turn$ = from(userMessage('What is the weather in Paris?'));
 * ```
 */
export function userMessage(
  text: string,
  options?: { readonly respond?: true },
): [ConversationItemCreate, ResponseCreate];
export function userMessage(text: string, options: { readonly respond: false }): [ConversationItemCreate];
export function userMessage(
  text: string,
  options?: UserMessageOptions,
): [ConversationItemCreate] | [ConversationItemCreate, ResponseCreate];
export function userMessage(
  text: string,
  options: UserMessageOptions = {},
): [ConversationItemCreate] | [ConversationItemCreate, ResponseCreate] {
  if (typeof text !== 'string')
    throw new TypeError(`userMessage: text must be a string, got ${typeof text}.`);
  const item: ConversationItemCreate = {
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  };
  return (options.respond ?? true) ? [item, { type: 'response.create' }] : [item];
}
