/**
 * Pooling of token vectors into one text vector. Done here rather than by the Transformers.js pipeline,
 * whose pooling reads every element through a Proxy and is about ten times slower.
 */

/** Half of a concatenated static model, normalised on its own and weighted (see StaticModelLayout). */
export interface Half {
  dims: number;
  weight: number;
}

/**
 * Mean-pools `hidden` ([batch, seq, dims], row-major) over the attention mask and returns one unit vector
 * per input. With `halves`, each half is L2-normalised separately and scaled by √weight, so the inner
 * product of two outputs is Σ weight · cosine(half). A zero half stays zero (never NaN).
 */
export function poolAndNormalize(
  hidden: Float32Array,
  mask: ArrayLike<number | bigint>,
  batch: number,
  seq: number,
  dims: number,
  halves: readonly Half[] = [{ dims, weight: 1 }],
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dims);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      if (Number(mask[b * seq + s]) === 0) continue;
      count++;
      const base = (b * seq + s) * dims;
      for (let d = 0; d < dims; d++) v[d] = (v[d] ?? 0) + (hidden[base + d] ?? 0);
    }
    if (count > 0) for (let d = 0; d < dims; d++) v[d] = (v[d] ?? 0) / count;
    let offset = 0;
    for (const half of halves) {
      let norm = 0;
      for (let d = offset; d < offset + half.dims; d++) norm += (v[d] ?? 0) ** 2;
      norm = Math.sqrt(norm);
      const scale = norm > 0 ? Math.sqrt(half.weight) / norm : 0;
      for (let d = offset; d < offset + half.dims; d++) v[d] = (v[d] ?? 0) * scale;
      offset += half.dims;
    }
    out.push(v);
  }
  return out;
}
