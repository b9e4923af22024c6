import { TopK } from './top-k.ts';
import type { StoredVectorIndex, VectorHit } from './types.ts';

/**
 * Exact inner-product top-k over a row-major Float32Array of unit vectors, in plain TypeScript: the
 * Workers' dense search, and every backend's below EXACT_SEARCH_MAX_ROWS (the shipped corpus's ~2,900
 * sentences, searched 400 deep on every question with a pretrained model). It needs no graph in memory and
 * cannot miss a neighbour. Ties go to the lower label, as in the HNSW adapter.
 */
export function createExactIndex(vectors: Float32Array, dims: number): StoredVectorIndex {
  if (dims <= 0 || vectors.length % dims !== 0)
    throw new RangeError(`${vectors.length} values do not make rows of ${dims}`);
  const size = vectors.length / dims;
  // Reused by every search (a search runs to completion: nothing else touches it meanwhile).
  const scores = new Float64Array(size);
  return {
    dims,
    size,
    vector: (label) => vectors.slice(label * dims, (label + 1) * dims),
    search(query, k, accept) {
      const n = Math.min(k, size);
      if (n <= 0) return [];
      scoreRows(vectors, dims, query, scores);
      const top = new TopK(n);
      for (let label = 0; label < size; label++) {
        const score = scores[label] as number;
        if (top.admits(score, label) && (!accept || accept(label))) top.push(score, label);
      }
      const hits: VectorHit[] = [];
      for (let i = 0; i < top.size; i++) {
        hits.push({ label: top.labels[i] as number, score: top.scores[i] as number });
      }
      return hits.sort((a, b) => b.score - a.score || a.label - b.label);
    },
  };
}

/**
 * `out[r]` = row r · `query`, two rows at a time with four partial sums each: a scalar loop waits on one
 * addition after another, and V8 does not vectorise. The sums are float64, so their order changes a score
 * by about 1e-16 of itself, far below the float32 inputs' precision; equal rows still score equal bits.
 */
function scoreRows(vectors: Float32Array, dims: number, query: Float32Array, out: Float64Array): void {
  const rows = vectors.length / dims;
  const tail = dims - (dims % 4);
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a = r * dims;
    const b = a + dims;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    let d = 0;
    for (; d < tail; d += 4) {
      const q0 = query[d] as number;
      const q1 = query[d + 1] as number;
      const q2 = query[d + 2] as number;
      const q3 = query[d + 3] as number;
      a0 += (vectors[a + d] as number) * q0;
      a1 += (vectors[a + d + 1] as number) * q1;
      a2 += (vectors[a + d + 2] as number) * q2;
      a3 += (vectors[a + d + 3] as number) * q3;
      b0 += (vectors[b + d] as number) * q0;
      b1 += (vectors[b + d + 1] as number) * q1;
      b2 += (vectors[b + d + 2] as number) * q2;
      b3 += (vectors[b + d + 3] as number) * q3;
    }
    for (; d < dims; d++) {
      a0 += (vectors[a + d] as number) * (query[d] as number);
      b0 += (vectors[b + d] as number) * (query[d] as number);
    }
    out[r] = a0 + a1 + (a2 + a3);
    out[r + 1] = b0 + b1 + (b2 + b3);
  }
  for (; r < rows; r++) {
    const a = r * dims;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let d = 0;
    for (; d < tail; d += 4) {
      a0 += (vectors[a + d] as number) * (query[d] as number);
      a1 += (vectors[a + d + 1] as number) * (query[d + 1] as number);
      a2 += (vectors[a + d + 2] as number) * (query[d + 2] as number);
      a3 += (vectors[a + d + 3] as number) * (query[d + 3] as number);
    }
    for (; d < dims; d++) a0 += (vectors[a + d] as number) * (query[d] as number);
    out[r] = a0 + a1 + (a2 + a3);
  }
}
