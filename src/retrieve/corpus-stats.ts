import { memoize } from '../core/memo.ts';
import { terms } from '../core/terms.ts';
import type { DocumentInfo, Passage, PassageKind } from '../core/types.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { analyseSentences, type QuoteSentences } from './quote.ts';

/** Passages whose analysed terms are kept (independent of the query-vector cache, which may be off). */
const ANALYSED_PASSAGES = 100_000;

/** What the engine looks up about a loaded corpus: computed once per index, or on first use and kept. */
export interface CorpusStats {
  readonly documentsById: ReadonlyMap<string, DocumentInfo>;
  readonly passagesById: ReadonlyMap<string, Passage>;
  /** Passages per document id. */
  readonly passageCounts: ReadonlyMap<string, number>;
  readonly languages: ReadonlySet<string>;
  readonly kindsPresent: ReadonlySet<PassageKind>;
  /** Share of the passages in `language` (0 to 1). */
  languageShare(language: string): number;
  /** BM25's idf of a stemmed term (as MiniSearch computes it). */
  idf(term: string): number;
  /** Share of the passages holding a stemmed term. */
  passageShare(term: string): number;
  /** Whether any passage holds a stemmed term. */
  knows(term: string): boolean;
  /** Stemmed terms of a document's title and authors. */
  documentTerms(id: string): string[];
  /** Stemmed terms of a passage. */
  passageTerms(passage: Passage): ReadonlySet<string>;
  /** A passage's sentences, analysed for quote selection. */
  sentencesOf(passage: Passage): QuoteSentences;
}

/** The lookups of {@link CorpusStats} over `index`. */
export function createCorpusStats(index: SearchIndex): CorpusStats {
  const { passages, documentFrequency } = index;
  const total = passages.length;
  const passageCounts = new Map<string, number>();
  const languageShare = new Map<string, number>();
  for (const p of passages) {
    passageCounts.set(p.documentId, (passageCounts.get(p.documentId) ?? 0) + 1);
    languageShare.set(p.language, (languageShare.get(p.language) ?? 0) + 1 / total);
  }
  const documentsById = new Map(index.documents.map((d) => [d.id, d]));
  const documentTerms = memoize(Number.POSITIVE_INFINITY, (id: string) => {
    const d = documentsById.get(id);
    return d ? terms([d.title, ...d.authors].join(' ')) : [];
  });
  // Analysed forms of passages, computed on first use: the same passages come back across searches.
  const analysed = memoize(
    ANALYSED_PASSAGES,
    (passage: Passage) => {
      const sentences = analyseSentences(passage);
      return { passage: new Set(sentences.terms.flatMap((s) => [...s])), sentences };
    },
    (passage) => passage.ordinal,
  );
  return {
    documentsById,
    passagesById: new Map(passages.map((p) => [p.id, p])),
    passageCounts,
    languages: new Set(passages.map((p) => p.language)),
    kindsPresent: new Set(passages.map((p) => p.kind)),
    languageShare: (language) => languageShare.get(language) ?? 0,
    idf(term) {
      const df = documentFrequency.get(term) ?? 0;
      return Math.log(1 + (total - df + 0.5) / (df + 0.5));
    },
    passageShare: (term) => (documentFrequency.get(term) ?? 0) / total,
    knows: (term) => documentFrequency.has(term),
    documentTerms,
    passageTerms: (passage) => analysed(passage).passage,
    sentencesOf: (passage) => analysed(passage).sentences,
  };
}
