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
});
