import MiniSearch from 'minisearch';
import { terms } from '../core/terms.ts';
import { Bm25Index, type Bm25Options } from './bm25.ts';
import type { FirstPassHelper } from './first-pass.ts';
import { type BuiltPostings, collectPostings, type MiniSearchState, toMiniSearchState } from './postings.ts';

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
  /** How searches run on a large corpus (same answers either way): tests set it to reach every path. */
  passes?: Bm25Options;
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

const FIELD_BOOSTS = (options: LexicalOptions) => [1, options.contextBoost];
const BM25 = (options: LexicalOptions) => ({ k: options.k1, b: options.b, d: 0.5 });

/**
 * BM25 over passages, with English and Russian stemming from `core/terms`. The index is built here in typed
 * arrays (`collectPostings`), as MiniSearch would build it, and written as MiniSearch's serialised state
 * (the file format, which MiniSearch itself loads as the reference); searches run on {@link Bm25Index},
 * which ranks exactly as MiniSearch's exhaustive search without building and sorting a result object per
 * match.
 */
export class LexicalIndex {
  readonly #engine: Bm25Index;
  /** The postings `build` made, kept so the index can be written; a loaded index does not keep them. */
  readonly #built: BuiltPostings | undefined;
  readonly #options: LexicalOptions;
  readonly size: number;

  private constructor(engine: Bm25Index, size: number, options: LexicalOptions, built?: BuiltPostings) {
    this.#engine = engine;
    this.#built = built;
    this.#options = options;
    this.size = size;
  }

  static build(documents: readonly LexicalDocument[], options: Partial<LexicalOptions> = {}): LexicalIndex {
    const opts = { ...DEFAULT_LEXICAL_OPTIONS, ...options };
    const collector = collectPostings<LexicalDocument>(
      FIELDS,
      (d, f) => (f === 0 ? d.text : d.context),
      (d) => d.ordinal,
      terms,
    );
    for (const d of documents) collector.add(d);
    const built = collector.finish();
    return new LexicalIndex(
      Bm25Index.fromPostings(built, FIELD_BOOSTS(opts), BM25(opts), opts.passes),
      built.documentCount,
      opts,
      built,
    );
  }

  static fromJSON(json: string, options: Partial<LexicalOptions> = {}): LexicalIndex {
    const opts = { ...DEFAULT_LEXICAL_OPTIONS, ...options };
    const state = JSON.parse(json) as MiniSearchState;
    return new LexicalIndex(
      Bm25Index.fromState(state, FIELDS, FIELD_BOOSTS(opts), BM25(opts), opts.passes),
      state.documentCount,
      opts,
    );
  }

  /** MiniSearch's serialised index (`lexical.json`); only an index made by `build` writes itself. */
  toJSON(): string {
    if (!this.#built) throw new Error('a loaded lexical index is not re-serialised: copy its lexical.json');
    return JSON.stringify(toMiniSearchState(this.#built));
  }

  /** Shares large corpora's first pass with a helper thread (`lexical-threads.node.ts`); undefined: alone. */
  useHelper(helper: FirstPassHelper | undefined): void {
    this.#engine.useHelper(helper);
  }

  /** Whether a helper thread would share searches (`Bm25Options.helperFrom`, `approximateFrom`). */
  get wantsHelper(): boolean {
    return this.#engine.wantsHelper;
  }

  /** Number of distinct terms indexed. */
  get terms(): number {
    return this.#engine.terms;
  }

  /** MiniSearch's exhaustive search over the same index (a built one), to check this one against. */
  reference(): ReturnType<typeof exhaustiveSearch> {
    if (!this.#built) throw new Error('a loaded lexical index keeps no reference: load its lexical.json');
    return exhaustiveSearch(toMiniSearchState(this.#built), this.#options);
  }

  /**
   * Passages matching any query term, best first; `accept` filters inside the search, before the cut to `k`.
   * (An empty query or k ≤ 0 gives no hits.)
   */
  search(query: WeightedTerms, k: number, accept?: (label: number) => boolean): LexicalHit[] {
    return this.#engine.search(query, k, accept);
  }

  /** Starts {@link search} and returns what finishes it (`Bm25Index.begin`): call it once, soon. */
  begin(query: WeightedTerms, k: number, accept?: (label: number) => boolean): () => LexicalHit[] {
    return this.#engine.begin(query, k, accept);
  }

  /** The same search in one float64 pass whatever the corpus's size: the reference for large corpora. */
  searchFloat64(query: WeightedTerms, k: number, accept?: (label: number) => boolean): LexicalHit[] {
    return this.#engine.searchFloat64(query, k, accept);
  }

  /** The same search in two passes whatever the corpus's size (`bench:scale` times it against one pass). */
  searchTwoPass(query: WeightedTerms, k: number, accept?: (label: number) => boolean): LexicalHit[] {
    return this.#engine.searchTwoPass(query, k, accept);
  }
}

/**
 * MiniSearch's own index of `documents`, serialised: what `LexicalIndex.build` must equal (tests and the
 * scale benchmark build both and compare).
 */
export function miniSearchState(documents: readonly LexicalDocument[]): MiniSearchState {
  const search = new MiniSearch<LexicalDocument>(miniSearchOptions());
  search.addAll(documents as LexicalDocument[]);
  return search.toJSON() as unknown as MiniSearchState;
}

/**
 * The same search through MiniSearch itself, scoring and sorting every match: the reference the
 * accumulator engine is tested against (and the baseline the benchmarks compare with).
 */
export function exhaustiveSearch(
  source: string | MiniSearchState,
  options: Partial<LexicalOptions> = {},
): (query: WeightedTerms, k: number, accept?: (label: number) => boolean) => LexicalHit[] {
  const { k1, b, contextBoost } = { ...DEFAULT_LEXICAL_OPTIONS, ...options };
  const search =
    typeof source === 'string'
      ? MiniSearch.loadJSON<LexicalDocument>(source, miniSearchOptions())
      : // biome-ignore lint/suspicious/noExplicitAny: loadJS takes MiniSearch's own (unexported) plain-object type.
        MiniSearch.loadJS<LexicalDocument>(source as any, miniSearchOptions());
  return (query, k, accept) => {
    if (query.size === 0 || k <= 0) return [];
    const results = search.search([...query.keys()].join(' '), {
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
    return results
      .slice(0, k)
      .map((r) => ({ label: r.id as number, score: r.score, matched: [...new Set(r.terms)] }));
  };
}
