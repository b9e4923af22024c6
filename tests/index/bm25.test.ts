import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import { type FirstPassHelper, type FirstPassJob, firstPass } from '../../src/index/first-pass.ts';
import {
  exhaustiveSearch,
  type LexicalDocument,
  LexicalIndex,
  miniSearchState,
} from '../../src/index/lexical.ts';
import { plain, searchArb, WORDS, withOrdinals } from '../setup/lexical-arbitraries.ts';
import { expectSameTopK } from '../setup/same-top-k.ts';

describe('BM25 top-k (typed-array accumulators)', () => {
  it('returns exhaustive BM25 top-k on random corpora, weighted queries, filters and k, in one pass or two', () => {
    // The second index takes two passes (float32 first) whatever its size, in ranges of `range` passages:
    // its hits must be the one-pass search's to the bit.
    fc.assert(
      fc.property(searchArb(40), ({ raw, q, k, mod, range }) => {
        const docs: LexicalDocument[] = raw.map((d, ordinal) => ({ ordinal, ...d }));
        const index = LexicalIndex.build(docs);
        const twoPass = LexicalIndex.build(docs, {
          passes: { approximateFrom: 0, approximateRange: range },
        });
        const reference = exhaustiveSearch(miniSearchState(docs));
        const query = new Map(q);
        const accept = (label: number) => label % mod !== 1;
        for (const filter of [undefined, accept]) {
          const hits = index.search(query, k, filter);
          expectSameTopK(hits, reference(query, k, filter));
          expect(plain(twoPass.search(query, k, filter))).toEqual(plain(hits));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches exhaustive BM25 whether a query touches few passages or most, search after search', () => {
    // 600 passages: common words in all, a rare word in a few. A query of rare words touches few passages
    // (the engine then records them rather than scanning every sum), one of common words nearly all.
    const docs: LexicalDocument[] = Array.from({ length: 600 }, (_, ordinal) => ({
      ordinal,
      text: [
        WORDS[ordinal % WORDS.length],
        WORDS[(ordinal * 7) % WORDS.length],
        ordinal % 150 === 0 ? 'quorum' : '',
        ordinal % 97 === 5 ? 'referendum quorum' : '',
      ].join(' '),
      context: ordinal % 50 === 0 ? 'referendum' : (WORDS[(ordinal * 3) % WORDS.length] as string),
    }));
    const index = LexicalIndex.build(docs);
    const reference = exhaustiveSearch(miniSearchState(docs));
    const queries = [
      new Map([['quorum', 1]]),
      new Map([
        ['referendum', 1],
        ['quorum', 0.4],
      ]),
      new Map(WORDS.map((w, i) => [terms(w)[0] ?? w, 1 - i / 40])),
      new Map([['quorum', 1]]),
    ];
    const odd = (label: number) => label % 2 === 1;
    // The same index answers every query in turn: sums left over from one search would spoil the next.
    for (const query of queries) {
      for (const k of [1, 5, 100, 1000]) {
        expectSameTopK(index.search(query, k), reference(query, k));
        expectSameTopK(index.search(query, k, odd), reference(query, k, odd));
      }
    }
    expect(index.search(new Map([['quorum', 1]]), 10, () => false)).toEqual([]);
  });

  it('ranks two passages whose scores differ below float32 precision as one float64 pass does', () => {
    // Passage 0 holds two query terms, passage 1 one; the lone term's weight is set so that passage 1's exact
    // score is passage 0's times (1 + δ), |δ| < 1e-6: their float32 first-pass scores may tie or swap.
    const docs: LexicalDocument[] = [
      { ordinal: 0, text: 'akim vote', context: '' },
      { ordinal: 1, text: 'budget', context: '' },
      { ordinal: 2, text: 'market', context: '' },
    ];
    const twoPass = LexicalIndex.build(docs, { passes: { approximateFrom: 0 } });
    const scoreOf = (query: Map<string, number>, label: number) =>
      twoPass.searchFloat64(query, 3).find((h) => h.label === label)?.score as number;
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
        (wAkim, wVote, delta) => {
          const pair = new Map([
            ['akim', wAkim],
            ['vote', wVote],
          ]);
          const wBudget = (scoreOf(pair, 0) * (1 + delta)) / scoreOf(new Map([['budget', 1]]), 1);
          const query = new Map([...pair, ['budget', wBudget]]);
          for (const k of [1, 2])
            expect(plain(twoPass.search(query, k))).toEqual(plain(twoPass.searchFloat64(query, k)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps ties at the cut by label in two passes, across ranges, search after search', () => {
    // Groups of identical passages tie exactly; passages one filler word longer score a little less. The
    // cut at k falls inside a group of ties, which spans several ranges of 7 passages.
    const docs: LexicalDocument[] = Array.from({ length: 400 }, (_, ordinal) => ({
      ordinal,
      text: `akim vote ${ordinal % 3 === 0 ? 'budget' : ''} ${'market '.repeat(ordinal % 5)}`,
      context: ordinal % 4 === 0 ? 'akim' : '',
    }));
    const twoPass = LexicalIndex.build(docs, { passes: { approximateFrom: 0, approximateRange: 7 } });
    const onePass = LexicalIndex.build(docs, { passes: { approximateFrom: Number.POSITIVE_INFINITY } });
    const queries = [
      new Map([['akim', 1]]),
      new Map([
        ['akim', 1],
        ['vote', 0.3],
        ['budget', 0.7],
      ]),
      new Map([['market', 0.2]]),
    ];
    const even = (label: number) => label % 2 === 0;
    for (const query of queries) {
      for (const k of [1, 10, 33, 100, 400]) {
        for (const filter of [undefined, even]) {
          const hits = twoPass.search(query, k, filter);
          expect(plain(hits)).toEqual(plain(onePass.search(query, k, filter)));
          expect(plain(hits)).toEqual(plain(twoPass.searchFloat64(query, k, filter)));
        }
      }
    }
    expect(twoPass.search(new Map([['akim', 1]]), 5, () => false)).toEqual([]);
  });

  it('merges a helper’s ranges, interleaved with its own, and starts again alone when the helper fails', () => {
    // A helper in this thread (lexical-threads.test.ts runs the real one): the caller is handed the even
    // ranges, the helper keeps the odd ones and scores them when asked to end, or fails after taking them.
    const helper = (fails: boolean): FirstPassHelper => {
      let job: FirstPassJob | undefined;
      let next = 0;
      let ranges = 0;
      const mine: number[] = [];
      return {
        begin(j) {
          job = j;
          next = 0;
          ranges = Math.ceil(j.size / j.rangeSize);
          mine.length = 0;
          return true;
        },
        claim() {
          while (next < ranges && next % 2 === 1) mine.push(next++);
          return next < ranges ? next++ : -1;
        },
        end(keep) {
          if (fails || !job) return false;
          const { labels, impacts, weights, k, band, size, rangeSize } = job;
          let i = 0;
          const claim = () => (i < mine.length ? (mine[i++] as number) : -1);
          const [sum, count] = [new Float32Array(rangeSize), new Uint8Array(rangeSize)];
          firstPass(labels, impacts, weights, k, band, size, rangeSize, claim, undefined, sum, count, keep);
          return true;
        },
      };
    };
    fc.assert(
      fc.property(searchArb(9), fc.boolean(), ({ raw, q, k, range }, fails) => {
        const index = LexicalIndex.build(withOrdinals(raw), {
          passes: { approximateFrom: 0, approximateRange: range },
        });
        index.useHelper(helper(fails));
        const query = new Map(q);
        expect(plain(index.search(query, k))).toEqual(plain(index.searchFloat64(query, k)));
      }),
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
    expect(plain(loaded.search(query, 10))).toEqual(plain(built.search(query, 10)));
    expect(() => loaded.toJSON()).toThrow(/not re-serialised/);
  });
});
