import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import { type LexicalDocument, LexicalIndex } from '../../src/index/lexical.ts';
import { LexicalHelperThread, shareFirstPass } from '../../src/index/lexical-threads.node.ts';
import { plain, searchArb, WORDS, withOrdinals } from '../setup/lexical-arbitraries.ts';

/** Passages enough, in ranges small enough, that the helper thread wakes before the caller has taken them all. */
function largeCorpus(size: number): LexicalDocument[] {
  return Array.from({ length: size }, (_, ordinal) => ({
    ordinal,
    text: [0, 3, 7, 11, 19].map((m) => WORDS[(ordinal * (m + 1) + m) % WORDS.length]).join(' '),
    context: WORDS[(ordinal * 5) % WORDS.length] as string,
  }));
}

/** A query of `words` (stemmed as the index stems them), weighted. */
const queryOf = (words: readonly string[], weight = (i: number) => 1 / (i + 1)) =>
  new Map(words.map((w, i) => [terms(w)[0] ?? w, weight(i)]));

/** k from 1 to `to`, in steps of `step`. */
const ks = (to: number, step: number) => Array.from({ length: Math.ceil(to / step) }, (_, i) => 1 + i * step);

/**
 * Searches `index` for `query` at each k, each search equal to `reference`'s (by default one float64 pass
 * over the same index), and counts the searches `helper` scored ranges in.
 */
function searchesShared(
  helper: LexicalHelperThread,
  index: LexicalIndex,
  query: ReadonlyMap<string, number>,
  at: readonly number[],
  reference = (k: number) => index.searchFloat64(query, k),
): number {
  let shares = 0;
  for (const k of at) {
    helper.lastShare = 0;
    expect(plain(index.search(query, k))).toEqual(plain(reference(k)));
    shares += helper.lastShare > 0 ? 1 : 0;
  }
  return shares;
}

const passes = (approximateRange: number) => ({ passes: { approximateFrom: 0, approximateRange } });

describe('LexicalHelperThread (the first pass on two threads)', () => {
  const helper = new LexicalHelperThread();
  afterAll(() => helper.close());

  it('gives one float64 pass’s top k to the bit on random corpora, queries, k, filters and ranges', () => {
    let shared = 0;
    fc.assert(
      fc.property(searchArb(16), ({ raw, q, k, mod, range }) => {
        const index = LexicalIndex.build(withOrdinals(raw), passes(range));
        index.useHelper(helper);
        const query = new Map(q);
        const accept = (label: number) => label % mod !== 1;
        for (const filter of [undefined, accept]) {
          expect(plain(index.search(query, k, filter))).toEqual(plain(index.searchFloat64(query, k, filter)));
          if (!filter) shared += helper.lastShare;
        }
      }),
      { numRuns: 200 },
    );
    // Not a tautology of one thread: the helper did score ranges.
    expect(shared).toBeGreaterThan(0);
  });

  it('shares a large corpus’s ranges and keeps its candidates, search after search', () => {
    const index = LexicalIndex.build(largeCorpus(20_000), passes(16));
    index.useHelper(helper);
    expect(searchesShared(helper, index, queryOf(WORDS.slice(0, 9)), ks(120, 17))).toBeGreaterThan(0);
  });

  it('runs a search alone while the helper is busy with another, and both stay exact', () => {
    const index = LexicalIndex.build(largeCorpus(5_000), passes(8));
    index.useHelper(helper);
    const a = queryOf([WORDS[0], WORDS[4], WORDS[9]] as string[], () => 1);
    const b = queryOf([WORDS[2], WORDS[7]] as string[], () => 0.5);
    const finishA = index.begin(a, 50);
    const finishB = index.begin(b, 40);
    expect(plain(finishB())).toEqual(plain(index.searchFloat64(b, 40)));
    // Time for the helper to wake on A even on a loaded machine, before this thread claims A's ranges too.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(plain(finishA())).toEqual(plain(index.searchFloat64(a, 50)));
    // A's first pass ran on the helper while B ran here.
    expect(helper.lastShare).toBeGreaterThan(0);
  });

  it('finishes a search in flight exactly when the served index is swapped meanwhile (forget)', () => {
    const index = LexicalIndex.build(largeCorpus(5_000), passes(8));
    index.useHelper(helper);
    const query = queryOf(WORDS.slice(2, 8));
    for (let round = 0; round < 5; round++) {
      const finish = index.begin(query, 40);
      // Sent while the helper may not have read the job yet: it must not drop the job's terms.
      helper.forget();
      expect(plain(finish())).toEqual(plain(index.searchFloat64(query, 40)));
    }
    // A helper that lost a job's terms fails it and stops for good; this one still takes ranges. (Whether it
    // took any in a given search is timing: this thread may claim them all before it wakes.)
    expect(
      searchesShared(
        helper,
        index,
        query,
        ks(10, 1).map((k) => 39 + k),
      ),
    ).toBeGreaterThan(0);
  });

  it('goes on alone, exactly, once the helper is stopped', () => {
    const stopped = new LexicalHelperThread();
    const index = LexicalIndex.build(largeCorpus(3_000), passes(8));
    index.useHelper(stopped);
    const query = queryOf([WORDS[3] as string]);
    expect(plain(index.search(query, 30))).toEqual(plain(index.searchFloat64(query, 30)));
    stopped.close();
    expect(plain(index.search(query, 30))).toEqual(plain(index.searchFloat64(query, 30)));
    expect(
      stopped.begin({ labels: [], impacts: [], weights: [], k: 1, band: 1, size: 0, rangeSize: 1 }),
    ).toBe(false);
  });

  it('takes two passes with a helper from helperFrom passages, one without', () => {
    const docs = largeCorpus(20_000);
    const options = {
      passes: { approximateFrom: Number.POSITIVE_INFINITY, helperFrom: 10_000, approximateRange: 16 },
    };
    const alone = LexicalIndex.build(docs, options);
    const helped = LexicalIndex.build(docs, options);
    const below = LexicalIndex.build(docs.slice(0, 5_000), options);
    expect([alone.wantsHelper, below.wantsHelper]).toEqual([true, false]);
    helped.useHelper(helper);
    below.useHelper(helper);
    const query = queryOf(WORDS.slice(3, 10));
    expect(searchesShared(helper, helped, query, ks(100, 11), (k) => alone.search(query, k))).toBeGreaterThan(
      0,
    );
    // Below helperFrom the helper takes no part.
    expect(searchesShared(helper, below, query, ks(100, 11))).toBe(0);
  });

  it('is given to a served index only when it searches in two passes and LEXICAL_HELPER is on', () => {
    const query = queryOf(WORDS.slice(0, 5));
    const small = LexicalIndex.build(largeCorpus(2_000));
    expect(shareFirstPass(small, true)).toBeUndefined();
    const large = LexicalIndex.build(largeCorpus(20_000), passes(16));
    expect(shareFirstPass(large, false)).toBeUndefined();
    const given = shareFirstPass(large, true);
    expect(given).toBeInstanceOf(LexicalHelperThread);
    expect(searchesShared(given as LexicalHelperThread, large, query, ks(100, 11))).toBeGreaterThan(0);
    // The process keeps one helper, for each index it serves.
    expect(shareFirstPass(LexicalIndex.build(largeCorpus(100), passes(4)), true)).toBe(given);
  });
});
