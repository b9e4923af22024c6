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
