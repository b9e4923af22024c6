import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terms, tokenize } from '../../src/core/terms.ts';
import type { Passage } from '../../src/core/types.ts';
import { analyseSentences, highlightTerms, selectQuote, weighQuery } from '../../src/retrieve/quote.ts';

const raw =
  'Intro line.\n\nThe **akims** of rural districts are appointed. Elections of akims began in 2021 as a pilot. ' +
  'The weather was fine all summer long. Parties compete in the Mazhilis.';

function passageOf(text: string): Passage {
  const sentences = [
    'The **akims** of rural districts are appointed.',
    'Elections of akims began in 2021 as a pilot.',
    'The weather was fine all summer long.',
    'Parties compete in the Mazhilis.',
  ].map((s) => {
    const start = text.indexOf(s);
    return { text: s.replaceAll('**', ''), start, end: start + s.length };
  });
  return {
    id: 'd.p1',
    ordinal: 0,
    documentId: 'd',
    source: 'd.txt',
    section: [],
    language: 'en',
    kind: 'body',
    text: sentences.map((s) => s.text).join(' '),
    sentences,
    start: sentences[0]?.start ?? 0,
    end: sentences[3]?.end ?? 0,
  };
}

const query = (q: string) => new Map(terms(q).map((t) => [t, 1]));

describe('selectQuote', () => {
  const passage = passageOf(raw);

  it('picks the sentence that answers the question, with raw offsets', () => {
    const quote = selectQuote({
      passage,
      raw,
      query: query('When did elections of akims begin?'),
      idf: () => 1,
    });
    expect(quote.text).toBe('Elections of akims began in 2021 as a pilot.');
    expect(raw.slice(quote.start, quote.end)).toBe(quote.text);
  });

  it('lies inside its passage', () => {
    const quote = selectQuote({ passage, raw, query: query('parties Mazhilis'), idf: () => 1 });
    expect(quote.start).toBeGreaterThanOrEqual(passage.start);
    expect(quote.end).toBeLessThanOrEqual(passage.end);
  });

  it('joins neighbouring sentences when together they cover more of the question', () => {
    const quote = selectQuote({
      passage,
      raw,
      query: query('rural districts appointed elections pilot 2021'),
      idf: () => 1,
    });
    expect(quote.text).toBe(
      'The akims of rural districts are appointed. Elections of akims began in 2021 as a pilot.',
    );
  });

  it('uses sentence similarity when no word matches', () => {
    const quote = selectQuote({
      passage,
      raw,
      query: query('climate'),
      idf: () => 1,
      sentenceScores: [0.1, 0.2, 0.9, 0.1],
    });
    expect(quote.text).toBe('The weather was fine all summer long.');
  });

  it('highlights query terms and their inflections inside markup', () => {
    const quote = selectQuote({ passage, raw, query: query('akim appointment'), idf: () => 1 });
    const marked = quote.highlights.map((h) => raw.slice(h.start, h.end));
    expect(marked).toContain('akims');
  });

  it('takes its highlights from the tokeniser it is given, with the same result', () => {
    const texts: string[] = [];
    const input = { passage, raw, query: query('When did elections of akims begin?'), idf: () => 1 };
    const counted = selectQuote({
      ...input,
      tokenize: (text) => {
        texts.push(text);
        return tokenize(text);
      },
    });
    expect(counted).toEqual(selectQuote(input));
    // The raw window (for highlights) and the quote's clean text (for marks).
    expect(texts).toEqual([raw.slice(counted.start, counted.end), counted.text]);
  });
});

describe('highlightTerms', () => {
  it('returns ranges that slice to the matched words', () => {
    const ranges = highlightTerms(raw, 0, raw.length, query('election parties'));
    expect(ranges.map((r) => raw.slice(r.start, r.end))).toEqual(['Elections', 'Parties']);
  });
});

