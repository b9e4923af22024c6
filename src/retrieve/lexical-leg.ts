import type { LexicalHit } from '../index/lexical.ts';
import type { SearchIndex } from '../index/search-index.ts';
import type { MaybePromise, PassageFilter } from '../index/types.ts';
import { createExpander, type ExpansionOptions } from './expand.ts';
import type { Query } from './query.ts';

export interface LexicalLegOptions {
  /** Query expansion through word vectors; `false` turns it off. */
  expansion: Partial<ExpansionOptions> | false;
  /** BM25 weight of a cognate relative to the word it translates. */
  cognateWeight: number;
}

/**
 * Starts the lexical leg for a query; the returned function finishes it (`LexicalSearch.begin`: an index
 * with a helper thread runs part of the search while the caller does other work).
 */
export type BeginLexical = (
  query: Query,
  cognates: ReadonlyArray<{ term: string }>,
  k: number,
  accept: ((label: number) => boolean) | undefined,
  filter: PassageFilter,
) => () => MaybePromise<LexicalHit[]>;

/**
 * The lexical leg over `index`: BM25 over the query's terms plus English cognates of its Cyrillic words
 * and word-vector neighbours of its words, at lower weights.
 */
export function createLexicalLeg(
  index: Pick<SearchIndex, 'lexical' | 'wordVectors' | 'documentFrequency'>,
  options: LexicalLegOptions,
): BeginLexical {
  const expander =
    index.wordVectors && options.expansion !== false
      ? createExpander(index.wordVectors, (t) => index.documentFrequency.has(t), options.expansion)
      : undefined;

  function lexicalTerms(query: Query, cognates: ReadonlyArray<{ term: string }>): Map<string, number> {
    if (!expander && cognates.length === 0) return query.terms;
    const terms = new Map(query.terms);
    for (const c of cognates) if (!terms.has(c.term)) terms.set(c.term, options.cognateWeight);
    if (!expander) return terms;
    for (const token of query.tokens) {
      if (token.term === '') continue;
      const base = query.terms.get(token.term) ?? 1;
      for (const n of expander.neighboursOf(token.word)) {
        if (!terms.has(n.term)) terms.set(n.term, base * n.weight);
      }
    }
    return terms;
  }

  return (query, cognates, k, accept, filter) => {
    const terms = lexicalTerms(query, cognates);
    const { lexical } = index;
    return lexical.begin
      ? lexical.begin(terms, k, accept, filter)
      : () => lexical.search(terms, k, accept, filter);
  };
}
