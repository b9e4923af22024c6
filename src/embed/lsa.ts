import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Latent semantic analysis over the corpus' passages, as a static token table: a truncated SVD of the
 * TF-IDF term × passage matrix, computed through the eigen-decomposition of the small passage × passage
 * Gram matrix (exact, and cheap while the number of contexts stays in the low thousands).
 * Token row = idf(t) · U[t, :], so mean-pooling a text's token rows is the LSA projection of its TF-IDF vector.
 */

export interface LsaOptions {
  /** Latent dimensions kept (fewer when the corpus has fewer passages). */
  dims: number;
  /** Passages used as contexts at most; larger corpora are sampled evenly (the Gram matrix is contexts²). */
  maxContexts: number;
}

export const DEFAULT_LSA_OPTIONS: LsaOptions = { dims: 256, maxContexts: 1500 };

export interface LsaTable {
  /** Latent dimensions (k). */
  dims: number;
  /** Token ids that got a row, and their rows (row-major, `terms.length × dims`). */
  terms: number[];
  rows: Float32Array;
  singularValues: number[];
}

/**
 * Trains LSA from passages given as token-id lists; `isContent` says which ids count as terms
 * (stopwords, punctuation and special tokens do not).
 */
export function trainLsa(
  passages: readonly (readonly number[])[],
  isContent: (id: number) => boolean,
  options: Partial<LsaOptions> = {},
): LsaTable {
  const opts = { ...DEFAULT_LSA_OPTIONS, ...options };
  const step = Math.max(1, Math.ceil(passages.length / opts.maxContexts));
  const contexts = passages.filter((_, i) => i % step === 0);
  const n = contexts.length;

  const postings = new Map<number, Array<[number, number]>>();
  contexts.forEach((ids, c) => {
    const tf = new Map<number, number>();
    for (const id of ids) if (isContent(id)) tf.set(id, (tf.get(id) ?? 0) + 1);
    for (const [id, count] of tf) {
      let list = postings.get(id);
      if (!list) {
        list = [];
        postings.set(id, list);
      }
      list.push([c, count]);
    }
  });
  const terms = [...postings.keys()].sort((a, b) => a - b);
  const idf = new Map(terms.map((t) => [t, Math.log((1 + n) / (1 + (postings.get(t)?.length ?? 0)))]));

  const gram = new Float64Array(n * n);
  for (const t of terms) {
    const w = idf.get(t) ?? 0;
    const list = postings.get(t) ?? [];
    for (const [ci, xi] of list) {
      for (const [cj, xj] of list) gram[ci * n + cj] = (gram[ci * n + cj] ?? 0) + xi * w * xj * w;
    }
  }
  const rowsOfGram = Array.from({ length: n }, (_, i) => Array.from(gram.subarray(i * n, (i + 1) * n)));
  const evd = new EigenvalueDecomposition(new Matrix(rowsOfGram), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const top = order[0]?.[0] ?? 0;
  const kept = order.filter(([v]) => v > top * 1e-10).slice(0, opts.dims);
  const k = kept.length;
  const sigma = kept.map(([v]) => Math.sqrt(v));

  // U[t,:] = X[t,:] V / σ; eigenvector signs are fixed so the largest component is positive (determinism).
  const v = new Float64Array(n * k);
  kept.forEach(([, col], j) => {
    let maxAbs = 0;
    let sign = 1;
    for (let c = 0; c < n; c++) {
      const x = vectors.get(c, col);
      if (Math.abs(x) > maxAbs + 1e-12) {
        maxAbs = Math.abs(x);
        sign = x < 0 ? -1 : 1;
      }
    }
    for (let c = 0; c < n; c++) v[c * k + j] = sign * vectors.get(c, col);
  });
  const rows = new Float32Array(terms.length * k);
  terms.forEach((t, r) => {
    const w = idf.get(t) ?? 0;
    for (const [c, tf] of postings.get(t) ?? []) {
      const x = tf * w;
      for (let j = 0; j < k; j++)
        rows[r * k + j] = (rows[r * k + j] ?? 0) + (x * (v[c * k + j] ?? 0)) / (sigma[j] ?? 1);
    }
    for (let j = 0; j < k; j++) rows[r * k + j] = (rows[r * k + j] ?? 0) * w;
  });
  return { dims: k, terms, rows, singularValues: sigma };
}
