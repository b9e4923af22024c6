import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import {
  exhaustiveSearch,
  type LexicalDocument,
  type LexicalHit,
  LexicalIndex,
} from '../../src/index/lexical.ts';

/**
 * The MaxScore engine must give exhaustive BM25's top-k: the same scores in the same order, and the same
 * passages except where passages tie at the cut (either may be kept; MiniSearch keeps insertion order).
 */
function expectSameTopK(actual: LexicalHit[], expected: LexicalHit[]): void {
  expect(actual.map((h) => h.score)).toEqual(expected.map((h) => h.score));
  const cut = expected.at(-1)?.score;
  const above = (hits: LexicalHit[]) =>
    hits
      .filter((h) => h.score !== cut)
      .map((h) => `${h.label}:${h.score}:${h.matched.join(',')}`)
      .sort();
  expect(above(actual)).toEqual(above(expected));
  // Within a run of equal scores the order is by label.
  for (let i = 1; i < actual.length; i++) {
    const [a, b] = [actual[i - 1] as LexicalHit, actual[i] as LexicalHit];
    if (a.score === b.score) expect(a.label).toBeLessThan(b.label);
  }
}

const WORDS = (
  'akim election party parliament reform region digital citizen budget court president mazhilis senate vote ' +
  'local council governor policy youth media law rights protest market village district capital'
).split(' ');

const documentsArb = fc.array(
  fc.record({
    text: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 40 }).map((w) => w.join(' ')),
    context: fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }).map((w) => w.join(' ')),
  }),
  { minLength: 1, maxLength: 120 },
);
const queryArb = fc.array(
  fc.tuple(
    fc.constantFrom(...WORDS.map((w) => terms(w)[0] ?? w), 'absent'),
    fc.double({ min: 0.05, max: 1, noNaN: true }),
  ),
  { minLength: 1, maxLength: 12 },
);

describe('MaxScore lexical search', () => {
  it('returns exhaustive BM25 top-k on random corpora, weighted queries, filters and k', () => {
    fc.assert(
      fc.property(
        documentsArb,
        queryArb,
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 5 }),
        (raw, q, k, mod) => {
          const docs: LexicalDocument[] = raw.map((d, ordinal) => ({ ordinal, ...d }));
          const index = LexicalIndex.build(docs);
          const reference = exhaustiveSearch(index.toJSON());
          const query = new Map(q);
          const accept = (label: number) => label % mod !== 1;
          expectSameTopK(index.search(query, k), reference(query, k));
          expectSameTopK(index.search(query, k, accept), reference(query, k, accept));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same answers after a JSON round trip', () => {
    const docs = WORDS.map((w, ordinal) => ({
      ordinal,
      text: `${w} ${WORDS[(ordinal * 7) % WORDS.length]}`,
      context: w,
    }));
    const built = LexicalIndex.build(docs);
    const loaded = LexicalIndex.fromJSON(built.toJSON());
    const query = new Map([
      ['akim', 1],
      ['vote', 0.5],
      ['district', 0.7],
    ]);
    expect(loaded.search(query, 10)).toEqual(built.search(query, 10));
    expect(() => loaded.toJSON()).toThrow(/not re-serialised/);
  });
});
