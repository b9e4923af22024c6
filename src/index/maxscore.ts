/**
 * Exact BM25 top-k with MaxScore pruning over term-ordered postings, scoring exactly as MiniSearch does
 * (BM25+ per field, field boosts, term boosts, the sum multiplied by the number of query terms matched),
 * so the ranking equals an exhaustive MiniSearch search while only a fraction of the matches is scored.
 *
 * MiniSearch scores every passage a query term matches, builds a result object for each, filters and
 * sorts them all; a question's terms match ~40% of passages, so its cost grows with the corpus. Here a
 * passage that can only match low-impact terms is never visited once the k-th best score is out of reach
 * (Turtle & Flood's MaxScore), and the filter is applied before a passage is scored.
 */

/** BM25+ parameters as MiniSearch names them (`k` is k1, `d` the BM25+ lower bound). */
export interface Bm25Params {
  k: number;
  b: number;
  d: number;
}

/** The plain object MiniSearch serialises (`toJSON`, serialization version 2); only what scoring reads. */
export interface MiniSearchState {
  documentCount: number;
  documentIds: Record<string, number>;
  fieldIds: Record<string, number>;
  fieldLength: Record<string, number[]>;
  averageFieldLength: number[];
  index: Array<[string, Record<string, Record<string, number>>]>;
  serializationVersion: number;
}

/** One term's postings, ascending by label, with its term frequency in each field (0 when absent). */
interface Postings {
  labels: Uint32Array;
  tf: Uint16Array[];
  /** Passages holding the term in each field (BM25's document frequency, per field as MiniSearch counts). */
  fieldDf: number[];
  /**
   * Filled on the term's first search: its unweighted BM25 in each field of each posting, and the largest
   * boosted sum over fields in one passage (the bound). Only terms that are asked about pay for it.
   */
  raw?: Float64Array[];
  maxScore?: number;
}

export interface MaxScoreHit {
  label: number;
  score: number;
  /** Query terms the passage holds, in query order. */
  matched: string[];
}

/** Rounding in the bounds is covered by this relative slack; scores themselves are computed exactly. */
const BOUND_SLACK = 1 + 1e-9;

/** The k best (score, label) pairs seen, as a binary min-heap on score (ties: the higher label is worse). */
class TopK {
  readonly scores: Float64Array;
  readonly labels: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.labels = new Int32Array(k);
  }

  /** The score a passage must beat to enter; -Infinity until k passages are held. */
  get threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : (this.scores[0] as number);
  }

  #worse(i: number, j: number): boolean {
    const a = this.scores[i] as number;
    const b = this.scores[j] as number;
    return a < b || (a === b && (this.labels[i] as number) > (this.labels[j] as number));
  }

  #swap(i: number, j: number): void {
    const s = this.scores[i] as number;
    this.scores[i] = this.scores[j] as number;
    this.scores[j] = s;
    const l = this.labels[i] as number;
    this.labels[i] = this.labels[j] as number;
    this.labels[j] = l;
  }

  push(score: number, label: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      this.scores[i] = score;
      this.labels[i] = label;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.#worse(i, parent)) break;
        this.#swap(i, parent);
        i = parent;
      }
      return;
    }
    this.scores[0] = score;
    this.labels[0] = label;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < this.size && this.#worse(l, worst)) worst = l;
      if (r < this.size && this.#worse(r, worst)) worst = r;
      if (worst === i) break;
      this.#swap(i, worst);
      i = worst;
    }
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

/**
 * Postings of every term, read from MiniSearch's serialised state; searched with MaxScore. A term's
 * postings are converted on its first search: a server starts without converting the whole vocabulary,
 * most of which no question asks about.
 */
export class MaxScoreIndex {
  readonly #postings = new Map<string, Postings>();
  /** Terms not searched yet, as serialised. */
  readonly #unread: Map<string, SerializedPostings>;
  readonly #fieldIds: number[];
  readonly #labelOf = new Map<string, number>();
  readonly #fieldLength: Uint32Array[];
  readonly #averageFieldLength: number[];
  readonly #documentCount: number;
  readonly #fieldBoosts: number[];
  readonly #bm25: Bm25Params;

