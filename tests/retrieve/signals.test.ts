import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/core/types.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { createCorpusStats } from '../../src/retrieve/corpus-stats.ts';
import type { FusedHit } from '../../src/retrieve/fuse.ts';
import { buildQuery } from '../../src/retrieve/query.ts';
import { measureSignals } from '../../src/retrieve/signals.ts';

function passage(ordinal: number, text: string): Passage {
  return {
    id: `d.p${ordinal}`,
    ordinal,
    documentId: 'd',
    source: 'd.txt',
    section: [],
    language: 'en',
    kind: 'body',
    text,
    sentences: [{ start: 0, end: text.length, text }],
    start: 0,
    end: text.length,
  } as Passage;
}

const passages = [
  passage(0, 'The parliament passed the electoral reform.'),
  passage(1, 'Regional akims are appointed by the president.'),
  passage(2, 'The president signed the decree on the parliament.'),
];
const documentFrequency = new Map([
  ['parliament', 2],
  ['pass', 1],
  ['elector', 1],
  ['reform', 1],
  ['region', 1],
  ['akim', 1],
  ['appoint', 1],
  ['presid', 2],
  ['sign', 1],
  ['decre', 1],
]);
const index = {
  passages,
  documents: [{ id: 'd', title: 'Politics', authors: ['A. Author'] }],
  documentFrequency,
} as unknown as SearchIndex;
const stats = createCorpusStats(index);
const options = { agreementRank: 5, confidence: {} };

/** A fused hit ranked `dense` by the dense leg and `lexical` by the lexical one (absent: not found there). */
function hit(label: number, dense: number, lexical?: number): FusedHit {
  return {
    label,
    fused: 1,
    dense: { rank: dense, score: 0.9 },
    ...(lexical === undefined ? {} : { lexical: { rank: lexical, score: 3 } }),
  };
}

function signalsFor(question: string, picked: FusedHit[]) {
  const query = buildQuery(question);
  return {
    query,
    signals: measureSignals(
      stats,
      passages,
      {
        query,
        picked,
        passages: [],
        englishByTerm: new Map(),
        similarity: 0,
        otherLanguage: false,
      },
      options,
    ),
  };
}

describe('measureSignals', () => {
  it('weighs coverage by idf, a word the corpus lacks weighing what a word of 1 passage in 1.5 would', () => {
    expect(signalsFor('electoral reform', []).signals.coverage).toBe(1);
    const { query, signals } = signalsFor('electoral quasar', []);
    const [known, unknown] = query.questionTerms;
    expect(stats.knows(known as string)).toBe(true);
    expect(stats.knows(unknown as string)).toBe(false);
    const seenOnce = Math.log(1 + passages.length / 1.5);
    expect(signals.coverage).toBeCloseTo(
      stats.idf(known as string) / (stats.idf(known as string) + seenOnce),
      3,
    );
  });

  it("gives support as the idf-weighted share of the question's terms in the best passage", () => {
    const { signals, query } = signalsFor('electoral reform by the president', [hit(0, 1, 1)]);
    const terms = [...new Set(query.questionTerms)];
    const idf = terms.map((t) => stats.idf(t));
    const held = terms.map((t, i) =>
      stats.passageTerms(passages[0] as Passage).has(t) ? (idf[i] as number) : 0,
    );
    const expected = held.reduce((a, b) => a + b, 0) / idf.reduce((a, b) => a + b, 0);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(1);
    expect(signals.support).toBeCloseTo(expected, 3);
    expect(signals.agreement).toBe(true);
  });

  it('finds no agreement when one leg ranks the best passage below agreementRank', () => {
    expect(signalsFor('electoral reform', [hit(0, 1, 6)]).signals.agreement).toBe(false);
    expect(signalsFor('electoral reform', [hit(0, 1)]).signals.agreement).toBe(false);
  });

  it('counts a name as present when the top passage or its document title holds it', () => {
    const top: FusedHit = { label: 1, fused: 1 };
    expect(signalsFor('What did Politics say about Regional akims?', [top]).signals.missingNames).toEqual([]);
    expect(signalsFor('What did Nazarbayev say about akims?', [top]).signals.missingNames.length).toBe(1);
  });
});
