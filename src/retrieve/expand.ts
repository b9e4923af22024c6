import { memoize } from '../core/memo.ts';
import { stem } from '../core/terms.ts';
import { candidateMatrix, expansionCandidates, unitRow, type WordVectors } from '../embed/word-vectors.ts';

export type { WordVectors };

/**
 * Query expansion through word vectors: each question word also searches, at a lower weight, the corpus
 * words closest to it in GloVe space ("jolted" → "shaken", "precondition" → "prerequisite"), so BM25 can
 * match paraphrases. Neighbours are limited to words whose stem occurs in the corpus.
 */

export interface ExpansionOptions {
  /** Neighbours added per question word. */
  neighbours: number;
  /** Least cosine similarity for a neighbour. */
  minCosine: number;
  /** Weight of a neighbour relative to the word itself, multiplied by the cosine. */
  weight: number;
}

// Chosen from the middle of a plateau on the dev questions (1–2 neighbours, cosine 0.65–0.75, weight 0.2–0.5
// all score MRR@10 0.78–0.82; 3 neighbours at 0.6 scored 0.765): a few close neighbours help, many dilute.
export const DEFAULT_EXPANSION_OPTIONS: ExpansionOptions = { neighbours: 2, minCosine: 0.7, weight: 0.3 };

export interface Expander {
  /** Stemmed neighbours of a surface word with their weights (relative, before the term's own weight). */
  neighboursOf(word: string): Array<{ term: string; weight: number }>;
}

export function createExpander(
  vectors: WordVectors,
  inCorpus: (term: string) => boolean,
  options: Partial<ExpansionOptions> = {},
): Expander {
  const opts = { ...DEFAULT_EXPANSION_OPTIONS, ...options };
  const { dims } = vectors;
  const rowOf = new Map<string, number>();
  vectors.words.forEach((w, i) => {
    rowOf.set(w, i);
  });
  // Candidate neighbours: GloVe words whose stem the corpus uses, as one flat matrix of unit rows (only
  // needed when the runtime offers no native search over them).
  const candidates = (vectors.candidates ?? expansionCandidates(vectors, inCorpus)).map(([row, term]) => ({
    row,
    term,
  }));
  const nearest = vectors.nearest;
  let matrix: Float32Array | undefined;
  /** Candidates at cosine ≥ minCosine from `q`, as [index, cosine]. */
  function closeCandidates(q: Float32Array): Array<[number, number]> {
    if (nearest) {
      // The best few dozen hold the `neighbours` best distinct stems above the threshold (checked against
      // the full scan for every corpus word in tests/index/word-search.test.ts).
      return nearest(q, 32)
        .filter((h) => h.score >= opts.minCosine)
        .map((h) => [h.index, h.score]);
    }
    matrix ??= candidateMatrix(
      vectors,
      candidates.map((c) => [c.row, c.term]),
    );
    const out: Array<[number, number]> = [];
    // The hot loop of an unseen word (a scan of ~8k rows): plain indexed reads, no bounds fallbacks.
    const m = matrix;
    for (let i = 0, base = 0; i < candidates.length; i++, base += dims) {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += (m[base + d] as number) * (q[d] as number);
      if (dot >= opts.minCosine) out.push([i, dot]);
    }
    return out;
  }
  // Question words recur: each unseen one costs a scan of the candidates, then comes from memory.
  const neighboursOf = memoize(50_000, (word: string): Array<{ term: string; weight: number }> => {
    const row = rowOf.get(word);
    if (row === undefined) return [];
    const q = unitRow(vectors, row);
    const own = stem(word);
    const best: Array<{ term: string; cos: number }> = [];
    for (const [i, dot] of closeCandidates(q)) {
      const term = candidates[i]?.term as string;
      if (term === own) continue;
      const existing = best.find((b) => b.term === term);
      if (existing) existing.cos = Math.max(existing.cos, dot);
      else best.push({ term, cos: dot });
    }
    return best
      .sort((a, b) => b.cos - a.cos || (a.term < b.term ? -1 : 1))
      .slice(0, opts.neighbours)
      .map((b) => ({ term: b.term, weight: opts.weight * b.cos }));
  });

  return { neighboursOf };
}
