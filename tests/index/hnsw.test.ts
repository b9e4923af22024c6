import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bruteForceSearch, HnswIndex, plainArray } from '../../src/index/hnsw.node.ts';

/** Seeded low-rank vectors with noise: closer to real embeddings than uniform noise. */
function lowRankVectors(count: number, dims: number, rank: number, seed: number): Float32Array[] {
  let state = seed >>> 0;
  const rand = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const basis = Array.from({ length: rank }, () => Float32Array.from({ length: dims }, rand));
  return Array.from({ length: count }, () => {
    const v = new Float32Array(dims);
    for (const b of basis) {
      const c = rand();
      for (let i = 0; i < dims; i++) v[i] = (v[i] ?? 0) + c * (b[i] ?? 0);
    }
    for (let i = 0; i < dims; i++) v[i] = (v[i] ?? 0) + 0.05 * rand();
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

describe('HnswIndex', () => {
  const dims = 32;
  const vectors = lowRankVectors(2000, dims, 12, 7);
  const queries = lowRankVectors(100, dims, 12, 99);

  it('finds at least 99% of the exact top 10 at the default ef', () => {
    const index = HnswIndex.build(vectors, dims);
    let found = 0;
    for (const q of queries) {
      const exact = new Set(bruteForceSearch(vectors, q, 10).map((h) => h.label));
      found += index.search(q, 10).filter((h) => exact.has(h.label)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.99);
  });

  it('returns the same results after a write and read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hnsw-'));
    const index = HnswIndex.build(vectors, dims);
    await index.write(join(dir, 'v.hnsw'));
    const loaded = await HnswIndex.read(join(dir, 'v.hnsw'), dims, vectors.length, 128);
    const q = queries[0] as Float32Array;
    expect(loaded.search(q, 10).map((h) => h.label)).toEqual(index.search(q, 10).map((h) => h.label));
  });

  it('applies the filter inside the search', () => {
    const index = HnswIndex.build(vectors, dims);
    const hits = index.search(queries[1] as Float32Array, 10, (label) => label % 7 === 0);
    expect(hits).toHaveLength(10);
    expect(hits.every((h) => h.label % 7 === 0)).toBe(true);
  });

  it('refuses a file whose count disagrees with the manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hnsw-'));
    await HnswIndex.build(vectors, dims).write(join(dir, 'v.hnsw'));
    await expect(HnswIndex.read(join(dir, 'v.hnsw'), dims, 5, 128)).rejects.toThrow(/INDEX_CORRUPT/);
  });

  it('refuses a file that is not an index', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hnsw-'));
    await writeFile(join(dir, 'v.hnsw'), 'garbage');
    await expect(HnswIndex.read(join(dir, 'v.hnsw'), dims, 5, 128)).rejects.toThrow(/INDEX_CORRUPT/);
  });
});

describe('plainArray', () => {
  it('holds the same numbers as the vector, in order', () => {
    for (const length of [0, 1, 3, 356]) {
      const vector = Float32Array.from({ length }, (_, i) => Math.sin(i + 1) * 10);
      const out = plainArray(vector);
      expect(Array.isArray(out)).toBe(true);
      expect(out).toEqual(Array.from(vector));
    }
  });
});
