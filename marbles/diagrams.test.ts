import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DIAGRAMS } from './diagrams';
import { legend } from './legend';

describe.each(['preview', 'ga'] as const)('the README diagrams hold (%s)', (dialect) => {
  it.each(DIAGRAMS.map((d) => [d.operator, d] as const))('%s', (_name, diagram) => {
    const base = legend(dialect);
    const L = { ...base, ...(diagram.local?.(base) ?? {}) };
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    // run mode puts asyncScheduler on virtual time: interruptOnSpeech's wall-clock fallback reads it
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot(diagram.source, L);
      const inner = Object.fromEntries(Object.entries(diagram.inner ?? {}).map(([k, v]) => [k, cold(v, L)]));
      expectObservable(source.pipe(diagram.apply())).toBe(diagram.expected, {
        ...L,
        ...diagram.values,
        ...inner,
      });
      expectSubscriptions(source.subscriptions).toBe(`^${'-'.repeat(diagram.source.indexOf('|') - 1)}!`);
    });
  });
});
