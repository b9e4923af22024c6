import { tokenize } from '../core/terms.ts';
import { DEFAULT_PASSAGE_KINDS } from '../core/types.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { type Cognate, type CognateOptions, createCognateMatcher } from './cognates.ts';
import { induceLexicon, parallelPhrases } from './lexicon.ts';
import type { Query } from './query.ts';

/** English words for a question's Cyrillic words: all of them, and by the term each translates. */
export interface EnglishWords {
  all: Cognate[];
  byTerm: Map<string, Cognate[]>;
}

/**
 * English words for a Russian or Kazakh word: its translation in the corpus's parallel titles and
 * keywords when there is one, else its cognates among the English words of the searchable passages.
 */
function createTranslator(
  index: Pick<SearchIndex, 'passages' | 'documents'>,
  options: Partial<CognateOptions>,
): (token: { word: string; term: string }) => Cognate[] {
  const vocabulary = new Map<string, number>();
  for (const p of index.passages) {
    if (p.language !== 'en' || !DEFAULT_PASSAGE_KINDS.includes(p.kind)) continue;
    for (const t of tokenize(p.text))
      if (t.term !== '') vocabulary.set(t.word, (vocabulary.get(t.word) ?? 0) + 1);
  }
  const cognates = createCognateMatcher(vocabulary, options);
  const titles = new Map(index.documents.map((d) => [d.id, d.title]));
  const lexicon = induceLexicon(
    parallelPhrases(index.passages, (id) => titles.get(id)),
    cognates,
  );
  return (token) => {
    const known = lexicon.get(token.term);
    return known ? [known] : cognates.cognatesOf(token.word);
  };
}

/**
 * The English words of a query's Cyrillic words (none for a question without Cyrillic, or with `options`
 * false). The translator is built on the first Cyrillic question: it reads every English passage.
 */
export function createEnglishFor(
  index: Pick<SearchIndex, 'passages' | 'documents'>,
  options: Partial<CognateOptions> | false,
): (query: Query) => EnglishWords {
  let translator: ((token: { word: string; term: string }) => Cognate[]) | undefined;
  return (query) => {
    const byTerm = new Map<string, Cognate[]>();
    if (options === false || !/[\u0400-\u04FF]/u.test(query.question)) return { all: [], byTerm };
    if (!translator) translator = createTranslator(index, options);
    const all: Cognate[] = [];
    for (const token of query.tokens) {
      if (token.term === '') continue;
      const found = translator(token);
      if (found.length > 0) byTerm.set(token.term, found);
      for (const c of found) if (!all.some((o) => o.term === c.term)) all.push(c);
    }
    return { all, byTerm };
  };
}
