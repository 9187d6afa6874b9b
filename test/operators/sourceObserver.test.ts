// sourceObserver(): what the per-event operators subscribe to their source with. It must do what rxjs's
// SafeSubscriber did for them (stop after an ending, unsubscribe, keep a thrower from unwinding into the source)
// and be taken by this rxjs as a subscriber as it is (that is the point of it: no wrapper objects per event).
import { Observable, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { sourceObserver } from '../../src/operators/sourceObserver';

const recorder = () => {
  const seen: string[] = [];
  return {
    seen,
    observer: sourceObserver<number>({
      next: (v) => {
        if (v < 0) throw new Error(`bad ${v}`);
        seen.push(`n${v}`);
      },
      error: (e) => seen.push(`e:${(e as Error).message}`),
      complete: () => seen.push('c'),
    }),
  };
};

describe('sourceObserver', () => {
  it('is taken by rxjs as the subscriber itself (subscribe returns it, not a wrapper)', () => {
    const { observer } = recorder();
    const subscription = new Subject<number>().subscribe(observer);
    expect(subscription).toBe(observer);
  });

  it('turns a throwing next into an error, unsubscribes, and leaves the Subject’s other subscribers fed', () => {
    const subject = new Subject<number>();
    const a = recorder();
    const others: number[] = [];
    subject.subscribe(a.observer);
    subject.subscribe((v) => others.push(v));
    subject.next(1);
    subject.next(-1);
    subject.next(2);
    expect(a.seen).toEqual(['n1', 'e:bad -1']);
    expect(a.observer.closed).toBe(true);
    expect(others).toEqual([1, -1, 2]);
    expect(subject.observed).toBe(true); // the other one only
  });

  it('delivers nothing after complete or error, and runs the source’s teardown once', () => {
    let teardowns = 0;
    let emit: ((v: number) => void) | undefined;
    let end: (() => void) | undefined;
    const source = new Observable<number>((s) => {
      emit = (v) => s.next(v);
      end = () => s.complete();
      return () => teardowns++;
    });
    const r = recorder();
    source.subscribe(r.observer);
    emit!(1);
    end!();
    emit!(2);
    r.observer.error(new Error('late'));
    expect(r.seen).toEqual(['n1', 'c']);
    expect(teardowns).toBe(1);
  });

  it('unsubscribing it tears the source down, and a source that calls on after that reaches nothing', () => {
    let teardowns = 0;
    let emit: ((v: number) => void) | undefined;
    const source = new Observable<number>((s) => {
      emit = (v) => s.next(v); // never looks at s.closed
      return () => teardowns++;
    });
    const r = recorder();
    const subscription = source.subscribe(r.observer);
    emit!(1);
    subscription.unsubscribe();
    emit!(2);
    r.observer.complete();
    expect(teardowns).toBe(1);
    expect(r.seen).toEqual(['n1']);
  });
});