  /**
   * @param fields field names in the order MiniSearch applies their boosts (it iterates the boost object).
   * @param boosts boost of each field, same order.
   */
  constructor(
    state: MiniSearchState,
    fields: readonly string[],
    boosts: readonly number[],
    bm25: Bm25Params,
  ) {
    if (state.serializationVersion !== 2) {
      throw new Error(
        `lexical index: unsupported MiniSearch serialization version ${state.serializationVersion}`,
      );
    }
    this.#documentCount = state.documentCount;
    this.#bm25 = bm25;
    this.#fieldBoosts = [...boosts];
    const fieldIds = fields.map((f) => {
      const id = state.fieldIds[f];
      if (id === undefined) throw new Error(`lexical index: no field "${f}"`);
      return id;
    });
    this.#fieldIds = fieldIds;
    this.#averageFieldLength = fieldIds.map((id) => state.averageFieldLength[id] ?? 0);
    // MiniSearch's short ids are its own; labels are passage ordinals.
    const labelOf = this.#labelOf;
    let maxLabel = -1;
    for (const [shortId, label] of Object.entries(state.documentIds)) {
      labelOf.set(shortId, label);
      if (label > maxLabel) maxLabel = label;
    }
    this.#fieldLength = fields.map(() => new Uint32Array(maxLabel + 1));
    for (const [shortId, lengths] of Object.entries(state.fieldLength)) {
      const label = labelOf.get(shortId);
      if (label === undefined) continue;
      fieldIds.forEach((id, f) => {
        (this.#fieldLength[f] as Uint32Array)[label] = lengths[id] ?? 0;
      });
    }
    this.#unread = new Map(state.index);
  }

  /** The term's postings, converted from the serialised state on first use. */
  #postingsOf(term: string): Postings | undefined {
    const done = this.#postings.get(term);
    if (done) return done;
    const data = this.#unread.get(term);
    if (!data) return undefined;
    const fields = this.#fieldIds;
    const byLabel = new Map<number, number[]>();
    const fieldDf = fields.map((id, f) => {
      const freqs = data[String(id)];
      if (!freqs) return 0;
      let df = 0;
      for (const [shortId, tf] of Object.entries(freqs)) {
        const label = this.#labelOf.get(shortId);
        if (label === undefined) continue;
        df++;
        let row = byLabel.get(label);
        if (!row) {
          row = fields.map(() => 0);
          byLabel.set(label, row);
        }
        row[f] = tf;
      }
      return df;
    });
    const labels = Uint32Array.from(byLabel.keys()).sort();
    const tf = fields.map((_, f) =>
      Uint16Array.from(labels, (l) => (byLabel.get(l) as number[])[f] as number),
    );
    const postings = { labels, tf, fieldDf };
    this.#postings.set(term, postings);
    this.#unread.delete(term);
    return postings;
  }

