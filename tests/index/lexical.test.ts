import { describe, expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import { type LexicalHit, LexicalIndex } from '../../src/index/lexical.ts';

const docs = [
  {
    ordinal: 0,
    text: 'Elections of akims in rural districts started as a pilot.',
    context: 'Local Self-Government',
  },
  { ordinal: 1, text: 'Political parties compete in the Mazhilis elections.', context: 'Party Field Reform' },
  { ordinal: 2, text: 'Digital technologies change political participation.', context: 'Digitalization' },
];
const q = (text: string, weight = 1) => new Map(terms(text).map((t) => [t, weight]));

describe('LexicalIndex', () => {
  const index = LexicalIndex.build(docs);

  it('ranks passages by BM25 over stemmed terms', () => {
    const hits = index.search(q('How was the akim elected?'), 3);
    expect(hits[0]?.label).toBe(0);
    expect(hits[0]?.matched).toEqual(expect.arrayContaining(['akim', 'elect']));
  });

  it('searches the contextual header with a lower boost', () => {
    expect(index.search(q('digitalization'), 3)[0]?.label).toBe(2);
    const body = index.search(q('parties'), 3)[0]?.score ?? 0;
    const header =
      LexicalIndex.build([{ ordinal: 0, text: 'nothing', context: 'parties' }]).search(q('parties'), 1)[0]
        ?.score ?? 0;
    expect(header).toBeLessThan(body);
  });

  it('applies the filter before cutting to k', () => {
    const hits = index.search(q('elections'), 1, (label) => label === 1);
    expect(hits.map((h) => h.label)).toEqual([1]);
  });

  it('survives a JSON round trip', () => {
    const loaded = LexicalIndex.fromJSON(index.toJSON());
    // `matched` is read explicitly: hits look their terms up when asked, so `toEqual` alone would skip them.
    const plain = (hits: LexicalHit[]) =>
      hits.map(({ label, score, matched }) => ({ label, score, matched }));
    const hits = plain(loaded.search(q('mazhilis parties'), 3));
    expect(hits).toEqual(plain(index.search(q('mazhilis parties'), 3)));
    expect(hits[0]?.matched.length).toBeGreaterThan(0);
  });

  it('returns nothing for a query without content terms', () => {
    expect(index.search(q('the of and'), 3)).toEqual([]);
  });
});
