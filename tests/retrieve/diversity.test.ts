import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/core/types.ts';
import { diversify } from '../../src/retrieve/diversity.ts';

function passage(ordinal: number, start: number, end: number, text: string, source = 'a.txt'): Passage {
  return {
    id: `d.p${ordinal}`,
    ordinal,
    documentId: 'd',
    source,
    section: [],
    language: 'en',
    kind: 'body',
    text,
    sentences: [],
    start,
    end,
  };
}

describe('diversify', () => {
  it('drops a passage that mostly overlaps a better-ranked one', () => {
    const ranked = [
      passage(0, 0, 100, 'alpha beta gamma'),
      passage(1, 40, 120, 'delta epsilon zeta'),
      passage(2, 200, 300, 'eta theta iota'),
    ];
    expect(diversify(ranked, (p) => p, 5).map((p) => p.ordinal)).toEqual([0, 2]);
  });

  it('drops a near-duplicate printed elsewhere', () => {
    const text =
      'political parties compete for seats in the parliament after the reform of the electoral law';
    const ranked = [
      passage(0, 0, 100, text),
      passage(1, 0, 100, `${text} again`, 'b.txt'),
      passage(2, 500, 600, 'akims'),
    ];
    expect(diversify(ranked, (p) => p, 5).map((p) => p.ordinal)).toEqual([0, 2]);
  });

  it('keeps small overlaps between neighbours and stops at k', () => {
    const ranked = [
      passage(0, 0, 100, 'one two'),
      passage(1, 90, 200, 'three four'),
      passage(2, 300, 400, 'five six'),
    ];
    expect(diversify(ranked, (p) => p, 2).map((p) => p.ordinal)).toEqual([0, 1]);
  });

  it('counts passages as duplicates exactly when their term sets reach the Jaccard threshold', () => {
    // Far apart in their sources, so only shared terms can make duplicates.
    const ranked = [0, 1, 2, 3].map((i) => passage(i, i * 1000, i * 1000 + 100, `p${i}`));
    const sets = [
      new Set(['a', 'b', 'c', 'd']),
      new Set(['a', 'b', 'c', 'e']), // 3 shared of 5: 0.6, a duplicate of the first
      new Set(['a', 'b', 'f', 'g', 'h']), // 2 of 7 with the first
      new Set(['f', 'g', 'h', 'i', 'j', 'k']), // 3 of 8 with the third
    ];
    const termsOf = (p: Passage) => sets[p.ordinal] as Set<string>;
    const kept = (threshold: number) =>
      diversify(ranked, (p) => p, 5, { maxTermJaccard: threshold }, termsOf).map((p) => p.ordinal);
    expect(kept(0.6)).toEqual([0, 2, 3]);
    expect(kept(0.375)).toEqual([0, 2]);
    expect(kept(0.61)).toEqual([0, 1, 2, 3]);
  });
});
