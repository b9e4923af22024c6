/**
 * The first pass of a large corpus's lexical search ({@link Bm25Index}): float32 scores for every posting,
 * one range of passages at a time, keeping the passages that reach the pass's own cut. It runs on the
 * calling thread and, on Node, on a helper thread at the same time (`lexical-threads.node.ts`), each
 * claiming ranges from a shared counter; the helper evaluates this function's source, so the body reads
 * nothing from outside it (no imports, no module constants).
 */

/** What the first pass keeps of one passage. */
export type KeepCandidate = (label: number, score: number) => void;

/**
 * Adds each term's weighted float32 impacts into `sum` / `count` (range-local: index = label − range start)
 * for every range `claim` hands out (range r covers passages [r·rangeSize, (r+1)·rangeSize) of `size`;
 * `claim` returns −1 when none is left, and must hand out ascending ranges), then keeps every passage of the
 * range whose score (sum × count) is not below `band` × the k-th best score seen so far. `sum` and `count`
 * hold `rangeSize` zeros and are zero again on return.
 * @returns the k-th best first-pass score this call saw (−Infinity when it saw fewer than k passages).
 */
export function firstPass(
  labels: readonly Uint32Array[],
  impacts: readonly Float32Array[],
  weights: readonly number[],
  k: number,
  band: number,
  size: number,
  rangeSize: number,
  claim: () => number,
  accept: ((label: number) => boolean) | undefined,
  sum: Float32Array,
  count: Uint8Array,
  keep: KeepCandidate,
): number {
  const n = labels.length;
  const from = new Array<number>(n).fill(0);
  // A min-heap of the k best scores: its root is the k-th best once it holds k.
  const heap = new Float64Array(k);
  let held = 0;
  // Passages below the cut are not kept; a score of 0 (no term held) never is.
  let cut = Number.MIN_VALUE;
  for (let r = claim(); r >= 0; r = claim()) {
    const base = r * rangeSize;
    const end = Math.min(size, base + rangeSize);
    for (let t = 0; t < n; t++) {
      const ls = labels[t] as Uint32Array;
      const impact = impacts[t] as Float32Array;
      const w = weights[t] as number;
      // Galloping then binary search from the term's last position: the first posting at or after `base`
      // (s = 0), then the first at or after `end` (s = 1). Inline, as the helper thread has no helpers.
      let a = from[t] as number;
      let b = a;
      for (let s = 0; s < 2; s++) {
        const target = s === 0 ? base : end;
        let lo = b;
        let hi = b;
        let step = 1;
        while (hi < ls.length && (ls[hi] as number) < target) {
          lo = hi + 1;
          hi += step;
          step *= 2;
        }
        if (hi > ls.length) hi = ls.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((ls[mid] as number) < target) lo = mid + 1;
          else hi = mid;
        }
        if (s === 0) a = lo;
        b = lo;
      }
      from[t] = b;
      for (let i = a; i < b; i++) {
        const l = (ls[i] as number) - base;
        sum[l] = (sum[l] as number) + w * (impact[i] as number);
        count[l] = (count[l] as number) + 1;
      }
    }
    // Reading a range's sums; zeroing them after, in two fills, is cheaper than a store per passage.
    const span = end - base;
    for (let j = 0; j < span; j++) {
      const score = (sum[j] as number) * (count[j] as number);
      if (score < cut) continue;
      const l = base + j;
      if (accept && !accept(l)) continue;
      keep(l, score);
      if (held < k) {
        // Sift up.
        let i = held++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if ((heap[p] as number) <= score) break;
          heap[i] = heap[p] as number;
          i = p;
        }
        heap[i] = score;
      } else if (score > (heap[0] as number)) {
        // Replace the root and sift down.
        let i = 0;
        for (;;) {
          const c = 2 * i + 1;
          if (c >= k) break;
          const m = c + 1 < k && (heap[c + 1] as number) < (heap[c] as number) ? c + 1 : c;
          if ((heap[m] as number) >= score) break;
          heap[i] = heap[m] as number;
          i = m;
        }
        heap[i] = score;
      } else continue;
      if (held === k) cut = Math.max(Number.MIN_VALUE, (heap[0] as number) * band);
    }
    sum.fill(0, 0, span);
    count.fill(0, 0, span);
  }
  return held === k ? (heap[0] as number) : Number.NEGATIVE_INFINITY;
}

/**
 * The first pass's band for a query of `n` terms. Each posting's float32 score has a relative error of at
 * most u = 2^-24, and each float32 addition of positive terms adds at most u to the sum's; products by the
 * count are exact. ε = (n + 4)·2u bounds it twice, so the exact top k is among the passages scoring at least
 * θ'·(1−ε)/(1+ε), θ' being the first pass's k-th best.
 */
export function firstPassBand(n: number): number {
  const eps = (n + 4) * 2 ** -23;
  return (1 - eps) / (1 + eps);
}

/** The k-th largest of `scores[0..length)`, or −Infinity when there are fewer than k. */
export function kthLargest(scores: Float64Array, length: number, k: number): number {
  if (length < k) return Number.NEGATIVE_INFINITY;
  const sorted = scores.slice(0, length).sort();
  return sorted[length - k] as number;
}

/** One search's first pass, as a helper thread gets it. */
export interface FirstPassJob {
  /** Per query term: its postings' labels and float32 impacts, both in shared memory. */
  labels: readonly Uint32Array[];
  impacts: readonly Float32Array[];
  weights: readonly number[];
  k: number;
  band: number;
  size: number;
  rangeSize: number;
}

/**
 * A thread running the first pass beside the caller on ranges it claims from the same counter (Node:
 * `lexical-threads.node.ts`). One job at a time: `begin`, the caller's own `claim`s, then `end`.
 */
export interface FirstPassHelper {
  /** Starts the helper on `job`; false when it cannot take it (busy with another search, or stopped). */
  begin(job: FirstPassJob): boolean;
  /** The caller's next range, from the counter the helper claims from too; −1 when none is left. */
  claim(): number;
  /** Waits for the helper's share, passing each passage it kept to `keep`; false when the helper failed. */
  end(keep: KeepCandidate): boolean;
}