describe('selectQuote with an announcing sentence', () => {
  it('takes the sentence that follows "the following …" along', () => {
    const text =
      'Intro here. The following two conditions are necessary for legitimacy. It must be elected by the people. Unrelated end.';
    const parts = [
      'Intro here.',
      'The following two conditions are necessary for legitimacy.',
      'It must be elected by the people.',
      'Unrelated end.',
    ];
    const sentences = parts.map((s) => ({
      text: s,
      start: text.indexOf(s),
      end: text.indexOf(s) + s.length,
    }));
    const passage: Passage = {
      id: 'x.p1',
      ordinal: 0,
      documentId: 'x',
      source: 'x.txt',
      section: [],
      language: 'en',
      kind: 'body',
      text,
      sentences,
      start: 0,
      end: text.length,
    };
    const quote = selectQuote({
      passage,
      raw: text,
      query: query('two conditions legitimacy'),
      idf: () => 1,
    });
    expect(quote.text).toBe(
      'The following two conditions are necessary for legitimacy. It must be elected by the people.',
    );
  });
});

describe('selectQuote window scoring', () => {
  const WORDS = 'akim election party reform region court vote council budget youth media village'.split(' ');
  const options = { maxSentences: 3, denseWeight: 0.5, extraSentenceCost: 0.06, maxWords: 12, minWords: 3 };

  /** The best window scored the plain way: every window's covered terms summed afresh. */
  function bestWindow(
    sentences: readonly string[],
    weights: ReadonlyMap<string, number>,
    idf: (term: string) => number,
    cosines: readonly number[],
  ): [number, number] {
    let total = 0;
    for (const [term, weight] of weights) total += weight * idf(term);
    let best: [number, number, number] = [0, 0, Number.NEGATIVE_INFINITY];
    for (let from = 0; from < sentences.length; from++) {
      const covered = new Set<string>();
      let words = 0;
      let dense = Number.NEGATIVE_INFINITY;
      for (let to = from; to < Math.min(sentences.length, from + options.maxSentences); to++) {
        words += (sentences[to] as string).split(' ').length;
        if (to > from && words > options.maxWords) break;
        for (const term of terms(sentences[to] as string)) if (weights.has(term)) covered.add(term);
        dense = Math.max(dense, cosines[to] ?? 0);
        let lexical = 0;
        for (const term of covered) lexical += (weights.get(term) ?? 0) * idf(term);
        const relevance = (total > 0 ? lexical / total : 0) + options.denseWeight * dense;
        const score =
          (words < options.minWords ? 0.5 : 1) * relevance - options.extraSentenceCost * (to - from);
        if (score > best[2]) best = [from, to, score];
      }
    }
    return [best[0], best[1]];
  }

  it('picks the window that summing each window afresh picks, cached analysis or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 7,
        }),
        fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.double({ min: 0.05, max: 1, noNaN: true }))),
        fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), {
          minLength: WORDS.length,
          maxLength: WORDS.length,
        }),
        fc.array(fc.double({ min: -0.2, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 }),
        (words, pairs, idfs, cosines) => {
          const texts = words.map((w) => `${w.join(' ')}.`);
          const text = texts.join(' ');
          let at = 0;
          const sentences = texts.map((t) => {
            const start = at;
            at += t.length + 1;
            return { text: t, start, end: start + t.length };
          });
          const passage = { ...passageOf(text), text, sentences, start: 0, end: text.length };
          const weights = new Map(pairs.map(([w, weight]) => [terms(w)[0] as string, weight]));
          const stems = WORDS.map((w) => terms(w)[0]);
          const idf = (term: string) => idfs[stems.indexOf(term)] ?? 1;
          const scores = cosines.slice(0, texts.length);
          const input = { passage, raw: text, query: weights, idf, sentenceScores: scores };
          const [from, to] = bestWindow(texts, weights, idf, scores);
          const quote = selectQuote(input, options);
          expect([quote.start, quote.end]).toEqual([sentences[from]?.start, sentences[to]?.end]);
          const cached = { sentences: analyseSentences(passage), weighed: weighQuery(weights, idf) };
          expect(selectQuote({ ...input, ...cached }, options)).toEqual(quote);
        },
      ),
      { numRuns: 300 },
    );
  });
});
