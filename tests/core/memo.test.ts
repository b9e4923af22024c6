import { describe, expect, it } from 'vitest';
import { memoize } from '../../src/core/memo.ts';

describe('memoize', () => {
  it('computes each key once until the limit, then starts over', () => {
    const calls: number[] = [];
    const square = memoize(2, (x: number) => {
      calls.push(x);
      return x * x;
    });
    expect([square(2), square(2), square(3), square(4), square(2)]).toEqual([4, 4, 9, 16, 4]);
    // 4 found the memo full and cleared it, so 2 was computed again.
    expect(calls).toEqual([2, 3, 4, 2]);
  });

  it('returns remembered values without computing them, within the limit', () => {
    const calls: number[] = [];
    const square = memoize(2, (x: number) => {
      calls.push(x);
      return x * x;
    });
    square.remember(5, 25);
    square.remember(6, 36);
    square.remember(7, 0);
    expect([square(5), square(6), square(7)]).toEqual([25, 36, 49]);
    expect(calls).toEqual([7]);
  });
});
