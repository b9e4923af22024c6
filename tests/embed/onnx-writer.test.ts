import { describe, expect, it } from 'vitest';
import { quantizeRows } from '../../src/embed/onnx-writer.ts';
import { poolAndNormalize } from '../../src/embed/pooling.ts';

describe('quantizeRows', () => {
  it('keeps each row within half a quantisation step', () => {
    const table = Float32Array.from([0.5, -1, 0.25, 0, 0, 0]);
    const { q, scales } = quantizeRows(table, 2, 3);
    for (let i = 0; i < 3; i++)
      expect(Math.abs((q[i] ?? 0) * (scales[0] ?? 0) - (table[i] ?? 0))).toBeLessThan(1 / 254 + 1e-7);
    expect(Array.from(q.subarray(3))).toEqual([0, 0, 0]);
  });
});

describe('poolAndNormalize', () => {
  it('averages unmasked positions and normalises each half', () => {
    // batch 1, seq 2, dims 4; the second position is padding.
    const hidden = Float32Array.from([3, 4, 0, 2, 9, 9, 9, 9]);
    const [v] = poolAndNormalize(hidden, [1, 0], 1, 2, 4, [
      { dims: 2, weight: 0.25 },
      { dims: 2, weight: 0.75 },
    ]);
    expect(Array.from(v ?? [])).toEqual([
      expect.closeTo(0.3, 6),
      expect.closeTo(0.4, 6),
      expect.closeTo(0, 6),
      expect.closeTo(Math.sqrt(0.75), 6),
    ]);
  });

  it('leaves an all-zero half at zero instead of NaN', () => {
    const [v] = poolAndNormalize(new Float32Array(4), [1], 1, 1, 4);
    expect(Array.from(v ?? [])).toEqual([0, 0, 0, 0]);
  });
});
