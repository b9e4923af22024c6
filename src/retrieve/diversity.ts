import { terms } from '../core/terms.ts';
import type { Passage } from '../core/types.ts';

/**
 * Keeps near-identical passages out of the same result list: chunks that share most of their raw span
 * (sentence overlap between neighbours) or most of their words (an abstract repeating the body, the same
 * paragraph printed twice) count as one, and only the better-ranked one is kept.
 */

export interface DiversityOptions {
  /** Share of the shorter passage's raw span that, when shared, makes two passages duplicates. */
  maxSpanOverlap: number;
  /** Jaccard similarity of content-term sets above which two passages are duplicates. */
  maxTermJaccard: number;
}

export const DEFAULT_DIVERSITY_OPTIONS: DiversityOptions = { maxSpanOverlap: 0.5, maxTermJaccard: 0.6 };

function spanOverlap(a: Passage, b: Passage): number {
  if (a.source !== b.source) return 0;
  const shared = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (shared <= 0) return 0;
  return shared / Math.min(a.end - a.start, b.end - b.start);
}

/**
 * Whether the Jaccard similarity of `a` and `b` reaches `threshold`. Exactly `shared / union >= threshold`,
 * but it stops counting once even the terms left unchecked could not reach it: most pairs share few terms,
 * and checking every term of every pair was most of this step's cost.
 */
function jaccardAtLeast(a: ReadonlySet<string>, b: ReadonlySet<string>, threshold: number): boolean {
  if (a.size === 0 || b.size === 0) return 0 >= threshold;
  const small = a.size <= b.size ? a : b;
  const large = small === a ? b : a;
  const total = a.size + b.size;
  // s / (total - s) grows with s, in floating point too: a bound computed the same way is exact.
  const reaches = (shared: number) => shared / (total - shared) >= threshold;
  let shared = 0;
  let left = small.size;
  for (const t of small) {
    if (!reaches(shared + left)) return false;
    left--;
    if (large.has(t)) shared++;
  }
  return reaches(shared);
}

/** The first `k` of `ranked` (best first) with duplicates of better-ranked passages removed. */
export function diversify<T>(
  ranked: readonly T[],
  passageOf: (item: T) => Passage,
  k: number,
  options: Partial<DiversityOptions> = {},
  termsOf: (passage: Passage) => ReadonlySet<string> = (p) => new Set(terms(p.text)),
): T[] {
  const opts = { ...DEFAULT_DIVERSITY_OPTIONS, ...options };
  const kept: Array<{ item: T; passage: Passage; terms: ReadonlySet<string> }> = [];
  for (const item of ranked) {
    if (kept.length >= k) break;
    const passage = passageOf(item);
    const termSet = termsOf(passage);
    const duplicate = kept.some(
      (other) =>
        spanOverlap(passage, other.passage) >= opts.maxSpanOverlap ||
        jaccardAtLeast(termSet, other.terms, opts.maxTermJaccard),
    );
    if (!duplicate) kept.push({ item, passage, terms: termSet });
  }
  return kept.map((entry) => entry.item);
}
