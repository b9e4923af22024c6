import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { stem } from '../../src/core/terms.ts';
import { decodeGloveSif } from '../../src/embed/glove-sif.ts';
import { createExpander, type Expander } from '../../src/retrieve/expand.ts';

describe('createExpander', () => {
  let expander: Expander;
  const corpus = new Set(
    ['vote', 'ballot', 'elector', 'banana', 'parliament', 'prerequisit', 'condit'].map(stem),
  );
  beforeAll(async () => {
    const table = decodeGloveSif(new Uint8Array(await readFile('models/glove-sif/glove-sif-100d.bin')));
    expander = createExpander(table, (t) => corpus.has(t), { neighbours: 3, minCosine: 0.4 });
  });

  it('finds corpus words close to a question word, weighted below it', () => {
    const neighbours = expander.neighboursOf('voting');
    expect(neighbours.map((n) => n.term)).toContain(stem('ballot'));
    for (const n of neighbours) {
      expect(n.weight).toBeGreaterThan(0);
      expect(n.weight).toBeLessThan(1);
    }
  });

  it('offers only words the corpus uses, never the word itself, and nothing for unknown words', () => {
    const neighbours = expander.neighboursOf('vote');
    expect(neighbours.every((n) => corpus.has(n.term) && n.term !== stem('vote'))).toBe(true);
    expect(neighbours.map((n) => n.term)).not.toContain(stem('banana'));
    expect(expander.neighboursOf('qwxzv')).toEqual([]);
  });

  it('is deterministic', () => {
    expect(expander.neighboursOf('precondition')).toEqual(expander.neighboursOf('precondition'));
  });
});
