import { describe, expect, it } from 'vitest';
import { createExactIndex } from '../../src/index/exact.ts';
import { bruteForceSearch, HnswIndex } from '../../src/index/hnsw.node.ts';
import {
  languageIndexes,
  mergeHits,
  onRows,
  partitionRows,
  searchDense,
} from '../../src/index/language-partitions.ts';
import type { PassageFilter, VectorHit, VectorIndex } from '../../src/index/types.ts';

let seed = 7;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const DIMS = 32;
const unit = (v: Float32Array) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};
/** A random unit vector in dimensions [from, to): two "languages" in orthogonal halves of the space. */
const randomIn = (from: number, to: number) => {
  const v = new Float32Array(DIMS);
  for (let i = from; i < to; i++) v[i] = rand() - 0.5;
  return unit(v);
};
const mix = (a: Float32Array, b: Float32Array, w: number) =>
  unit(a.map((x, i) => w * x + (1 - w) * (b[i] ?? 0)));

const flat = (rows: readonly Float32Array[]) => {
  const out = new Float32Array(rows.length * DIMS);
  rows.forEach((r, i) => {
    out.set(r, i * DIMS);
  });
  return out;
};

/** An index that records the searches it answers. */
function spy(index: VectorIndex) {
  const calls: number[] = [];
  const filters: Array<PassageFilter | undefined> = [];
  const accepts: Array<((label: number) => boolean) | undefined> = [];
  const wrapped: VectorIndex = {
    dims: index.dims,
    size: index.size,
    search: (vector, k, accept, filter) => {
      calls.push(k);
      filters.push(filter);
      accepts.push(accept);
      return index.search(vector, k, accept, filter);
    },
  };
  return { index: wrapped, calls, filters, accepts };
}

describe('partitionRows', () => {
  it('gives every language but the most common its rows, in order, once the collection is too big to scan', () => {
    const languages = ['en', 'kk', 'en', 'ru', 'kk', 'en', 'en'];
    expect(partitionRows(languages, 6)).toEqual(
      new Map([
        ['kk', Uint32Array.from([1, 4])],
        ['ru', Uint32Array.from([3])],
      ]),
    );
    // Small enough to be scanned exactly: nothing to add.
    expect(partitionRows(languages, 7).size).toBe(0);
    // One language only: the shared index is its own.
    expect(partitionRows(['en', 'en', 'en'], 1).size).toBe(0);
  });

  it('keeps the first of two equally common languages in the shared index alone', () => {
    expect([...partitionRows(['ru', 'en', 'en', 'ru'], 2).keys()]).toEqual(['en']);
  });
});

