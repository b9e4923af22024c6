import { describe, expect, it } from 'vitest';
import { INDEX_FORMAT_VERSION, type Manifest, staleReasons } from '../../src/core/manifest.ts';

const manifest: Manifest = {
  formatVersion: INDEX_FORMAT_VERSION,
  buildId: 'build-x',
  builtAt: '2026-11-22T00:00:00.000Z',
  buildSeconds: 1,
  model: {
    id: 'builtin-static',
    fingerprint: 'f',
    dims: 8,
    quantized: true,
    queryPrefix: '',
    passagePrefix: '',
  },
  space: 'ip',
  documentCount: 1,
  passageCount: 2,
  sentenceCount: 3,
  corpusFingerprint: 'c',
  hnsw: { m: 16, efConstruction: 200, efSearch: 128, randomSeed: 42 },
  files: {},
};
const expected = {
  corpusFingerprint: 'c',
  modelId: 'builtin-static',
  quantized: true,
  queryPrefix: '',
  passagePrefix: '',
};

describe('staleReasons', () => {
  it('finds nothing wrong with a matching index', () => {
    expect(staleReasons(manifest, expected)).toEqual([]);
  });

  it('names each mismatch', () => {
    const reasons = staleReasons(
      { ...manifest, formatVersion: 0 },
      {
        ...expected,
        corpusFingerprint: 'd',
        modelId: 'Xenova/multilingual-e5-small',
        quantized: false,
        modelFingerprint: 'g',
      },
    );
    expect(reasons.join('\n')).toMatch(/format 0/);
    expect(reasons.join('\n')).toMatch(/corpus/);
    expect(reasons.join('\n')).toMatch(/multilingual-e5-small/);
    expect(reasons.join('\n')).toMatch(/QUANTIZED/);
    expect(reasons.join('\n')).toMatch(/model files/);
  });
});
