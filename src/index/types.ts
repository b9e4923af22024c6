import type { PassageKind } from '../core/types.ts';

/**
 * The request's filters in a form a database can apply inside its query. Backends that search in
 * memory use the `accept` callback instead; both describe the same passages.
 */
export interface PassageFilter {
  kinds: readonly PassageKind[];
  documentIds?: readonly string[];
  languages?: readonly string[];
}

/** A leg's result now (in memory) or later (a database round trip). */
export type MaybePromise<T> = T | Promise<T>;

/** A scored label from a vector search; `score` is the cosine similarity of unit vectors. */
export interface VectorHit {
  label: number;
  score: number;
}

/** Nearest-neighbour search over passage vectors; labels are passage ordinals. */
export interface VectorIndex {
  readonly dims: number;
  readonly size: number;
  /**
   * Top `k` labels by cosine; `accept` restricts the search to some labels (applied inside the graph walk),
   * `filter` says the same for backends that filter inside a query.
   */
  search(
    vector: Float32Array,
    k: number,
    accept?: (label: number) => boolean,
    filter?: PassageFilter,
  ): MaybePromise<VectorHit[]>;
}

/** A vector index held in this process, which can hand back the stored vector of a label. */
export interface StoredVectorIndex extends VectorIndex {
  vector(label: number): Float32Array;
}

export function isStoredVectorIndex(index: VectorIndex): index is StoredVectorIndex {
  return typeof (index as Partial<StoredVectorIndex>).vector === 'function';
}

/** HNSW construction and search parameters. */
export interface HnswOptions {
  /** Graph degree; 16 is the usual recall/memory balance for a few hundred dimensions. */
  m: number;
  /** Candidate list size while building; higher gives a better graph at build-time cost. */
  efConstruction: number;
  /** Candidate list size while searching; never below the requested k. Not persisted by hnswlib, so set on load. */
  efSearch: number;
  /** Seed for the level generator, so builds are reproducible. */
  randomSeed: number;
}

export const DEFAULT_HNSW_OPTIONS: HnswOptions = {
  m: 16,
  // 400 rather than hnswlib's usual 200: on text-like vectors (passages recombining real sentences) the
  // better graph reaches recall@10 0.992 on the eval questions' own vectors at search ef 128 (10k) and 192
  // (100k), where efConstruction 200 needed ef 384, at about twice the query cost; the graph takes 1.4-1.9x longer to build. M 32 was
  // worse at 100k (recall stuck near 0.975 at any ef). BENCHMARKS.md, "bench:scale".
  efConstruction: 400,
  efSearch: 128,
  randomSeed: 42,
};

/**
 * Search `ef` for an index of `size` vectors (smaller ones are searched exactly), from `npm run bench:scale`'s
 * sweep over 200 eval questions (M 16, efConstruction 400, text-like vectors), with the vectors the engine
 * searches with and the per-language indexes (language-partitions.ts): recall@10 is 1.0 at ef 128 with 10k
 * passages and 0.9925 at ef 192 with 100k (0.9985 at 256). Without the per-language indexes, 100k needed
 * ef 768 for 0.993 (Kazakh questions' passages form a cluster the walk from the entry point does not reach).
 * Beyond 200k, 1024: at 1M passages recall@10 is 0.9935 there and 0.990 at 768 (dense leg 5.4 / 4.2 ms).
 */
export function efSearchFor(size: number): number {
  if (size <= 20_000) return 128;
  if (size <= 200_000) return 192;
  return 1024;
}

/**
 * Collections up to this many vectors are searched exactly (a full scan) rather than through the graph, by
 * every backend. At a few thousand rows a scan costs about what the graph walk does at the depths the engine
 * asks for (k = 100 passages, 400 sentences), it cannot miss a neighbour, and two backends then return the
 * same neighbours (up to float rounding between near-tied scores) where two graphs each miss different ones.
 */
export const EXACT_SEARCH_MAX_ROWS = 4096;

/** State of a background rebuild, as reported by the admin endpoint. */
export interface ReindexStatus {
  state: 'idle' | 'running' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  indexBuiltAt?: string;
}

/** What the admin endpoints control: a rebuild in the background and an atomic swap when it succeeds. */
export interface AdminControl {
  /**
   * Starts a rebuild, or queues one more when one is running; returns the status right after. Answered at
   * once by the process that builds, asynchronously by a cluster worker (the primary builds).
   */
  reindex(): MaybePromise<ReindexStatus>;
  status(): MaybePromise<ReindexStatus>;
  /** Corpus changes (uploads and deletions); absent when the corpus is read-only to the service. */
  documents?: DocumentStore;
}

/** The result of adding or removing a corpus file. */
export interface DocumentChange {
  file: string;
  /** True when the upload replaced a file of the same name. */
  replaced?: boolean;
  /** Ids of the documents the file held (for a removal). */
  removed?: string[];
  reindex: ReindexStatus;
}

/** Adds, replaces and removes corpus files, then starts an incremental rebuild. */
export interface DocumentStore {
  /** Checks the file (name, size, content against the extension, readability), stores it atomically. */
  add(name: string, bytes: Uint8Array): Promise<DocumentChange>;
  /** Removes the file holding document `id` (or a skipped file of that name); undefined when none. */
  remove(id: string): Promise<DocumentChange | undefined>;
}

/** Where the index is served from, as `/healthz` reports it. */
export interface IndexBackendStatus {
  backend: 'files' | 'postgres';
  /** The database's published version this process serves (postgres). */
  version?: number;
  /** Whether the database answered the last check, and when that was (postgres). */
  database?: { status: 'ok' | 'unavailable'; checkedAt: string; error?: string };
}