describe('onRows', () => {
  const vectors = [randomIn(0, 16), randomIn(0, 16), randomIn(16, 32)];
  const rows = Uint32Array.from([4, 9, 20]);
  const index = onRows(createExactIndex(flat(vectors), DIMS), rows);

  it('answers with the collection labels of its rows and filters on them', async () => {
    const hits = await index.search(vectors[1] as Float32Array, 3);
    expect(hits[0]?.label).toBe(9);
    expect(hits.map((h) => h.label).sort((a, b) => a - b)).toEqual([4, 9, 20]);
    const seen: number[] = [];
    const filtered = await index.search(vectors[1] as Float32Array, 3, (label) => {
      seen.push(label);
      return label !== 9;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([4, 9, 20]);
    expect(filtered.map((h) => h.label)).not.toContain(9);
  });

  it('refuses an index whose size is not the number of rows', () => {
    expect(() => onRows(createExactIndex(flat(vectors), DIMS), Uint32Array.from([1, 2]))).toThrow(RangeError);
  });
});

describe('mergeHits', () => {
  it('keeps each label once at its first list’s score, best first, ties to the lower label, cut to k', () => {
    const a: VectorHit[] = [
      { label: 3, score: 0.9 },
      { label: 5, score: 0.5 },
    ];
    const b: VectorHit[] = [
      { label: 5, score: 0.7 },
      { label: 1, score: 0.5 },
      { label: 8, score: 0.1 },
    ];
    expect(mergeHits(3, [a, b])).toEqual([
      { label: 3, score: 0.9 },
      { label: 1, score: 0.5 },
      { label: 5, score: 0.5 },
    ]);
    expect(mergeHits(2, [b, a])).toEqual([
      { label: 3, score: 0.9 },
      { label: 5, score: 0.7 },
    ]);
  });
});

describe('searchDense', () => {
  // 200 rows: 0-149 "en" (first half of the space), 150-199 "kk" (second half).
  seed = 11;
  const vectors = Array.from({ length: 200 }, (_, i) => (i < 150 ? randomIn(0, 16) : randomIn(16, 32)));
  const languages = vectors.map((_, i) => (i < 150 ? 'en' : 'kk'));
  const exact = createExactIndex(flat(vectors), DIMS);
  const setup = () => {
    // A shared index that, like a graph walk stuck in the large cluster, never returns a Kazakh row.
    const blind = spy({
      dims: DIMS,
      size: vectors.length,
      search: (v, k, accept, filter) => exact.search(v, k, (l) => l < 150 && (accept?.(l) ?? true), filter),
    });
    const kkRows = partitionRows(languages, 100).get('kk') as Uint32Array;
    const kk = spy(
      onRows(createExactIndex(flat(Array.from(kkRows, (r) => vectors[r] as Float32Array)), DIMS), kkRows),
    );
    return { blind, kk, byLanguage: languageIndexes(new Map([['kk', kk.index]]), languages) };
  };

  it('adds the question language’s own index to the shared one', async () => {
    const { blind, kk, byLanguage } = setup();
    const vector = vectors[170] as Float32Array;
    const hits = await searchDense(blind.index, byLanguage, { vector, k: 10, language: 'kk' });
    expect(hits).toEqual(await exact.search(vector, 10));
    expect(hits[0]?.label).toBe(170);
    expect([blind.calls, kk.calls]).toEqual([[10], [10]]);
    // The shared index is asked for the other languages only, by predicate and by filter.
    expect(blind.filters[0]?.languages).toEqual(['en']);
    expect([blind.accepts[0]?.(3), blind.accepts[0]?.(170)]).toEqual([true, false]);
  });

  it('lets the shared search for the other languages apply the request’s filter too', async () => {
    const { blind, byLanguage } = setup();
    const vector = vectors[170] as Float32Array;
    const accept = (l: number) => l % 2 === 0;
    const hits = await searchDense(blind.index, byLanguage, { vector, k: 10, language: 'kk', accept });
    expect(hits).toEqual(await exact.search(vector, 10, accept));
    expect([blind.accepts[0]?.(3), blind.accepts[0]?.(4)]).toEqual([false, true]);
  });

  it('searches only the shared index for a question in the common language', async () => {
    const { blind, kk, byLanguage } = setup();
    await searchDense(blind.index, byLanguage, {
      vector: vectors[170] as Float32Array,
      k: 10,
      language: 'en',
    });
    expect([blind.calls.length, kk.calls.length]).toEqual([1, 0]);
  });

  it('with a filter to languages that all have their own index, searches only those', async () => {
    const { blind, kk, byLanguage } = setup();
    const vector = vectors[3] as Float32Array;
    const hits = await searchDense(blind.index, byLanguage, {
      vector,
      k: 5,
      language: 'en',
      accept: (l) => l >= 150,
      filter: { kinds: ['body'], languages: ['kk'] },
    });
    expect(hits).toEqual(await exact.search(vector, 5, (l) => l >= 150));
    expect([blind.calls.length, kk.calls.length]).toEqual([0, 1]);
  });

  it('leaves the question language’s index out when a filter excludes that language', async () => {
    const { blind, kk, byLanguage } = setup();
    await searchDense(blind.index, byLanguage, {
      vector: vectors[170] as Float32Array,
      k: 5,
      language: 'kk',
      accept: (l) => l < 150,
      filter: { kinds: ['body'], languages: ['en'] },
    });
    expect([blind.calls.length, kk.calls.length]).toEqual([1, 0]);
  });

  it('without per-language indexes is the shared search', async () => {
    const { blind } = setup();
    const vector = vectors[170] as Float32Array;
    expect(await searchDense(blind.index, undefined, { vector, k: 7, language: 'kk' })).toEqual(
      await blind.index.search(vector, 7),
    );
  });
});

describe('a small language beside a large one in one HNSW graph', () => {
  it('is found through its own index where the shared graph walk misses it', async () => {
    // 5,000 "English" vectors, then a block of 200 "Kazakh" ones around five centres in the orthogonal half.
    // A Kazakh question also leans towards the English half (as one with English cognates appended does),
    // so the walk from the entry point climbs into the English cluster and stays there.
    seed = 7;
    const centres = Array.from({ length: 5 }, () => randomIn(16, 32));
    const english = Array.from({ length: 5000 }, () => randomIn(0, 16));
    const kazakh = Array.from({ length: 200 }, (_, i) =>
      mix(centres[i % 5] as Float32Array, randomIn(16, 32), 0.8),
    );
    const vectors = [...english.slice(0, 2500), ...kazakh, ...english.slice(2500)];
    const languages = vectors.map((_, i) => (i >= 2500 && i < 2700 ? 'kk' : 'en'));
    const graph = HnswIndex.build(vectors, DIMS, {
      m: 16,
      efConstruction: 100,
      efSearch: 128,
      randomSeed: 42,
    });
    const own = new Map(
      [...partitionRows(languages)].map(([language, rows]) => [
        language,
        onRows(createExactIndex(flat(Array.from(rows, (r) => vectors[r] as Float32Array)), DIMS), rows),
      ]),
    );
    expect([...own.keys()]).toEqual(['kk']);
    const byLanguage = languageIndexes(own, languages);

    let shared = 0;
    let partitioned = 0;
    for (let q = 0; q < 40; q++) {
      const vector = mix(mix(centres[q % 5] as Float32Array, randomIn(16, 32), 0.8), randomIn(0, 16), 0.6);
      const truth = new Set(bruteForceSearch(vectors, vector, 10).map((h) => h.label));
      const found = (hits: VectorHit[]) => hits.slice(0, 10).filter((h) => truth.has(h.label)).length;
      shared += found(graph.search(vector, 100));
      partitioned += found(await searchDense(graph, byLanguage, { vector, k: 100, language: 'kk' }));
    }
    expect(shared / 400).toBeLessThan(0.7);
    expect(partitioned / 400).toBe(1);
  });
});
