import { open } from 'node:fs/promises';
import hnswlib from 'hnswlib-node';
import { AppError } from '../core/errors.ts';
import { candidateMatrix, type WordVectors } from '../embed/word-vectors.ts';
import { plainArray } from './hnsw.node.ts';

const { BruteforceSearch } = hnswlib;
type Nearest = NonNullable<WordVectors['nearest']>;
type Candidates = ReadonlyArray<readonly [number, string]>;

/**
 * Exact nearest-neighbour search over query expansion's candidate words, in hnswlib's native brute-force
 * index: an unseen question word costs ~0.1 ms instead of a 1–2 ms scan of 8k rows in JavaScript.
 */
export function createWordSearch(
  vectors: Pick<WordVectors, 'values' | 'dims'>,
  candidates: Candidates,
): Nearest {
  return searchOver(fillIndex(vectors, candidates), candidates.length);
}

/**
 * Writes the brute-force index of {@link createWordSearch} to `path` (hnswlib's own format), so that a
 * start reads it back in native code instead of inserting the 8k rows one by one through N-API.
 */
export async function writeWordSearch(
  vectors: Pick<WordVectors, 'values' | 'dims'>,
  candidates: Candidates,
  path: string,
): Promise<void> {
  await fillIndex(vectors, candidates).writeIndex(path);
}

/**
 * The search {@link writeWordSearch} wrote to `path`: the same rows, so the same neighbours and scores as
 * {@link createWordSearch}. INDEX_CORRUPT when the file does not hold `count` rows of `dims` values.
 */
export async function readWordSearch(path: string, dims: number, count: number): Promise<Nearest> {
  // hnswlib reads the rows without checking them against the space: the header is checked here.
  const expected = [Math.max(1, count), dims * 4 + LABEL_BYTES, count];
  const header = await readHeader(path);
  const size = HEADER_BYTES + (expected[0] as number) * (expected[1] as number);
  if (!header || header.values.some((v, i) => v !== expected[i]) || header.size !== size) {
    throw new AppError(
      'INDEX_CORRUPT',
      `${path} does not hold the search over ${count} rows of ${dims} values; rebuild the index`,
    );
  }
  const index = new BruteforceSearch('ip', dims);
  try {
    await index.readIndex(path);
  } catch (cause) {
    throw new AppError('INDEX_CORRUPT', `Cannot read the word search ${path}; rebuild the index`, { cause });
  }
  return searchOver(index, count);
}

/** hnswlib's brute-force file: capacity, bytes per row and row count (size_t each), then the rows. */
const HEADER_BYTES = 24;
/** Each row ends with its label (size_t). */
const LABEL_BYTES = 8;

async function readHeader(path: string): Promise<{ values: number[]; size: number } | undefined> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return undefined;
  try {
    const bytes = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(bytes, 0, HEADER_BYTES, 0);
    if (bytesRead < HEADER_BYTES) return undefined;
    const values = [0, 8, 16].map((at) => Number(bytes.readBigUInt64LE(at)));
    return { values, size: (await file.stat()).size };
  } finally {
    await file.close();
  }
}

function fillIndex(vectors: Pick<WordVectors, 'values' | 'dims'>, candidates: Candidates) {
  const { dims } = vectors;
  const matrix = candidateMatrix(vectors, candidates);
  const index = new BruteforceSearch('ip', dims);
  index.initIndex(Math.max(1, candidates.length));
  // addPoint copies the row out of the array it is given, so one plain array serves every row (`Array.from`
  // on 8k typed subarrays cost as much as the native inserts).
  const row = new Array<number>(dims);
  for (let i = 0; i < candidates.length; i++) {
    for (let d = 0; d < dims; d++) row[d] = matrix[i * dims + d] as number;
    index.addPoint(row, i);
  }
  return index;
}

function searchOver(index: InstanceType<typeof BruteforceSearch>, count: number): Nearest {
  return (vector, k) => {
    const n = Math.min(k, count);
    if (n === 0) return [];
    const { neighbors, distances } = index.searchKnn(plainArray(vector), n);
    return neighbors
      .map((label, i) => ({ index: label, score: 1 - (distances[i] ?? 1) }))
      .sort((a, b) => b.score - a.score || a.index - b.index);
  };
}
