import MiniSearch from 'minisearch';
import { terms } from '../core/terms.ts';

/** One passage as the lexical index sees it. */
export interface LexicalDocument {
  ordinal: number;
  /** Clean passage text. */
  text: string;
  /** Contextual header: document title and section path, searched with a lower boost. */
  context: string;
}

export interface LexicalHit {
  label: number;
  score: number;
  /** Stemmed query terms found in the passage. */
  matched: string[];
}

/** Query terms with weights (1 for the question itself, lower for carried-over context). */
export type WeightedTerms = ReadonlyMap<string, number>;

/** BM25 parameters and field boosts; k1/b are the usual defaults, the header counts for less than the body. */
export interface LexicalOptions {
  k1: number;
  b: number;
  contextBoost: number;
}

export const DEFAULT_LEXICAL_OPTIONS: LexicalOptions = { k1: 1.2, b: 0.75, contextBoost: 0.3 };

const FIELDS = ['text', 'context'];

function miniSearchOptions() {
  return {
    idField: 'ordinal',
    fields: FIELDS,
    // Analysis happens in `terms` (tokenise, stopwords, stemming), so MiniSearch must not alter terms again.
    tokenize: (text: string) => terms(text),
    processTerm: (term: string) => term,
  };
}

/** BM25 over passages (MiniSearch), with English and Russian stemming from `core/terms`. */
export class LexicalIndex {
  readonly #search: MiniSearch<LexicalDocument>;
  readonly #options: LexicalOptions;

  private constructor(search: MiniSearch<LexicalDocument>, options: LexicalOptions) {
    this.#search = search;
    this.#options = options;
  }

  static build(documents: readonly LexicalDocument[], options: Partial<LexicalOptions> = {}): LexicalIndex {
    const search = new MiniSearch<LexicalDocument>(miniSearchOptions());
    search.addAll(documents as LexicalDocument[]);
    return new LexicalIndex(search, { ...DEFAULT_LEXICAL_OPTIONS, ...options });
  }

  static fromJSON(json: string, options: Partial<LexicalOptions> = {}): LexicalIndex {
    return new LexicalIndex(MiniSearch.loadJSON<LexicalDocument>(json, miniSearchOptions()), {
      ...DEFAULT_LEXICAL_OPTIONS,
      ...options,
    });
  }

  get size(): number {
    return this.#search.documentCount;
  }

  toJSON(): string {
    return JSON.stringify(this.#search);
  }

  /** Passages matching any query term, best first; `accept` filters inside the search, before the cut to `k`. */
  search(query: WeightedTerms, k: number, accept?: (label: number) => boolean): LexicalHit[] {
    if (query.size === 0 || k <= 0) return [];
    const { k1, b, contextBoost } = this.#options;
    const results = this.#search.search([...query.keys()].join(' '), {
      combineWith: 'OR',
      prefix: false,
      fuzzy: false,
      // Query terms arrive already analysed: split them, never stem a stem again.
      tokenize: (q: string) => q.split(' '),
      processTerm: (term: string) => term,
      boost: { text: 1, context: contextBoost },
      boostTerm: (term) => query.get(term) ?? 1,
      bm25: { k: k1, b, d: 0.5 },
      filter: accept ? (r) => accept(r.id as number) : undefined,
    });
    return results.slice(0, k).map((r) => ({
      label: r.id as number,
      score: r.score,
      matched: [...new Set(r.terms)],
    }));
  }
}
