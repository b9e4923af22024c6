import { type Token, terms, tokenize } from '../core/terms.ts';
import type { Passage } from '../core/types.ts';
import type { Quote } from './types.ts';

/**
 * Picks the one to three contiguous sentences of a passage that best answer the question: the share of
 * the query's (idf-weighted) terms they cover plus their semantic similarity to the query, with a small
 * price per extra sentence so a single sentence wins unless a neighbour adds something.
 */

export interface QuoteOptions {
  maxSentences: number;
  /** Weight of the best sentence cosine relative to lexical coverage (0..1). */
  denseWeight: number;
  /** Score subtracted per sentence beyond the first. */
  extraSentenceCost: number;
  /** Longest quote in words; longer windows are not considered (a single sentence always is). */
  maxWords: number;
  /** Windows shorter than this many words (headings, table labels) score half: they rarely answer anything. */
  minWords: number;
}

export const DEFAULT_QUOTE_OPTIONS: QuoteOptions = {
  maxSentences: 3,
  denseWeight: 0.5,
  extraSentenceCost: 0.06,
  maxWords: 90,
  minWords: 6,
};

const ANNOUNCES = /(?::|\b(?:the following|as follows)\b[^.!?]*[.!?]?)$/iu;

export interface QuoteInput {
  passage: Passage;
  /** Raw text of the passage's source file, for highlight offsets. */
  raw: string;
  /** Query terms with weights. */
  query: ReadonlyMap<string, number>;
  /** Inverse document frequency of a term (higher = rarer). */
  idf: (term: string) => number;
  /** Cosine of each sentence with the query, when sentence vectors are available. */
  sentenceScores?: readonly number[];
  /** The passage's sentences analysed ({@link analyseSentences}), when the caller has them cached. */
  sentences?: QuoteSentences;
  /** `query` weighed by `idf` ({@link weighQuery}), when the caller quotes several passages for one question. */
  weighed?: WeighedQuery;
  /**
   * Tokeniser for the highlights; the engine passes a memoised one, since a passage's quote windows repeat
   * across questions and tokenising (with stemming) was the quote step's main cost. It may leave out
   * stopwords (tokens with an empty term), which are never highlighted.
   */
  tokenize?: (text: string) => readonly Token[];
}

function wordCount(text: string): number {
  let count = text.length > 0 ? 1 : 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) count++;
  return count;
}

/** What quote selection reads of a passage's sentences; it depends on the passage alone, so callers may cache it. */
export interface QuoteSentences {
  /** Content terms of each sentence. */
  terms: ReadonlyArray<ReadonlySet<string>>;
  /** Words in each sentence. */
  words: readonly number[];
  /** Whether each sentence announces what follows ("…the following two conditions.", "…are:"). */
  announces: readonly boolean[];
}

export function analyseSentences(passage: Passage): QuoteSentences {
  return {
    terms: passage.sentences.map((s) => new Set(terms(s.text))),
    words: passage.sentences.map((s) => wordCount(s.text)),
    announces: passage.sentences.map((s) => ANNOUNCES.test(s.text)),
  };
}

/** Each query term's weight × idf, and their sum: the same for every passage quoted for one question. */
export interface WeighedQuery {
  value: ReadonlyMap<string, number>;
  total: number;
}

export function weighQuery(query: ReadonlyMap<string, number>, idf: (term: string) => number): WeighedQuery {
  const value = new Map<string, number>();
  let total = 0;
  for (const [term, weight] of query) {
    const v = weight * idf(term);
    value.set(term, v);
    total += v;
  }
  return { value, total };
}

/** Raw offset ranges of the query terms inside `[start, end)` of `raw`. */
export function highlightTerms(
  raw: string,
  start: number,
  end: number,
  query: ReadonlyMap<string, number>,
  tokens: (text: string) => readonly Token[] = tokenize,
): Quote['highlights'] {
  return tokens(raw.slice(start, end))
    .filter((token) => token.term !== '' && query.has(token.term))
    .map((token) => ({ start: start + token.start, end: start + token.end }));
}

export function selectQuote(input: QuoteInput, options: Partial<QuoteOptions> = {}): Quote {
  const opts = { ...DEFAULT_QUOTE_OPTIONS, ...options };
  const { passage, query, sentenceScores } = input;
  const sentences = passage.sentences;
  const analysed = input.sentences ?? analyseSentences(passage);
  const { value, total } = input.weighed ?? weighQuery(query, input.idf);
  // The query terms each sentence holds (in the sentence's term order), found once rather than once per
  // window that holds the sentence.
  const held = analysed.terms.map((set) => {
    const found: string[] = [];
    for (const term of set) if (value.has(term)) found.push(term);
    return found;
  });

  let best = { from: 0, to: 0, score: Number.NEGATIVE_INFINITY };
  for (let from = 0; from < sentences.length; from++) {
    const covered = new Set<string>();
    // The covered terms' values summed in the order they were covered: a window's sum extends the previous
    // one's, to the same bits as summing the whole set again.
    let lexical = 0;
    let dense = Number.NEGATIVE_INFINITY;
    let words = 0;
    for (let to = from; to < Math.min(sentences.length, from + opts.maxSentences); to++) {
      words += analysed.words[to] ?? 0;
      if (to > from && words > opts.maxWords) break;
      for (const term of held[to] ?? []) {
        if (covered.has(term)) continue;
        covered.add(term);
        lexical += value.get(term) ?? 0;
      }
      dense = Math.max(dense, sentenceScores?.[to] ?? 0);
      const relevance = (total > 0 ? lexical / total : 0) + opts.denseWeight * dense;
      const score = (words < opts.minWords ? 0.5 : 1) * relevance - opts.extraSentenceCost * (to - from);
      if (score > best.score) best = { from, to, score };
    }
  }
  // A sentence that announces what follows ("…the following two conditions.", "…are:") is not the answer
  // on its own; take the next sentence with it.
  if (
    best.to + 1 < sentences.length &&
    best.to - best.from + 1 < opts.maxSentences &&
    analysed.announces[best.to]
  ) {
    best = { ...best, to: best.to + 1 };
  }
  const first = sentences[best.from];
  const last = sentences[best.to];
  if (!first || !last) {
    return {
      text: passage.text,
      start: passage.start,
      end: passage.end,
      highlights: [],
      marks: highlightTerms(passage.text, 0, passage.text.length, query, input.tokenize),
    };
  }
  const text = sentences
    .slice(best.from, best.to + 1)
    .map((s) => s.text)
    .join(' ');
  return {
    text,
    start: first.start,
    end: last.end,
    highlights: highlightTerms(input.raw, first.start, last.end, query, input.tokenize),
    marks: highlightTerms(text, 0, text.length, query, input.tokenize),
  };
}
