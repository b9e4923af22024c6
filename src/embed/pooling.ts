/**
 * Pooling of token vectors into one text vector. Done here rather than by the Transformers.js pipeline,
 * whose pooling reads every element through a Proxy and is about ten times slower.
 */

/** Half of a concatenated static model, normalised on its own and weighted (see StaticModelLayout). */
export interface Half {
  /** Columns of this half in the model output, its null dimensions included. */
  dims: number;
  /** Weight w of this half: the inner product of two outputs is Σ w · cosine(half). */
  weight: number;
  /** Trailing columns that only guard against 0/0 in the pipeline's own pooling; dropped from the output. */
  nullDims?: number;
}

/**
 * Mean-pools `hidden` ([batch, seq, dims], row-major) over the attention mask and returns one vector per
 * input. Without `halves` it is plain L2 normalisation. With `halves`, each half loses its null dimensions,
 * is L2-normalised on its own and scaled by √weight, so the output has length √(Σ w of non-zero halves):
 * 1 normally, less when a half saw no known token, and the zero vector for text with no known token at
 * all. A zero half stays zero; the output never contains NaN.
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
  const sum = new Float64Array(dims);
  for (let b = 0; b < batch; b++) {
    sum.fill(0);
    for (let s = 0; s < seq; s++) {
      if (Number(mask[b * seq + s]) === 0) continue;
      const base = (b * seq + s) * dims;
      for (let d = 0; d < dims; d++) sum[d] = (sum[d] as number) + (hidden[base + d] as number);
    }
    out.push(normalizeHalves(sum, halves));
  }
  return out;
}

/**
 * The text vector from the sum of its token vectors (the mean's 1/count cancels in the normalisation, so
 * the sum is normalised directly): each half without its null dimensions, L2-normalised, scaled by √weight.
 */
export function normalizeHalves(sum: Float64Array, halves: readonly Half[]): Float32Array {
  const v = new Float32Array(halves.reduce((n, h) => n + h.dims - (h.nullDims ?? 0), 0));
  let from = 0;
  let to = 0;
  for (const half of halves) {
    const kept = half.dims - (half.nullDims ?? 0);
    let norm = 0;
    for (let d = from; d < from + kept; d++) norm += (sum[d] as number) ** 2;
    norm = Math.sqrt(norm);
    const scale = norm > 0 ? Math.sqrt(half.weight) / norm : 0;
    for (let d = 0; d < kept; d++) v[to + d] = (sum[from + d] as number) * scale;
    from += half.dims;
    to += kept;
  }
  return v;
}
