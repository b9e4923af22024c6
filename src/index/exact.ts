import type { StoredVectorIndex, VectorHit } from './types.ts';

/**
 * Exact inner-product top-k over a row-major Float32Array of unit vectors, in plain TypeScript: the
 * Workers' dense search. At a few thousand rows a full scan takes well under a millisecond, is exact,
 * and needs no graph in memory. Ties go to the lower label, as in the HNSW adapter.
 */
export function createExactIndex(vectors: Float32Array, dims: number): StoredVectorIndex {
  if (dims <= 0 || vectors.length % dims !== 0)
    throw new RangeError(`${vectors.length} values do not make rows of ${dims}`);
  const size = vectors.length / dims;
  return {
    dims,
    size,
    vector: (label) => vectors.slice(label * dims, (label + 1) * dims),
    search(query, k, accept) {
      const n = Math.min(k, size);
      if (n <= 0) return [];
      // A sorted window of the n best so far; most rows fail the first comparison against its tail.
      const best: VectorHit[] = [];
      for (let label = 0; label < size; label++) {
        if (accept && !accept(label)) continue;
        let score = 0;
        const base = label * dims;
        for (let d = 0; d < dims; d++) score += (vectors[base + d] as number) * (query[d] as number);
        if (best.length === n && score <= (best[n - 1] as VectorHit).score) continue;
        let at = best.length;
        while (at > 0 && (best[at - 1] as VectorHit).score < score) at--;
        best.splice(at, 0, { label, score });
        if (best.length > n) best.pop();
      }
      return best;
    },
  };
}
