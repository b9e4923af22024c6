/**
 * Exact BM25 top-k over term-ordered postings, scoring exactly as MiniSearch does (BM25+ per field, field
 * boosts, term boosts, the sum multiplied by the number of query terms matched), so the ranking equals an
 * exhaustive MiniSearch search, at a fraction of its cost.
 *
 * MiniSearch builds a result object for every passage a query term matches, then filters and sorts them
 * all; a question's terms match ~40% of passages, so its cost grows with the corpus. Here each query term's
 * postings add into one typed-array accumulator per passage (term at a time, in query order, so the floating
 * point sums are MiniSearch's to the bit), then one pass keeps the k best in a heap, applying the filter
 * only to a passage that would enter it. On a large corpus (from 200k passages) that pass runs in float32,
 * range by range in cache (on Node, shared with a helper thread: `lexical-threads.node.ts`), and the few
 * passages near its cut are scored again exactly: the same top k.
 *
 * Why not MaxScore or WAND: a document-at-a-time MaxScore engine (this module's previous version) visited
 * ~60% of passages on the engine's real queries, because they carry ~17 weighted terms (the question's,
 * word-vector neighbours, cognates), the engine asks for 100 candidates, and the matched-terms multiplier
 * keeps upper bounds loose; it was 4-5x slower than this loop at 10k and 100k passages (BENCHMARKS.md).
 * Term-at-a-time MaxScore fared no better at 100k and 1M: terms whose bounds let no new passage reach θ
 * held 51-64% of postings, but a passage already met still had to be looked up in them unless
 * (partial sum + their bounds) × (partial count + their number) fell below θ, which the multiplier kept
 * true for about a quarter of all passages; it was 2-5x slower than scoring every posting.
 */

import { type FirstPassHelper, firstPass, firstPassBand, kthLargest } from './first-pass.ts';
import { type BuiltPostings, Growing, type MiniSearchState, type Postings } from './postings.ts';
import { TopK } from './top-k.ts';

/** How a {@link Bm25Index} searches; the defaults suit every corpus (tests change them to reach each path). */
export interface Bm25Options {
  /** Passages from which searches take the float32 first pass. */
  approximateFrom?: number;
  /** Passages the first pass adds into before reading them. */
  approximateRange?: number;
  /** Passages from which a search given a helper thread takes two passes, the helper sharing the first. */
  helperFrom?: number;
}

/**
 * From this many passages on, searches take the float32 first pass. Below, the float64 sums and counts
 * (10 bytes a passage) fit in a core's 2 MiB L2 and one float64 pass is faster: at 100k passages the two
 * passes took 1.2-1.3x as long, at 1M 0.6-0.8x (`bench:scale` times both on the engine's queries).
 */
export const APPROXIMATE_FROM = 200_000;

/**
 * From this many passages on, a search given a helper thread ({@link Bm25Index.useHelper}) takes two passes
 * even below {@link APPROXIMATE_FROM}: the helper does the first pass's ranges while the engine searches the
 * vectors, which more than pays for the second pass (`bench:scale` times the ask with and without it at
 * 100k passages); below, one float64 pass takes a fraction of a millisecond.
 */
export const HELPER_FROM = 50_000;

/**
 * 8k float32 sums and byte counts (40 KiB) stay in a core's L2 while every term adds into them. Small ranges
 * also share the work out evenly between this thread and the helper: at 100k passages, 13 ranges rather than
 * 4 at 32k (the helper's search 0.85× and the ask 0.93× as long, BENCHMARKS.md).
 */
const APPROXIMATE_RANGE = 8_192;

/** The first pass counts terms in bytes; a query of more terms (none the engine makes) takes the exact path. */
const MAX_APPROXIMATE_TERMS = 255;

/** A query's terms the corpus holds, in query order, with their postings and weights. */
interface WeightedPostings {
  terms: string[];
  postings: Postings[];
  weights: number[];
  /** Postings of all its terms together. */
  count: number;
}

