import { describe, expect, it } from 'vitest';
import { poolAndNormalize } from '../../src/embed/pooling.ts';

describe('poolAndNormalize', () => {
  it('averages unmasked positions and normalises each half', () => {
    // batch 1, seq 2, dims 4; the second position is padding.
    const hidden = Float32Array.from([3, 4, 0, 2, 9, 9, 9, 9]);
    const [v] = poolAndNormalize(hidden, [1n, 0n], 1, 2, 4, [
      { dims: 2, weight: 0.25 },
      { dims: 2, weight: 0.75 },
    ]);
    expect(Array.from(v ?? [])).toEqual([0.3, 0.4, 0, Math.sqrt(0.75)].map((x) => expect.closeTo(x, 6)));
  });

  it('drops the null dimensions of each half', () => {
    const hidden = Float32Array.from([3, 4, 1e-6, 5, 1e-6]);
    const [v] = poolAndNormalize(hidden, [1], 1, 1, 5, [
      { dims: 3, weight: 0.5, nullDims: 1 },
      { dims: 2, weight: 0.5, nullDims: 1 },
    ]);
    expect(Array.from(v ?? [])).toEqual([0.6, 0.8, 1].map((x) => expect.closeTo(x * Math.SQRT1_2, 6)));
  });

  it('leaves an all-zero half at zero instead of NaN', () => {
    const [plain] = poolAndNormalize(new Float32Array(4), [1], 1, 1, 4);
    expect(Array.from(plain ?? [])).toEqual([0, 0, 0, 0]);
    const [split] = poolAndNormalize(Float32Array.from([0, 1e-6, 2, 0]), [1], 1, 1, 4, [
      { dims: 2, weight: 0.5, nullDims: 1 },
      { dims: 2, weight: 0.5, nullDims: 1 },
    ]);
    expect(Array.from(split ?? [])).toEqual([0, expect.closeTo(Math.SQRT1_2, 6)]);
  });
});
