import { stem } from '../core/terms.ts';

/** Word vectors (the committed GloVe-SIF table) as query expansion reads them. */
export interface WordVectors {
  words: readonly string[];
  dims: number;
  /** Row-major int8 values and a scale per row (the committed GloVe-SIF table). */
  values: Int8Array;
  scales: Float32Array;
  /** `[row, stem]` of the words whose stem occurs in the corpus, when precomputed at index time. */
  candidates?: ReadonlyArray<readonly [number, string]>;
  /**
   * Exact nearest candidates of a unit vector (indexes into `candidates`, best first), when the runtime
   * has a native search (hnswlib's brute-force index on Node); otherwise query expansion scans in JS.
   */
  nearest?: (vector: Float32Array, k: number) => Array<{ index: number; score: number }>;
}

/** Row `row` of the table as a unit vector. */
export function unitRow(vectors: Pick<WordVectors, 'values' | 'dims'>, row: number): Float32Array {
  const { dims } = vectors;
  const v = new Float32Array(dims);
  let norm = 0;
  for (let d = 0; d < dims; d++) {
    const x = vectors.values[row * dims + d] ?? 0;
    v[d] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dims; d++) v[d] = (v[d] ?? 0) / norm;
  return v;
}

/** The candidate words' unit vectors as one row-major matrix, in `candidates` order. */
export function candidateMatrix(
  vectors: Pick<WordVectors, 'values' | 'dims'>,
  candidates: ReadonlyArray<readonly [number, string]>,
): Float32Array {
  const matrix = new Float32Array(candidates.length * vectors.dims);
  candidates.forEach(([row], i) => {
    matrix.set(unitRow(vectors, row), i * vectors.dims);
  });
  return matrix;
}

/** `[row, stem]` of the words of `vectors` whose stem passes `inCorpus`: the words an expansion may add. */
export function expansionCandidates(
  vectors: Pick<WordVectors, 'words'>,
  inCorpus: (term: string) => boolean,
): Array<[number, string]> {
  const rows: Array<[number, string]> = [];
  vectors.words.forEach((word, i) => {
    const term = stem(word);
    if (inCorpus(term)) rows.push([i, term]);
  });
  return rows;
}