/** BM25+ parameters as MiniSearch names them (`k` is k1, `d` the BM25+ lower bound). */
export interface Bm25Params {
  k: number;
  b: number;
  d: number;
}

/**
 * A passage's score, and the query terms it holds (in query order), looked up in the postings only when read:
 * the engine shows a few of the hits it asks for, and finding every hit's terms (a seek per query term per
 * hit) cost about as much as the accumulation itself. A class, not an object literal with a getter: V8
 * builds and sorts those several times slower. (`matched` is a prototype getter, so `toEqual` and
 * `JSON.stringify` do not see it: read it.)
 */
export class Bm25Hit {
  readonly label: number;
  readonly score: number;
  #matched: string[] | undefined;
  readonly #qTerms: readonly string[];
  readonly #qPostings: readonly Postings[];

  constructor(label: number, score: number, qTerms: readonly string[], qPostings: readonly Postings[]) {
    this.label = label;
    this.score = score;
    this.#qTerms = qTerms;
    this.#qPostings = qPostings;
  }

  get matched(): string[] {
    if (!this.#matched) {
      this.#matched = [];
      for (let q = 0; q < this.#qPostings.length; q++) {
        const labels = (this.#qPostings[q] as Postings).labels;
        const at = seek(labels, 0, this.label);
        if (at < labels.length && labels[at] === this.label) this.#matched.push(this.#qTerms[q] as string);
      }
    }
    return this.#matched;
  }
}

/** First index ≥ `from` whose label is ≥ `target` (galloping, then binary search). */
function seek(labels: Uint32Array, from: number, target: number): number {
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < labels.length && (labels[hi] as number) < target) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > labels.length) hi = labels.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((labels[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A term's entry in MiniSearch's state: field id → short document id → term frequency. */
type SerializedPostings = Record<string, Record<string, number>>;

/** What scoring reads of a corpus, however it was made. */
interface Corpus {
  documentCount: number;
  averageFieldLength: number[];
  /** Per field (in boost order), by label. */
  fieldLength: Uint32Array[];
  postingsOf: (term: string) => Postings | undefined;
  termCount: () => number;
}

/**
 * A term's postings read from MiniSearch's serialised state on its first search: a server starts without
 * converting the whole vocabulary, most of which no question asks about.
 */
function lazyPostings(state: MiniSearchState, fieldIds: readonly number[], labelOf: Map<string, number>) {
  const postings = new Map<string, Postings>();
  const unread = new Map<string, SerializedPostings>(state.index);
  return {
    termCount: () => postings.size + unread.size,
    postingsOf(term: string): Postings | undefined {
      const done = postings.get(term);
      if (done) return done;
      const data = unread.get(term);
      if (!data) return undefined;
      const byLabel = new Map<number, number[]>();
      const fieldDf = fieldIds.map((id, f) => {
        const freqs = data[String(id)];
        if (!freqs) return 0;
        let df = 0;
        for (const [shortId, tf] of Object.entries(freqs)) {
          const label = labelOf.get(shortId);
          if (label === undefined) continue;
          df++;
          let row = byLabel.get(label);
          if (!row) {
            row = fieldIds.map(() => 0);
            byLabel.set(label, row);
          }
          row[f] = tf;
        }
        return df;
      });
      const labels = Uint32Array.from(byLabel.keys()).sort();
      const tf = fieldIds.map((_, f) =>
        Uint16Array.from(labels, (l) => (byLabel.get(l) as number[])[f] as number),
      );
      const converted = { labels, tf, fieldDf };
      postings.set(term, converted);
      unread.delete(term);
      return converted;
    },
  };
}

/** Typed-array postings and the accumulators a search adds into. */
export class Bm25Index {
  readonly #corpus: Corpus;
  readonly #fieldBoosts: number[];
  readonly #bm25: Bm25Params;
  /** Per passage: the running sum of its query terms' scores, and how many it holds (zero between searches). */
  readonly #sum: Float64Array;
  readonly #count: Uint16Array;
  /** Passages a search touched, when it touched few enough that visiting them beats scanning all. */
  readonly #touched: Uint32Array;
  /** From this many passages on, searches take the float32 first pass ({@link #approximate}). */
  readonly #approximateFrom: number;
  readonly #approximateRange: number;
  readonly #helperFrom: number;
  /** The first pass's range accumulators on this thread, made on its first search. */
  #range: { sum: Float32Array; count: Uint8Array } | undefined;
  /** Per term: each posting's score summed over fields with their boosts, in float32 (the first pass's). */
  #impacts = new WeakMap<Postings, Float32Array>();
  /** A thread sharing the first pass ({@link useHelper}). */
  #helper: FirstPassHelper | undefined;

  private constructor(
    corpus: Corpus,
    boosts: readonly number[],
    bm25: Bm25Params,
    options: Bm25Options = {},
  ) {
    this.#corpus = corpus;
    this.#bm25 = bm25;
    this.#fieldBoosts = [...boosts];
    const size = corpus.fieldLength[0]?.length ?? 0;
    this.#sum = new Float64Array(size);
    this.#count = new Uint16Array(size);
    this.#touched = new Uint32Array(size);
    this.#approximateFrom = options.approximateFrom ?? APPROXIMATE_FROM;
    this.#approximateRange = options.approximateRange ?? APPROXIMATE_RANGE;
    this.#helperFrom = options.helperFrom ?? HELPER_FROM;
  }

  /**
   * Over MiniSearch's serialised state (`lexical.json`).
   * @param fields field names in the order MiniSearch applies their boosts (it iterates the boost object).
   * @param boosts boost of each field, same order.
   */
  static fromState(
    state: MiniSearchState,
    fields: readonly string[],
    boosts: readonly number[],
    bm25: Bm25Params,
    options: Bm25Options = {},
  ): Bm25Index {
    if (state.serializationVersion !== 2) {
      throw new Error(
        `lexical index: unsupported MiniSearch serialization version ${state.serializationVersion}`,
      );
    }
    const fieldIds = fields.map((f) => {
      const id = state.fieldIds[f];
      if (id === undefined) throw new Error(`lexical index: no field "${f}"`);
      return id;
    });
    // MiniSearch's short ids are its own; labels are passage ordinals.
    const labelOf = new Map<string, number>();
    let maxLabel = -1;
    for (const [shortId, label] of Object.entries(state.documentIds)) {
      labelOf.set(shortId, label);
      if (label > maxLabel) maxLabel = label;
    }
    const fieldLength = fields.map(() => new Uint32Array(maxLabel + 1));
    for (const [shortId, lengths] of Object.entries(state.fieldLength)) {
      const label = labelOf.get(shortId);
      if (label === undefined) continue;
      fieldIds.forEach((id, f) => {
        (fieldLength[f] as Uint32Array)[label] = lengths[id] ?? 0;
      });
    }
    return new Bm25Index(
      {
        documentCount: state.documentCount,
        averageFieldLength: fieldIds.map((id) => state.averageFieldLength[id] ?? 0),
        fieldLength,
        ...lazyPostings(state, fieldIds, labelOf),
      },
      boosts,
      bm25,
      options,
    );
  }

  /** Over postings built in this process (`collectPostings`), fields in boost order. */
  static fromPostings(
    built: BuiltPostings,
    boosts: readonly number[],
    bm25: Bm25Params,
    options: Bm25Options = {},
  ): Bm25Index {
    return new Bm25Index(
      {
        documentCount: built.documentCount,
        averageFieldLength: built.averageFieldLength,
        fieldLength: built.fieldLength,
        postingsOf: (term) => built.terms.get(term),
        termCount: () => built.terms.size,
      },
      boosts,
      bm25,
      options,
    );
  }

  /** MiniSearch's BM25+ of one field of one passage, with the same operations in the same order. */
  #fieldScore(f: number, tf: number, df: number, label: number): number {
    const { k, b, d } = this.#bm25;
    const { fieldLength: lengths, averageFieldLength, documentCount } = this.#corpus;
    const fieldLength = (lengths[f] as Uint32Array)[label] as number;
    const avgFieldLength = averageFieldLength[f] as number;
    const invDocFreq = Math.log(1 + (documentCount - df + 0.5) / (df + 0.5));
    return invDocFreq * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * fieldLength) / avgFieldLength)));
  }

  /** The term's unweighted BM25 in each field of each posting, computed on its first search. */
  #raw(p: Postings): Float64Array[] {
    p.raw ??= p.tf.map((tfs, f) =>
      Float64Array.from(tfs, (tf, i) =>
        tf === 0 ? 0 : this.#fieldScore(f, tf, p.fieldDf[f] as number, p.labels[i] as number),
      ),
    );
    return p.raw;
  }

  /** Whether a helper thread would share searches (they take two passes with one: `helperFrom`). */
  get wantsHelper(): boolean {
    return this.#sum.length >= Math.min(this.#approximateFrom, this.#helperFrom);
  }

  /** Whether searches take two passes: from `approximateFrom` passages, or `helperFrom` with a helper. */
  #twoPass(): boolean {
    const size = this.#sum.length;
    return size >= this.#approximateFrom || (this.#helper !== undefined && size >= this.#helperFrom);
  }

  /** Number of terms in the vocabulary. */
  get terms(): number {
    return this.#corpus.termCount();
  }

  /**
   * The `k` best passages for the weighted query terms, best first (ties by label), among those `accept`
   * allows. Equal to sorting every match by its MiniSearch score.
   */
  search(query: ReadonlyMap<string, number>, k: number, accept?: (label: number) => boolean): Bm25Hit[] {
    return this.begin(query, k, accept)();
  }

  /**
   * The same search in one float64 pass whatever the corpus's size: what {@link search}'s two passes on a
   * large corpus must equal (the reference of the tests and of `bench:scale`).
   */
  searchFloat64(
    query: ReadonlyMap<string, number>,
    k: number,
    accept?: (label: number) => boolean,
  ): Bm25Hit[] {
    return this.#begin(query, k, accept, false)();
  }

  /** The same search in two passes whatever the corpus's size (benchmarks time it against one pass). */
  searchTwoPass(
    query: ReadonlyMap<string, number>,
    k: number,
    accept?: (label: number) => boolean,
  ): Bm25Hit[] {
    return this.#begin(query, k, accept, true)();
  }

  /**
   * Starts {@link search} and returns what finishes it (call it once, soon: the helper thread takes no
   * other search meanwhile). With a helper on a large corpus, its share of the first pass runs while this
   * thread does other work (the engine's dense leg); otherwise the whole search runs in the call.
   */
  begin(query: ReadonlyMap<string, number>, k: number, accept?: (label: number) => boolean): () => Bm25Hit[] {
    return this.#begin(query, k, accept, this.#twoPass());
  }

  #begin(
    query: ReadonlyMap<string, number>,
    k: number,
    accept: ((label: number) => boolean) | undefined,
    twoPass: boolean,
  ): () => Bm25Hit[] {
    const q = this.#query(query);
    if (!q || k <= 0) return () => [];
    if (!twoPass || q.postings.length > MAX_APPROXIMATE_TERMS) return () => this.#float64(q, k, accept);
    const finish = this.#approximate(q, k, accept);
    return () => this.#hits(finish(), q.terms, q.postings);
  }

  /** The query's terms the corpus holds (weight above 0), in query order, with their postings. */
  #query(query: ReadonlyMap<string, number>): WeightedPostings | undefined {
    const q: WeightedPostings = { terms: [], postings: [], weights: [], count: 0 };
    for (const [term, weight] of query) {
      if (!(weight > 0)) continue;
      const p = this.#corpus.postingsOf(term);
      if (!p) continue;
      q.terms.push(term);
      q.postings.push(p);
      q.weights.push(weight);
      q.count += p.labels.length;
    }
    return q.terms.length > 0 ? q : undefined;
  }

  #float64(q: WeightedPostings, k: number, accept?: (label: number) => boolean): Bm25Hit[] {
    // Recording touched passages costs a branch per posting; it pays only when few passages are touched.
    const sparse = q.count * 8 < this.#sum.length;
    const touched = this.#accumulate(q.postings, q.weights, sparse);
    const top = this.#best(k, accept, sparse ? touched : -1);
    return this.#hits(top, q.terms, q.postings);
  }

  /**
   * The exhaustive top k for large corpora, in two passes. The first scores every posting, as the exact
   * search does, but in float32 (sums and per-posting scores half the bytes, counts a quarter), one range of
   * passages at a time so that range's sums stay in cache while every term adds into it and while they are
   * read ({@link firstPass}); with a helper thread, both threads claim ranges. Its scores are within a
   * relative ε of the exact ones, so the exact top k is among the passages scoring at least θ'·(1−ε)/(1+ε),
   * θ' being its k-th best: those few are scored again exactly (in float64, in query order: MiniSearch's
   * scores to the bit) and ranked. The helper starts at once; the returned function does this thread's
   * share and the rest.
   */
  #approximate(q: WeightedPostings, k: number, accept: ((label: number) => boolean) | undefined): () => TopK {
    const size = this.#sum.length;
    const rangeSize = this.#approximateRange;
    const ranges = Math.ceil(size / rangeSize);
    const impacts = q.postings.map((p) => this.#impact(p));
    const labels = q.postings.map((p) => p.labels);
    const band = firstPassBand(q.postings.length);
    const candidates = new Growing(new Uint32Array(256), (n) => new Uint32Array(n));
    const scores = new Growing(new Float64Array(256), (n) => new Float64Array(n));
    const keep = (l: number, score: number) => {
      candidates.push(l);
      scores.push(score);
    };
    const run = (claim: () => number) => {
      this.#range ??= { sum: new Float32Array(rangeSize), count: new Uint8Array(rangeSize) };
      const { sum, count } = this.#range;
      firstPass(labels, impacts, q.weights, k, band, size, rangeSize, claim, accept, sum, count, keep);
    };
    const alone = () => {
      let next = 0;
      run(() => (next < ranges ? next++ : -1));
      return this.#rescore(q, k, candidates, scores, band, false);
    };
    // A filter is a closure of this thread: filtered searches stay here.
    const helper = accept ? undefined : this.#helper;
    if (!helper?.begin({ labels, impacts, weights: q.weights, k, band, size, rangeSize })) return alone;
    return () => {
      run(() => helper.claim());
      if (helper.end(keep)) return this.#rescore(q, k, candidates, scores, band, true);
      // The helper failed: its ranges are lost, so the pass starts again here alone.
      candidates.length = 0;
      scores.length = 0;
      return alone();
    };
  }

  /**
   * The exact top k among the first pass's candidates: those within the band of its k-th best, scored
   * exactly in ascending label order (so that a passage tying the k-th best stays out, as in one pass).
   */
  #rescore(
    q: WeightedPostings,
    k: number,
    candidates: Growing<Uint32Array>,
    scores: Growing<Float64Array>,
    band: number,
    unordered: boolean,
  ): TopK {
    const cut = kthLargest(scores.data, scores.length, k) * band;
    let near = new Uint32Array(candidates.length);
    let m = 0;
    for (let i = 0; i < candidates.length; i++) {
      if ((scores.data[i] as number) >= cut) near[m++] = candidates.data[i] as number;
    }
    near = near.subarray(0, m);
    // Two threads' ranges interleave.
    if (unordered) near.sort();
    const exact = new TopK(k);
    const cursors = new Array<number>(q.postings.length).fill(0);
    for (const l of near) {
      const score = this.#exactScore(q.postings, q.weights, cursors, l);
      if (exact.size === k && score <= exact.threshold) continue;
      exact.push(score, l);
    }
    return exact;
  }

  /**
   * Passage `l`'s score as {@link #accumulate} sums it: each held term's (weight × boost) × field score over
   * its fields, terms added in query order, times the number held. `cursors` (one per term) only move
   * forward: call with ascending labels.
   */
  #exactScore(
    qPostings: readonly Postings[],
    qWeights: readonly number[],
    cursors: number[],
    l: number,
  ): number {
    let sum = 0;
    let held = 0;
    for (let t = 0; t < qPostings.length; t++) {
      const p = qPostings[t] as Postings;
      const at = seek(p.labels, cursors[t] as number, l);
      cursors[t] = at;
      if (p.labels[at] !== l) continue;
      const w = qWeights[t] as number;
      let score = 0;
      for (let f = 0; f < p.tf.length; f++) {
        const tf = (p.tf[f] as Uint16Array)[at] as number;
        // A field the passage lacks adds w·boost·0 = 0 there, which changes no bit.
        if (tf > 0)
          score += w * (this.#fieldBoosts[f] as number) * this.#fieldScore(f, tf, p.fieldDf[f] as number, l);
      }
      sum += score;
      held++;
    }
    return sum * held;
  }

  /**
   * Runs the first pass of large corpora's searches with `helper` (undefined: alone). A helper reads the
   * postings' labels and impacts from shared memory: from here on, a term's labels move there and its
   * impacts are made there on its first search.
   */
  useHelper(helper: FirstPassHelper | undefined): void {
    this.#helper = helper;
    this.#impacts = new WeakMap();
  }

  /**
   * The term's per-posting score summed over fields with their boosts, in float32; made on first use (in
   * shared memory, labels moved there too, when a helper thread reads them).
   */
  #impact(p: Postings): Float32Array {
    let impact = this.#impacts.get(p);
    if (!impact) {
      const shared = this.#helper !== undefined;
      if (shared && !(p.labels.buffer instanceof SharedArrayBuffer)) {
        const labels = new Uint32Array(new SharedArrayBuffer(p.labels.byteLength));
        labels.set(p.labels);
        p.labels = labels;
      }
      const out = new Float32Array(
        shared ? new SharedArrayBuffer(p.labels.length * 4) : new ArrayBuffer(p.labels.length * 4),
      );
      p.tf.forEach((tfs, f) => {
        const df = p.fieldDf[f] as number;
        if (df === 0) return;
        const boost = this.#fieldBoosts[f] as number;
        for (let i = 0; i < tfs.length; i++) {
          const tf = tfs[i] as number;
          if (tf > 0)
            out[i] = (out[i] as number) + boost * this.#fieldScore(f, tf, df, p.labels[i] as number);
        }
      });
      impact = out;
      this.#impacts.set(p, impact);
    }
    return impact;
  }

  /**
   * Adds each term's weighted score into its passages' sums, term by term in query order. MiniSearch computes
   * a term's score as the sum over fields of (term weight × field boost) × field score, then adds terms in
   * query order: the same operations in the same order (adding a zero field changes no bit), so sums are
   * identical. When `record`, passages are also listed in `#touched`; returns how many.
   */
  #accumulate(qPostings: readonly Postings[], qWeights: readonly number[], record: boolean): number {
    const sum = this.#sum;
    const count = this.#count;
    const boosts = this.#fieldBoosts;
    let nTouched = 0;
    for (let q = 0; q < qPostings.length; q++) {
      const p = qPostings[q] as Postings;
      const raw = this.#raw(p);
      const labels = p.labels;
      const w = qWeights[q] as number;
      const weights = boosts.map((boost) => w * boost);
      // Fields the term never occurs in add nothing: most terms are in the body only.
      const fields = raw.map((_, f) => f).filter((f) => (p.fieldDf[f] as number) > 0);
      if (record) {
        const touched = this.#touched;
        for (let i = 0; i < labels.length; i++) {
          const l = labels[i] as number;
          let s = 0;
          for (const f of fields) s += (weights[f] as number) * ((raw[f] as Float64Array)[i] as number);
          if (count[l] === 0) touched[nTouched++] = l;
          sum[l] = (sum[l] as number) + s;
          count[l] = (count[l] as number) + 1;
        }
      } else if (fields.length === 1) {
        // The hot loops: no per-posting branch, one or two fields (every index this service builds).
        const f = fields[0] as number;
        const r = raw[f] as Float64Array;
        const wf = weights[f] as number;
        for (let i = 0; i < labels.length; i++) {
          const l = labels[i] as number;
          sum[l] = (sum[l] as number) + wf * (r[i] as number);
          count[l] = (count[l] as number) + 1;
        }
      } else if (fields.length === 2) {
        const [f0, f1] = fields as [number, number];
        const [r0, r1] = [raw[f0] as Float64Array, raw[f1] as Float64Array];
        const [w0, w1] = [weights[f0] as number, weights[f1] as number];
        for (let i = 0; i < labels.length; i++) {
          const l = labels[i] as number;
          sum[l] = (sum[l] as number) + (w0 * (r0[i] as number) + w1 * (r1[i] as number));
          count[l] = (count[l] as number) + 1;
        }
      } else {
        for (let i = 0; i < labels.length; i++) {
          const l = labels[i] as number;
          let s = 0;
          for (const f of fields) s += (weights[f] as number) * ((raw[f] as Float64Array)[i] as number);
          sum[l] = (sum[l] as number) + s;
          count[l] = (count[l] as number) + 1;
        }
      }
    }
    return nTouched;
  }

  /**
   * The k best accepted passages among those with a sum, resetting every sum it reads. `nTouched` < 0 means
   * scan every passage. The filter is asked only about a passage that would enter the top k.
   */
  #best(k: number, accept: ((label: number) => boolean) | undefined, nTouched: number): TopK {
    const sum = this.#sum;
    const count = this.#count;
    const touched = this.#touched;
    const top = new TopK(k);
    // The entry bar: the heap's worst (score, label) once it holds k; a passage must beat it.
    let barScore = Number.NEGATIVE_INFINITY;
    let barLabel = -1;
    const scan = nTouched < 0;
    const n = scan ? count.length : nTouched;
    for (let j = 0; j < n; j++) {
      const l = scan ? j : (touched[j] as number);
      // MiniSearch multiplies a passage's sum by the number of query terms it holds. Untouched passages
      // score 0 and are reset all the same: no branch on whether a passage was touched, which a scan
      // would mispredict about half the time.
      const score = (sum[l] as number) * (count[l] as number);
      sum[l] = 0;
      count[l] = 0;
      if (score < barScore || (score === barScore && l > barLabel) || score === 0) continue;
      if (accept && !accept(l)) continue;
      top.push(score, l);
      if (top.size === k) {
        barScore = top.scores[0] as number;
        barLabel = top.labels[0] as number;
      }
    }
    return top;
  }

  /** The heap's passages best first (ties by label). */
  #hits(top: TopK, qTerms: readonly string[], qPostings: readonly Postings[]): Bm25Hit[] {
    const ranked: Bm25Hit[] = [];
    for (let i = 0; i < top.size; i++) {
      ranked.push(new Bm25Hit(top.labels[i] as number, top.scores[i] as number, qTerms, qPostings));
    }
    return ranked.sort((a, b) => b.score - a.score || a.label - b.label);
  }
}
