import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import { decodeGloveSif } from '../../src/embed/glove-sif.ts';
import { expansionCandidates } from '../../src/embed/word-vectors.ts';
import { createWordSearch } from '../../src/index/word-search.node.ts';
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
