// The runTools diagram of its doc comment (src/operators/runTools.ts), run through TestScheduler in both dialects,
// so the picture cannot drift from the behaviour. Letters are local (the shared legend has no function calls).
import { readFileSync } from 'node:fs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { runTools } from '../src/operators';
import {
  argumentsDone,
  callAdded,
  output,
  responseCreate,
  responseDone,
  type CallSpec,
} from './functionCallEvents';

/** The `server:`, `get_time:` and `output:` lines of the doc comment's `text` diagram, marbles only. */
function docDiagram(): { server: string; handler: string; output: string } {
  const source = readFileSync(new URL('../src/operators/runTools.ts', import.meta.url), 'utf8');
  const block = /```text\n([\s\S]*?)```/.exec(source)![1]!;
  const lines = block.split('\n').map((l) => l.replace(/^ \* ?/, ''));
  const marble = (label: string) => {
    const line = lines.find((l) => l.startsWith(`${label}:`))!;
    // the marble starts after the label's padding and ends before the explanation (2+ spaces)
    const start = line.search(/(?<=:\s+)\S/);
    const text = line.slice(start).split(/\s{2,}/)[0]!;
    return { start, text };
  };
  const server = marble('server');
  const handler = marble('get_time');
  const out = marble('output');
  expect(out.start).toBe(server.start);
  // the handler line is drawn from its subscription, under call 2's arguments done (`j`): a cold marble
  expect(handler.start - server.start).toBe(server.text.indexOf('j'));
  return { server: server.text, handler: handler.text, output: out.text };
}

describe.each(['preview', 'ga'] as const)('the runTools doc diagram holds (%s)', (dialect) => {
  const weather: CallSpec = {
    responseId: 'resp_1',
    callId: 'call_1',
    name: 'get_weather',
    arguments: '{"city":"Paris"}',
  };
  const time: CallSpec = {
    responseId: 'resp_1',
    callId: 'call_2',
    name: 'get_time',
    arguments: '{}',
    outputIndex: 1,
  };

  it('answers both calls, then sends one response.create once response.done came and the slow handler answered', () => {
    const diagram = docDiagram();
    expect(diagram).toEqual({ server: '-fghj-d-------|', handler: '----a', output: '--K-----(LR)--|' });
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(
      ({ hot, cold, expectObservable, expectSubscriptions }) => {
        const server = hot(diagram.server, {
          f: callAdded(dialect, weather),
          g: argumentsDone(dialect, weather),
          h: callAdded(dialect, time),
          j: argumentsDone(dialect, time),
          d: responseDone(dialect, 'resp_1', 'completed'),
        });
        const handler = cold(diagram.handler, { a: '12:00 UTC' });
        const tools = { get_weather: () => ({ city: 'Paris', temperature: 21 }), get_time: () => handler };
        expectObservable(server.pipe(runTools(tools))).toBe(diagram.output, {
          K: output('call_1', '{"city":"Paris","temperature":21}'),
          L: output('call_2', '12:00 UTC'),
          R: responseCreate,
        });
        expectSubscriptions(server.subscriptions).toBe('^-------------!');
        expectSubscriptions(handler.subscriptions).toBe('----^---!');
      },
    );
  });
});
