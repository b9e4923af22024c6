import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExactIndex } from '../../src/index/exact.ts';

/** Every row scored one after another, filtered, best first with the lower label on a tie, the first k. */
function reference(rows: number[][], query: number[], k: number, accept?: (label: number) => boolean) {
  return rows
    .map((row, label) => ({ label, score: row.reduce((s, v, d) => s + v * (query[d] as number), 0) }))
    .filter((h) => !accept || accept(h.label))
    .sort((a, b) => b.score - a.score || a.label - b.label)
    .slice(0, k);
}

// Eighths in [-2, 2]: products and their sums are exact in float64 whatever the order of the additions, so
// the reference's scores must come back to the bit, and rows repeated (ties) must tie.
const value = fc.integer({ min: -16, max: 16 }).map((v) => v / 8);

const searchArb = fc.integer({ min: 1, max: 13 }).chain((dims) =>
  fc.record({
    dims: fc.constant(dims),
    distinct: fc.array(fc.array(value, { minLength: dims, maxLength: dims }), { maxLength: 30 }),
    repeats: fc.array(fc.nat(), { maxLength: 12 }),
    queries: fc.array(fc.array(value, { minLength: dims, maxLength: dims }), { minLength: 1, maxLength: 3 }),
    k: fc.integer({ min: 0, max: 50 }),
    mod: fc.integer({ min: 2, max: 5 }),
  }),
);

describe('createExactIndex', () => {
  it('returns the exact top k, ties to the lower label, with and without a filter, search after search', () => {
    fc.assert(
      fc.property(searchArb, ({ dims, distinct, repeats, queries, k, mod }) => {
        // Some rows again at other labels: equal scores that only the label orders.
        const rows = [...distinct];
        for (const r of repeats)
          if (distinct.length > 0) rows.push(distinct[r % distinct.length] as number[]);
        const index = createExactIndex(Float32Array.from(rows.flat()), dims);
        expect(index.size).toBe(rows.length);
        const accept = (label: number) => label % mod !== 1;
        for (const query of queries) {
          for (const filter of [undefined, accept]) {
            expect(index.search(Float32Array.from(query), k, filter)).toEqual(
              reference(rows, query, k, filter),
            );
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('scores unit vectors within float rounding of one float64 sum', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    const unit = (dims: number) => {
      const v = Array.from({ length: dims }, random);
      const norm = Math.hypot(...v);
      return v.map((x) => Math.fround(x / norm));
    };
    const dims = 384;
    const rows = Array.from({ length: 501 }, () => unit(dims));
    const index = createExactIndex(Float32Array.from(rows.flat()), dims);
    const query = unit(dims);
    const hits = await index.search(Float32Array.from(query), 400);
    const expected = reference(rows, query, 400);
    expect(hits.map((h) => h.label)).toEqual(expected.map((h) => h.label));
    hits.forEach((h, i) => {
      expect(Math.abs(h.score - (expected[i]?.score ?? Number.NaN))).toBeLessThan(1e-12);
    });
  });

  it('rejects rows that do not divide into the dimensions', () => {
    expect(() => createExactIndex(new Float32Array(7), 3)).toThrow(RangeError);
  });
});
