import { randomizedSvd, type SparseMatrix } from './svd.ts';

/**
 * Latent semantic analysis over the corpus' passages, as a static token table: a truncated (randomized)
 * SVD of the TF-IDF term × passage matrix, `X[t, c] = tf(t, c) · idf(t)` with `idf = ln((1 + N) / (1 + df))`.
 * Token row = idf(t) · U[t, :] (β = 0), so mean-pooling a text's token rows is, up to scale, the LSA
 * projection of its raw-tf TF-IDF vector; passages and queries go through the same static model.
 */

export interface LsaOptions {
  /** Latent dimensions kept: at most this, and at most passages − 1 (fewer if the matrix has lower rank). */
  dims: number;
  /** Passages used as contexts at most; larger corpora are sampled evenly to bound the build time. */
  maxContexts: number;
  /** Seed of the randomized SVD; the same passages and seed give the same bytes. */
  seed: number;
  /** Power iterations of the randomized SVD (3 gives top singular values to 4–5 digits). */
  powerIterations: number;
}

export const DEFAULT_LSA_OPTIONS: LsaOptions = { dims: 256, maxContexts: 3000, seed: 42, powerIterations: 3 };

export interface LsaTable {
  /** Latent dimensions (k). */
  dims: number;
  /** Token ids that got a row, ascending, and their rows (row-major, `terms.length × dims`). */
  terms: number[];
  rows: Float32Array;
  singularValues: number[];
}

/**
 * Trains LSA from passages given as token-id lists; `isContent` says which ids count as terms
 * (stopwords, punctuation and special tokens do not, and get no row).
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

  const postings = new Map<number, Array<[context: number, tf: number]>>();
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
  const idf = terms.map((t) => Math.log((1 + n) / (1 + (postings.get(t)?.length ?? 0))));

  const rowPtr = new Int32Array(terms.length + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  terms.forEach((t, r) => {
    for (const [c, tf] of postings.get(t) ?? []) {
      colIdx.push(c);
      values.push(tf * (idf[r] ?? 0));
    }
    rowPtr[r + 1] = colIdx.length;
  });
  const matrix: SparseMatrix = {
    rows: terms.length,
    cols: n,
    rowPtr,
    colIdx: Int32Array.from(colIdx),
    values: Float64Array.from(values),
  };
  const wanted = Math.max(0, Math.min(opts.dims, n - 1));
  if (wanted === 0 || terms.length === 0)
    return { dims: 0, terms: [], rows: new Float32Array(0), singularValues: [] };
  const svd = randomizedSvd(matrix, wanted, { seed: opts.seed, powerIterations: opts.powerIterations });
  const k = svd.k;
  const rows = new Float32Array(terms.length * k);
  for (let r = 0; r < terms.length; r++) {
    const w = idf[r] ?? 0;
    for (let j = 0; j < k; j++) rows[r * k + j] = w * (svd.u[r * k + j] ?? 0);
  }
  return { dims: k, terms, rows, singularValues: Array.from(svd.s) };
}
