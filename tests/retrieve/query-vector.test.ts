import { describe, expect, it } from 'vitest';
import { buildQuery } from '../../src/retrieve/query.ts';
import { createQueryVectors, type QueryVectorOptions } from '../../src/retrieve/query-vector.ts';

/** An embedder that records what it embeds and maps each text to a distinct unit vector. */
function recordingEmbedder() {
  const embedded: string[] = [];
  return {
    embedded,
    async embedQuery(text: string) {
      embedded.push(text);
      const v = new Float32Array(4);
      v[text.length % 4] = 1;
      return v;
    },
  };
}

const OPTIONS: QueryVectorOptions = { cacheSize: 2, historyVectorWeight: 0.6, cognatesInDense: true };

describe('createQueryVectors', () => {
  it('embeds a repeated text once while it stays among the cacheSize most recently used', async () => {
    const embedder = recordingEmbedder();
    const vectorOf = createQueryVectors(embedder, OPTIONS);
    const ask = (q: string) => vectorOf(buildQuery(q), []);
    await ask('parties');
    await ask('akims');
    await ask('parties'); // a hit: 'parties' is now the most recent
    await ask('reform'); // evicts 'akims', the least recently used
    await ask('parties');
    await ask('akims');
    expect(embedder.embedded).toEqual(['parties', 'akims', 'reform', 'akims']);
  });

  it('embeds every time with the cache off', async () => {
    const embedder = recordingEmbedder();
    const vectorOf = createQueryVectors(embedder, { ...OPTIONS, cacheSize: 0 });
    await vectorOf(buildQuery('parties'), []);
    await vectorOf(buildQuery('parties'), []);
    expect(embedder.embedded).toEqual(['parties', 'parties']);
  });

  it('appends the English words of Cyrillic words only when cognatesInDense', async () => {
    const on = recordingEmbedder();
    await createQueryVectors(on, OPTIONS)(buildQuery('Что такое парламент?'), [{ word: 'parliament' }]);
    const off = recordingEmbedder();
    await createQueryVectors(off, { ...OPTIONS, cognatesInDense: false })(
      buildQuery('Что такое парламент?'),
      [{ word: 'parliament' }],
    );
    expect(on.embedded).toEqual(['Что такое парламент? parliament']);
    expect(off.embedded).toEqual(['Что такое парламент?']);
  });

  it("mixes a follow-up's earlier turns into a unit vector that leans towards the question", async () => {
    const embedder = recordingEmbedder();
    const query = buildQuery('and who opposed it?', [
      { role: 'user', content: 'Which parties backed the reform?' },
    ]);
    expect(query.context.length).toBeGreaterThan(0);
    const v = await createQueryVectors(embedder, OPTIONS)(query, []);
    const [own, earlier] = [
      await embedder.embedQuery(query.question),
      await embedder.embedQuery(query.context[0]?.text ?? ''),
    ];
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
    expect(cos(v, v)).toBeCloseTo(1, 6);
    expect(cos(v, own)).toBeGreaterThan(0);
    expect(cos(v, earlier)).toBeGreaterThan(0);
    expect(cos(v, own)).toBeGreaterThan(cos(v, earlier));
  });
});
