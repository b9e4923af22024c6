import { describe, expect, it } from 'vitest';
import { randomizedSvd, sparseFromDense, symmetricEigen } from '../../src/embed/svd.ts';

/** An m × n matrix with known singular values: U diag(s) Vᵀ from Householder reflections (row-major). */
function knownMatrix(m: number, n: number, s: number[]): Float64Array {
  const reflector = (size: number, seed: number) => {
    const w = Array.from({ length: size }, (_, i) => Math.sin(seed * (i + 1)) + 0.1 * i);
    const norm = Math.hypot(...w);
    return (i: number, j: number) => (i === j ? 1 : 0) - (2 * (w[i] ?? 0) * (w[j] ?? 0)) / norm ** 2;
  };
  const u = reflector(m, 1.3);
  const v = reflector(n, 2.7);
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      s.forEach((sk, k) => {
        x += u(i, k) * sk * v(j, k);
      });
      a[i * n + j] = x;
    }
  }
  return a;
}

function maxOffOrthonormal(x: Float64Array, rows: number, k: number): number {
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += (x[r * k + i] ?? 0) * (x[r * k + j] ?? 0);
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe('randomizedSvd', () => {
  // 80 × 60 with rank 6: k + oversampling < n / 2, so the randomized range finder is exercised.
  const m = 80;
  const n = 60;
  const singular = [9, 5, 3, 2, 1, 0.5];
  const a = knownMatrix(m, n, singular);

  it('recovers the singular values of a matrix of known rank', () => {
    const svd = randomizedSvd(sparseFromDense(a, m, n), 4, { seed: 7 });
    expect(svd.k).toBe(4);
    expect(Array.from(svd.s)).toEqual(singular.slice(0, 4).map((x) => expect.closeTo(x, 8)));
  });

  it('returns orthonormal singular vectors that reconstruct the matrix', () => {
    const svd = randomizedSvd(sparseFromDense(a, m, n), 6);
    expect(maxOffOrthonormal(svd.u, m, svd.k)).toBeLessThan(1e-10);
    expect(maxOffOrthonormal(svd.v, n, svd.k)).toBeLessThan(1e-10);
    let error = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let x = 0;
        for (let k = 0; k < svd.k; k++)
          x += (svd.u[i * svd.k + k] ?? 0) * (svd.s[k] ?? 0) * (svd.v[j * svd.k + k] ?? 0);
        error = Math.max(error, Math.abs(x - (a[i * n + j] ?? 0)));
      }
    }
    expect(error).toBeLessThan(1e-9);
  });

  it('stops at the numerical rank instead of returning noise', () => {
    const svd = randomizedSvd(sparseFromDense(a, m, n), 10);
    expect(svd.k).toBe(singular.length);
    expect(svd.s.every((x) => Number.isFinite(x))).toBe(true);
  });

  it('approximates the top of a full-rank spectrum closely', () => {
    const decaying = Array.from({ length: n }, (_, i) => 10 * 0.7 ** i);
    const full = knownMatrix(m, n, decaying);
    const svd = randomizedSvd(sparseFromDense(full, m, n), 5);
    for (let i = 0; i < 5; i++) expect(Math.abs((svd.s[i] ?? 0) / (decaying[i] ?? 1) - 1)).toBeLessThan(1e-6);
  });

  it('is exact when the sample covers the column space', () => {
    const small = knownMatrix(12, 8, [4, 3, 2, 1]);
    const svd = randomizedSvd(sparseFromDense(small, 12, 8), 3, { powerIterations: 0 });
    expect(Array.from(svd.s)).toEqual([4, 3, 2].map((x) => expect.closeTo(x, 12)));
    expect(maxOffOrthonormal(svd.u, 12, svd.k)).toBeLessThan(1e-12);
  });

  it('is deterministic for a seed', () => {
    const sparse = sparseFromDense(a, m, n);
    const first = randomizedSvd(sparse, 3, { seed: 1, powerIterations: 0, oversampling: 0 });
    const again = randomizedSvd(sparse, 3, { seed: 1, powerIterations: 0, oversampling: 0 });
    expect(Array.from(again.u)).toEqual(Array.from(first.u));
  });
});

describe('symmetricEigen', () => {
  it('diagonalises a symmetric matrix (eigenvalues ascending)', () => {
    const a = Float64Array.from([2, 1, 0, 1, 2, 1, 0, 1, 2]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(Array.from(values)).toEqual([2 - Math.SQRT2, 2, 2 + Math.SQRT2].map((x) => expect.closeTo(x, 12)));
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 3; r++) {
        let av = 0;
        for (let j = 0; j < 3; j++) av += (a[r * 3 + j] ?? 0) * (vectors[j * 3 + c] ?? 0);
        expect(av).toBeCloseTo((values[c] ?? 0) * (vectors[r * 3 + c] ?? 0), 12);
      }
    }
  });
});
