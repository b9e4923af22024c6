import { pageRange } from '../chunk/chunk-corpus.ts';
import { memoize } from '../core/memo.ts';
import { tokenize } from '../core/terms.ts';
import type { DocumentInfo, Passage } from '../core/types.ts';
import type { LexicalHit } from '../index/lexical.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { citePassage } from './citation.ts';
import type { CorpusStats } from './corpus-stats.ts';
import type { FusedHit } from './fuse.ts';
import type { Query } from './query.ts';
import { type QuoteOptions, selectQuote, weighQuery } from './quote.ts';
import type { RankedPassage } from './types.ts';

/** Quote windows whose tokens are kept (each a few hundred characters). */
const QUOTE_WINDOWS = 4096;

function dot(a: Float32Array, b: Float32Array, offset: number): number {
  let sum = 0;
  const n = b.length;
  // Bounds checked once for the row rather than per element, and four products a turn (this runs for every
  // sentence of every shown passage): the same additions in the same order, so the same sum to the bit.
  if (offset >= 0 && offset + n <= a.length) {
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const at = offset + i;
      sum += (a[at] as number) * (b[i] as number);
      sum += (a[at + 1] as number) * (b[i + 1] as number);
      sum += (a[at + 2] as number) * (b[i + 2] as number);
      sum += (a[at + 3] as number) * (b[i + 3] as number);
    }
    for (; i < n; i++) sum += (a[offset + i] as number) * (b[i] as number);
    return sum;
  }
  for (let i = 0; i < n; i++) sum += (a[offset + i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/** True when `quote` (from a passage of `source`) overlaps or repeats the quote of an earlier result. */
function sameQuote(earlier: RankedPassage, source: string, quote: RankedPassage['quote']): boolean {
  if (earlier.quote.text === quote.text) return true;
  return (
    earlier.citation.source === source && earlier.quote.start < quote.end && quote.start < earlier.quote.end
  );
}

/** What one search hands to {@link Presenter}. */
export interface Presentation {
  query: Query;
  /** The question vector, when the search had one (its cosines pick the quote's sentence). */
  qv: Float32Array | undefined;
  /** The lexical leg's hits, for the terms each shown passage matched. */
  lexical: readonly LexicalHit[];
  topK: number;
}

/**
 * Turns fused candidates, best first, into the passages shown: each with its best quote, citation and why
 * it ranked. Returns the shown passages and the candidates they came from.
 */
export type Presenter = (
  candidates: readonly FusedHit[],
  search: Presentation,
) => { picked: FusedHit[]; passages: RankedPassage[] };

export function createPresenter(
  index: Pick<SearchIndex, 'passages' | 'sentenceOffsets' | 'sentenceVectors' | 'sources' | 'sourceLayout'>,
  stats: CorpusStats,
  options: Partial<QuoteOptions>,
): Presenter {
  /**
   * Content tokens of quote windows (raw and clean text), by text: the windows of popular passages recur.
   * Stopwords are dropped once here, as highlighting would drop them on every use.
   */
  const windowTokens = memoize(QUOTE_WINDOWS, (text: string) => tokenize(text).filter((t) => t.term !== ''));

  return (candidates, { query, qv, lexical, topK }) => {
    const picked: FusedHit[] = [];
    const passages: RankedPassage[] = [];
    const weighed = weighQuery(query.terms, stats.idf);
    for (const hit of candidates) {
      if (passages.length >= topK) break;
      const passage = index.passages[hit.label] as Passage;
      const first = index.sentenceOffsets[hit.label] ?? 0;
      const sentenceScores = qv
        ? passage.sentences.map((_, j) => dot(index.sentenceVectors, qv, (first + j) * qv.length))
        : undefined;
      const quote = selectQuote(
        {
          passage,
          raw: index.sources.get(passage.source) ?? '',
          query: query.terms,
          idf: stats.idf,
          sentenceScores,
          sentences: stats.sentencesOf(passage),
          weighed,
          tokenize: windowTokens,
        },
        options,
      );
      // Neighbouring passages share a sentence, and a text may be printed twice (an abstract repeated in
      // the conclusion): the same supporting quote is shown once, with the better-ranked passage.
      if (passages.some((p) => sameQuote(p, passage.source, quote))) continue;
      picked.push(hit);
      passages.push({
        id: passage.id,
        rank: passages.length + 1,
        score: Number(hit.fused.toFixed(6)),
        text: passage.text,
        language: passage.language,
        kind: passage.kind,
        quote,
        citation: citePassage(
          passage,
          stats.documentsById.get(passage.documentId) as DocumentInfo,
          pageRange(index.sourceLayout?.get(passage.source)?.pages, quote.start, quote.end) ?? passage.pages,
        ),
        why: {
          ...(hit.dense ? { dense: hit.dense } : {}),
          ...(hit.lexical ? { lexical: hit.lexical } : {}),
          ...(hit.sentence ? { sentence: hit.sentence } : {}),
          fused: hit.fused,
          // The leg's rank locates its hit; its terms are looked up only for passages shown (see Bm25Index).
          matchedTerms: (hit.lexical && lexical[hit.lexical.rank - 1]?.matched) ?? [],
        },
      });
    }
    return { picked, passages };
  };
}
