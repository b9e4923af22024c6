import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeGloveSif, encodeGloveSif, sifWeight } from '../../src/embed/glove-sif.ts';

describe('GloVe-SIF table', () => {
  it('parses the committed artifact', async () => {
    const table = decodeGloveSif(new Uint8Array(await readFile('models/glove-sif/glove-sif-100d.bin')));
    expect(table.dims).toBe(100);
    expect(table.words.length).toBe(60_000);
    expect(table.words).toContain('election');
    expect(table.words).not.toContain('the');
  });

  it('puts related words closer than unrelated ones', async () => {
    const table = decodeGloveSif(new Uint8Array(await readFile('models/glove-sif/glove-sif-100d.bin')));
    const vec = (w: string) => {
      const i = table.words.indexOf(w);
      return Array.from(table.values.subarray(i * 100, (i + 1) * 100), (q) => q * (table.scales[i] ?? 0));
    };
    const cos = (a: number[], b: number[]) =>
      a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0) / Math.hypot(...a) / Math.hypot(...b);
    expect(cos(vec('election'), vec('vote'))).toBeGreaterThan(cos(vec('election'), vec('banana')));
  });

  it('round-trips through its binary format and rejects a truncated file', () => {
    const table = {
      words: ['a', 'bc'],
      dims: 2,
      values: Int8Array.from([1, -2, 3, 4]),
      scales: Float32Array.from([0.5, 2]),
    };
    const bytes = encodeGloveSif(table);
    expect(decodeGloveSif(bytes)).toMatchObject({ words: ['a', 'bc'], dims: 2 });
    expect(() => decodeGloveSif(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
  });

  it('weights frequent words down', () => {
    expect(sifWeight(1, 100_000)).toBeLessThan(sifWeight(10_000, 100_000));
  });
});
