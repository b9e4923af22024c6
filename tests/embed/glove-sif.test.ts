import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeGloveSif,
  encodeGloveSif,
  type GloveSifTable,
  gloveVector,
  sifWeight,
} from '../../src/embed/glove-sif.ts';

const ARTIFACT = 'models/glove-sif/glove-sif-100d.bin';

describe('GloVe-SIF table', () => {
  let table: GloveSifTable;
  let bytes: Buffer;
  beforeAll(async () => {
    bytes = await readFile(ARTIFACT);
    table = decodeGloveSif(new Uint8Array(bytes));
  });

  const cosine = (a: string, b: string) => {
    const x = gloveVector(table, table.words.indexOf(a));
    const y = gloveVector(table, table.words.indexOf(b));
    let dot = 0;
    for (let d = 0; d < table.dims; d++) dot += (x[d] ?? 0) * (y[d] ?? 0);
    return dot / Math.hypot(...x) / Math.hypot(...y);
  };

  it('parses the committed artifact: 50,000 whole words × 100 dimensions, no stopwords', () => {
    expect(table.dims).toBe(100);
    expect(table.words.length).toBe(50_000);
    expect(new Set(table.words).size).toBe(50_000);
    expect(table.words.every((w) => /^[\p{L}\p{N}]+$/u.test(w))).toBe(true);
    expect(table.words).toContain('election');
    expect(table.words).not.toContain('the');
  });

  it('matches the SHA-256 recorded in its README', async () => {
    const readme = await readFile('models/glove-sif/README.md', 'utf8');
    expect(readme).toContain(createHash('sha256').update(bytes).digest('hex'));
  });

  it('puts "election" near "elections" and "vote", far from "banana"', () => {
    expect(cosine('election', 'elections')).toBeGreaterThan(0.8);
    expect(cosine('election', 'vote')).toBeGreaterThan(0.6);
    expect(cosine('election', 'banana')).toBeLessThan(0.3);
  });

  it('round-trips through its binary format and rejects a truncated file', () => {
    const small = {
      words: ['a', 'bc'],
      dims: 2,
      values: Int8Array.from([1, -2, 3, 4]),
      scales: Float32Array.from([0.5, 2]),
    };
    const encoded = encodeGloveSif(small);
    const decoded = decodeGloveSif(encoded);
    expect(decoded).toMatchObject({ words: ['a', 'bc'], dims: 2 });
    expect(Array.from(gloveVector(decoded, 1))).toEqual([6, 8]);
    expect(() => decodeGloveSif(encoded.subarray(0, encoded.length - 1))).toThrow(/truncated/);
  });

  it('weights frequent words down', () => {
    expect(sifWeight(1, 100_000)).toBeLessThan(sifWeight(10_000, 100_000));
  });
});
