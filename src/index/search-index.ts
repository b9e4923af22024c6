import type { DocumentInfo, PageSpan, Passage, SkippedFile, SourceFormat } from '../core/types.ts';
import type { Embedder } from '../embed/types.ts';
import type { WordVectors } from '../embed/word-vectors.ts';
import type { LexicalHit, WeightedTerms } from './lexical.ts';
import type { MaybePromise, PassageFilter, VectorIndex } from './types.ts';

/** Everything a search needs, loaded and verified; runtime-neutral (the Node loader builds it). */
export interface SearchIndex {
  documents: readonly DocumentInfo[];
  /** Indexed by ordinal. */
  passages: readonly Passage[];
  /** Raw text of each corpus file by name, for highlight offsets. */
  sources: ReadonlyMap<string, string>;
  /** Format and page spans of each corpus file that is not plain text. */
  sourceLayout?: ReadonlyMap<string, { format: SourceFormat; pages?: PageSpan[] }>;
  /** Corpus files left out of the index, with the reason. */
  skipped?: readonly SkippedFile[];
  /** Passage vectors; labels are passage ordinals. */
  vectors: VectorIndex;
  /**
   * The passages of each language but the most common one, searched beside `vectors` for a question in
   * that language (index/language-partitions.ts); labels are passage ordinals. Absent for small corpora.
   */
  vectorsByLanguage?: ReadonlyMap<string, VectorIndex>;
  /** Sentence vectors; labels are rows of `sentenceVectors`. */
  sentences: VectorIndex;
  lexical: LexicalSearch;
  /** Unit vectors of every passage sentence, row-major, passage by passage in ordinal order. */
  sentenceVectors: Float32Array;
  /** Row of each passage's first sentence in `sentenceVectors`; length = passages + 1. */
  sentenceOffsets: Uint32Array;
  /** Passage ordinal of each sentence row. */
  sentencePassage: Uint32Array;
  /** Number of passages containing each stemmed term. */
  documentFrequency: ReadonlyMap<string, number>;
  embedder: Pick<Embedder, 'id' | 'dims' | 'embedQuery'>;
  builtAt: string;
  /** Word vectors for query expansion (the GloVe-SIF table), when available. */
  wordVectors?: WordVectors;
}

/** The lexical leg: BM25 over passage text and header (in memory, or in a database with the same scores). */
export interface LexicalSearch {
  readonly size: number;
  /** Passages matching any query term, best first; `accept` / `filter` restrict it before the cut to `k`. */
  search(
    query: WeightedTerms,
    k: number,
    accept?: (label: number) => boolean,
    filter?: PassageFilter,
  ): MaybePromise<LexicalHit[]>;
  /**
   * Starts `search` and returns what finishes it (called once, soon), so that other work, the dense leg,
   * runs meanwhile: an in-memory index with a helper thread does its share there. Optional.
   */
  begin?(
    query: WeightedTerms,
    k: number,
    accept?: (label: number) => boolean,
    filter?: PassageFilter,
  ): () => MaybePromise<LexicalHit[]>;
}
