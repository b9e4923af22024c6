import { expect } from 'vitest';
import type { LexicalHit } from '../../src/index/lexical.ts';

/**
 * Asserts that `actual` is exhaustive BM25's top-k `expected`: the same scores in the same order, and
 * the same passages (with the same matched terms) except where passages tie at the cut, where either may
 * be kept (MiniSearch keeps insertion order, our engine the lower label). Matched terms are
 * compared as sets: MiniSearch lists them as object keys, which puts number-like terms ("2021") first.
 */
export function expectSameTopK(actual: LexicalHit[], expected: LexicalHit[]): void {
  expect(actual.map((h) => h.score)).toEqual(expected.map((h) => h.score));
  const cut = expected.at(-1)?.score;
  const above = (hits: LexicalHit[]) =>
    hits
      .filter((h) => h.score !== cut)
      .map((h) => `${h.label}:${h.score}:${[...h.matched].sort().join(',')}`)
      .sort();
  expect(above(actual)).toEqual(above(expected));
  for (let i = 1; i < actual.length; i++) {
    const [a, b] = [actual[i - 1] as LexicalHit, actual[i] as LexicalHit];
    if (a.score === b.score) expect(a.label).toBeLessThan(b.label);
  }
}
