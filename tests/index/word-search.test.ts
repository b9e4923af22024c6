import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import { decodeGloveSif } from '../../src/embed/glove-sif.ts';
import { expansionCandidates, unitRow } from '../../src/embed/word-vectors.ts';
import { createWordSearch, readWordSearch, writeWordSearch } from '../../src/index/word-search.node.ts';
import { loadCorpus } from '../../src/ingest/load-corpus.node.ts';
import { createExpander } from '../../src/retrieve/expand.ts';

/** The native search must not change query expansion: same neighbours as the JavaScript scan. */
describe('createWordSearch', () => {
  it('gives every corpus word and sampled GloVe words the same expansion as the full scan', async () => {
    const table = decodeGloveSif(new Uint8Array(await readFile('models/glove-sif/glove-sif-100d.bin')));
    const snapshot = await loadCorpus('corpus');
    const corpusTerms = new Set(snapshot.files.flatMap((f) => terms(f.text)));
    const candidates = expansionCandidates(table, (t) => corpusTerms.has(t));
    const scan = createExpander({ ...table, candidates }, (t) => corpusTerms.has(t));
    const native = createExpander(
      { ...table, candidates, nearest: createWordSearch(table, candidates) },
      (t) => corpusTerms.has(t),
    );
    const words = [
      ...new Set(snapshot.files.flatMap((f) => f.text.toLowerCase().match(/\p{L}+/gu) ?? [])),
      ...table.words.filter((_, i) => i % 50 === 0),
    ];
    let expanded = 0;
    for (const word of words) {
      const want = scan.neighboursOf(word);
      expect(native.neighboursOf(word), word).toEqual(
        want.map((n) => ({ term: n.term, weight: expect.closeTo(n.weight, 5) })),
      );
      if (want.length > 0) expanded++;
    }
    expect(expanded).toBeGreaterThan(1000);
  }, 300_000);
});

/** The search written at build time and read back at start: the same rows, so the same answers. */
describe('writeWordSearch and readWordSearch', () => {
  const glove = async () =>
    decodeGloveSif(new Uint8Array(await readFile('models/glove-sif/glove-sif-100d.bin')));

  it('reads back a search that returns the same neighbours and scores as one built in memory', async () => {
    const table = await glove();
    // Every 7th GloVe word as a candidate: thousands of rows, as for the shipped corpus.
    const candidates = table.words.flatMap((w, i) => (i % 7 === 0 ? [[i, w] as [number, string]] : []));
    const path = join(await mkdtemp(join(tmpdir(), 'word-search-')), 'expansion-search.bin');
    await writeWordSearch(table, candidates, path);
    const read = await readWordSearch(path, table.dims, candidates.length);
    const built = createWordSearch(table, candidates);
    const queries = [3, 100, 2_000, 17_777, 40_001].map((row) => unitRow(table, row));
    for (const q of queries) {
      const want = built(q, 32);
      expect(want).toHaveLength(32);
      expect(read(q, 32)).toEqual(want);
    }
  });

  it('refuses a file that does not hold the expected rows', async () => {
    const table = await glove();
    const candidates: Array<[number, string]> = [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ];
    const dir = await mkdtemp(join(tmpdir(), 'word-search-'));
    await writeWordSearch(table, candidates, join(dir, 'search.bin'));
    await expect(readWordSearch(join(dir, 'search.bin'), table.dims, 4)).rejects.toThrow(/INDEX_CORRUPT/);
    await expect(readWordSearch(join(dir, 'search.bin'), table.dims + 1, 3)).rejects.toThrow(/INDEX_CORRUPT/);
    await writeFile(join(dir, 'empty.bin'), '');
    await expect(readWordSearch(join(dir, 'empty.bin'), table.dims, 3)).rejects.toThrow(/INDEX_CORRUPT/);
  });
});