  /** MiniSearch's BM25+ of one field of one passage, with the same operations in the same order. */
  #fieldScore(f: number, tf: number, df: number, label: number): number {
    const { k, b, d } = this.#bm25;
    const fieldLength = (this.#fieldLength[f] as Uint32Array)[label] as number;
    const avgFieldLength = this.#averageFieldLength[f] as number;
    const invDocFreq = Math.log(1 + (this.#documentCount - df + 0.5) / (df + 0.5));
    return invDocFreq * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * fieldLength) / avgFieldLength)));
  }

  /** Scores every posting of the term once; later searches read them. */
  #prepare(p: Postings): { raw: Float64Array[]; maxScore: number } {
    if (p.raw === undefined || p.maxScore === undefined) {
      const raw = p.tf.map((tfs, f) =>
        Float64Array.from(tfs, (tf, i) =>
          tf === 0 ? 0 : this.#fieldScore(f, tf, p.fieldDf[f] as number, p.labels[i] as number),
        ),
      );
      let max = 0;
      for (let i = 0; i < p.labels.length; i++) {
        let sum = 0;
        for (let f = 0; f < raw.length; f++)
          sum += (this.#fieldBoosts[f] as number) * ((raw[f] as Float64Array)[i] as number);
        if (sum > max) max = sum;
      }
      p.raw = raw;
      p.maxScore = max;
    }
    return { raw: p.raw, maxScore: p.maxScore };
  }

  /** Number of terms in the vocabulary. */
  get terms(): number {
    return this.#postings.size + this.#unread.size;
  }

  /**
   * The `k` best passages for the weighted query terms, best first (ties by label), among those
   * `accept` allows. Equal to sorting every match by its MiniSearch score.
   */
  search(query: ReadonlyMap<string, number>, k: number, accept?: (label: number) => boolean): MaxScoreHit[] {
    if (k <= 0) return [];
    // Query terms in query order: the sum is taken in this order, as MiniSearch combines them.
    const qTerms: string[] = [];
    const qPostings: Postings[] = [];
    const qWeights: number[] = [];
    for (const [term, weight] of query) {
      if (!(weight > 0)) continue;
      const p = this.#postingsOf(term);
      if (!p) continue;
      qTerms.push(term);
      qPostings.push(p);
      qWeights.push(weight);
    }
    const n = qTerms.length;
    if (n === 0) return [];
    // Terms by ascending bound; `prefix[i]` bounds what the i lowest-bound terms can add together.
    const prepared = qPostings.map((p) => this.#prepare(p));
    const bound = prepared.map((p, q) => (qWeights[q] as number) * p.maxScore * BOUND_SLACK);
    // Each term's weight times each field's boost, as MiniSearch multiplies them before the field score.
    const fieldWeights = qWeights.map((w) => this.#fieldBoosts.map((boost) => w * boost));
    const fields = this.#fieldBoosts.length;
    /** The term's weighted score in the passage at `i` of its postings, summed over fields as MiniSearch does. */
    const termScore = (q: number, i: number): number => {
      const { raw } = prepared[q] as { raw: Float64Array[] };
      const tf = (qPostings[q] as Postings).tf;
      const weights = fieldWeights[q] as number[];
      let score = 0;
      let first = true;
      for (let f = 0; f < fields; f++) {
        if ((tf[f] as Uint16Array)[i] === 0) continue;
        const weighted = (weights[f] as number) * ((raw[f] as Float64Array)[i] as number);
        score = first ? weighted : score + weighted;
        first = false;
      }
      return score;
    };
    const order = Array.from({ length: n }, (_, q) => q).sort(
      (a, b) => (bound[a] as number) - (bound[b] as number),
    );
    const prefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (bound[order[i] as number] as number);
    const cursor = new Int32Array(n);
    const contribution = new Float64Array(n);
    const present = new Uint8Array(n);
    const top = new TopK(k);
    // Terms order[0..essentialFrom) are non-essential: a passage holding only those cannot beat the threshold.
    let essentialFrom = 0;
    const updateEssential = () => {
      const threshold = top.threshold;
      while (essentialFrom < n && (prefix[essentialFrom + 1] as number) * (essentialFrom + 1) <= threshold)
        essentialFrom++;
    };

    for (;;) {
      let label = Number.POSITIVE_INFINITY;
      for (let i = essentialFrom; i < n; i++) {
        const q = order[i] as number;
        const p = qPostings[q] as Postings;
        const c = cursor[q] as number;
        if (c < p.labels.length && (p.labels[c] as number) < label) label = p.labels[c] as number;
      }
      if (label === Number.POSITIVE_INFINITY) break;
      present.fill(0);
      let sum = 0;
      let matched = 0;
      for (let i = essentialFrom; i < n; i++) {
        const q = order[i] as number;
        const p = qPostings[q] as Postings;
        const c = cursor[q] as number;
        if (c < p.labels.length && p.labels[c] === label) {
          const s = termScore(q, c);
          contribution[q] = s;
          present[q] = 1;
          sum += s;
          matched++;
          cursor[q] = c + 1;
        }
      }
      const threshold = top.threshold;
      if ((sum + (prefix[essentialFrom] as number)) * (matched + essentialFrom) * BOUND_SLACK <= threshold)
        continue;
      if (accept && !accept(label)) continue;
      let possible = true;
      for (let i = essentialFrom - 1; i >= 0; i--) {
        const q = order[i] as number;
        const p = qPostings[q] as Postings;
        const c = seek(p.labels, cursor[q] as number, label);
        cursor[q] = c;
        if (c < p.labels.length && p.labels[c] === label) {
          const s = termScore(q, c);
          contribution[q] = s;
          present[q] = 1;
          sum += s;
          matched++;
        }
        if ((sum + (prefix[i] as number)) * (matched + i) * BOUND_SLACK <= threshold) {
          possible = false;
          break;
        }
      }
      if (!possible) continue;
      // The exact score: MiniSearch's sum in query order, times the number of terms matched.
      let exact = 0;
      let first = true;
      for (let q = 0; q < n; q++) {
        if (!present[q]) continue;
        exact = first ? (contribution[q] as number) : exact + (contribution[q] as number);
        first = false;
      }
      exact *= matched;
      // Labels arrive in ascending order, so a passage tying the threshold loses the tie: it is not taken.
      if (exact > threshold) {
        top.push(exact, label);
        updateEssential();
      }
    }

    const ranked = Array.from({ length: top.size }, (_, i) => ({
      score: top.scores[i] as number,
      label: top.labels[i] as number,
    })).sort((a, b) => b.score - a.score || a.label - b.label);
    return ranked.map(({ score, label }) => ({
      label,
      score,
      matched: this.#matchedTerms(label, qTerms, qPostings),
    }));
  }

  #matchedTerms(label: number, qTerms: readonly string[], qPostings: readonly Postings[]): string[] {
    const out: string[] = [];
    qPostings.forEach((p, q) => {
      const i = seek(p.labels, 0, label);
      if (i < p.labels.length && p.labels[i] === label) out.push(qTerms[q] as string);
    });
    return out;
  }
}
