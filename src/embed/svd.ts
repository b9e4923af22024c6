/**
 * Truncated SVD of a sparse matrix by the seeded randomized range finder of Halko, Martinsson and Tropp
 * (2011), in plain TypeScript: sample the row space of the matrix, sharpen it with power iterations
 * (re-orthonormalised with CholeskyQR2 after every product), and solve the small projected problem as a
 * symmetric eigenproblem (Householder tridiagonalisation + implicit QL, after JAMA's tred2/tql2).
 * Deterministic: the same matrix and seed give the same bits.
 */

/** Compressed sparse rows: row r holds `values[rowPtr[r] .. rowPtr[r + 1])` at columns `colIdx[...]`. */
export interface SparseMatrix {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

export interface SvdOptions {
  /** Extra sampled directions beyond k; more gives more accurate trailing components. */
  oversampling: number;
  /** Power iterations; each sharpens the separation of the top components from the rest. */
  powerIterations: number;
  /** Seed of the random test matrix. */
  seed: number;
  /** Components whose singular value is below this fraction of the largest are dropped (rank deficiency). */
  relativeTolerance: number;
}

export const DEFAULT_SVD_OPTIONS: SvdOptions = {
  oversampling: 10,
  powerIterations: 3,
  seed: 42,
  relativeTolerance: 1e-7,
};

/** `A ≈ U diag(s) Vᵀ` with U (rows × k) and V (cols × k) row-major, orthonormal columns, s descending. */
export interface Svd {
  k: number;
  u: Float64Array;
  s: Float64Array;
  v: Float64Array;
}

/** Builds a CSR matrix from a dense row-major array (for tests and small inputs). */
export function sparseFromDense(dense: ArrayLike<number>, rows: number, cols: number): SparseMatrix {
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = dense[r * cols + c] ?? 0;
      if (x !== 0) {
        colIdx.push(c);
        values.push(x);
      }
    }
    rowPtr[r + 1] = colIdx.length;
  }
  return { rows, cols, rowPtr, colIdx: Int32Array.from(colIdx), values: Float64Array.from(values) };
}

/** Mulberry32: a small, fast, seedable PRNG giving floats in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A · M for dense M (a.cols × l), result a.rows × l. */
function multiply(a: SparseMatrix, m: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.rows * l);
  for (let r = 0; r < a.rows; r++) {
    const base = r * l;
    for (let p = a.rowPtr[r] as number; p < (a.rowPtr[r + 1] as number); p++) {
      const x = a.values[p] as number;
      const from = (a.colIdx[p] as number) * l;
      for (let j = 0; j < l; j++) out[base + j] = (out[base + j] as number) + x * (m[from + j] as number);
    }
  }
  return out;
}

/** Aᵀ · M for dense M (a.rows × l), result a.cols × l. */
function multiplyTransposed(a: SparseMatrix, m: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.cols * l);
  for (let r = 0; r < a.rows; r++) {
    const from = r * l;
    for (let p = a.rowPtr[r] as number; p < (a.rowPtr[r + 1] as number); p++) {
      const x = a.values[p] as number;
      const base = (a.colIdx[p] as number) * l;
      for (let j = 0; j < l; j++) out[base + j] = (out[base + j] as number) + x * (m[from + j] as number);
    }
  }
  return out;
}

/** Xᵀ Y for X, Y both n × l (row-major), result l × l. */
function innerProducts(x: Float64Array, y: Float64Array, n: number, l: number): Float64Array {
  const out = new Float64Array(l * l);
  for (let r = 0; r < n; r++) {
    const base = r * l;
    for (let i = 0; i < l; i++) {
      const xi = x[base + i] as number;
      if (xi === 0) continue;
      const row = i * l;
      for (let j = 0; j < l; j++) out[row + j] = (out[row + j] as number) + xi * (y[base + j] as number);
    }
  }
  return out;
}

/** YᵀY for Y n × l (row-major): only the upper triangle is filled, which is all Cholesky reads. */
function gramUpper(y: Float64Array, n: number, l: number): Float64Array {
  const out = new Float64Array(l * l);
  for (let r = 0; r < n; r++) {
    const base = r * l;
    for (let i = 0; i < l; i++) {
      const yi = y[base + i] as number;
      if (yi === 0) continue;
      const row = i * l;
      for (let j = i; j < l; j++) out[row + j] = (out[row + j] as number) + yi * (y[base + j] as number);
    }
  }
  return out;
}

/**
 * One CholeskyQR pass, in place: G = YᵀY = RᵀR, Y ← Y R⁻¹. A column that is (numerically) a combination
 * of earlier ones is set to zero instead of failing, so a rank-deficient sample degrades gracefully.
 */
function choleskyQrPass(y: Float64Array, n: number, l: number): void {
  const g = gramUpper(y, n, l);
  const r = new Float64Array(l * l);
  const dropped = new Uint8Array(l);
  for (let j = 0; j < l; j++) {
    const gjj = g[j * l + j] as number;
    let d = gjj;
    for (let i = 0; i < j; i++) d -= (r[i * l + j] as number) ** 2;
    if (!(gjj > 0) || d <= gjj * 1e-13) {
      dropped[j] = 1;
      continue;
    }
    const rjj = Math.sqrt(d);
    r[j * l + j] = rjj;
    for (let c = j + 1; c < l; c++) {
      let x = g[j * l + c] as number;
      for (let i = 0; i < j; i++) x -= (r[i * l + j] as number) * (r[i * l + c] as number);
      r[j * l + c] = x / rjj;
    }
  }
  // Solve Q R = Y row by row (forward substitution over columns).
  for (let row = 0; row < n; row++) {
    const base = row * l;
    for (let j = 0; j < l; j++) {
      if (dropped[j]) {
        y[base + j] = 0;
        continue;
      }
      let x = y[base + j] as number;
      for (let i = 0; i < j; i++) x -= (y[base + i] as number) * (r[i * l + j] as number);
      y[base + j] = x / (r[j * l + j] as number);
    }
  }
}

/** Orthonormalises the columns of Y (n × l) in place: CholeskyQR2, i.e. two passes. */
export function orthonormalize(y: Float64Array, n: number, l: number): void {
  choleskyQrPass(y, n, l);
  choleskyQrPass(y, n, l);
}

/**
 * Eigen-decomposition of a symmetric matrix (n × n, row-major). Returns eigenvalues ascending and the
 * eigenvectors as the columns of a row-major n × n matrix. Port of JAMA's tred2 + tql2.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const at = (i: number, j: number) => v[i * n + j] as number;
  const set = (i: number, j: number, x: number) => {
    v[i * n + j] = x;
  };
  for (let j = 0; j < n; j++) d[j] = at(n - 1, j);

  // tred2: Householder reduction to tridiagonal form.
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = at(i - 1, j);
        set(i, j, 0);
        set(j, i, 0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = (d[k] as number) / scale;
        h += (d[k] as number) ** 2;
      }
      let f = d[i - 1] as number;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        set(j, i, f);
        g = (e[j] as number) + at(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += at(k, j) * (d[k] as number);
          e[k] = (e[k] as number) + at(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = (e[j] as number) / h;
        f += (e[j] as number) * (d[j] as number);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = (e[j] as number) - hh * (d[j] as number);
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        g = e[j] as number;
        for (let k = j; k <= i - 1; k++) set(k, j, at(k, j) - (f * (e[k] as number) + g * (d[k] as number)));
        d[j] = at(i - 1, j);
        set(i, j, 0);
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    set(n - 1, i, at(i, i));
    set(i, i, 1);
    const h = d[i + 1] as number;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = at(k, i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += at(k, i + 1) * at(k, j);
        for (let k = 0; k <= i; k++) set(k, j, at(k, j) - g * (d[k] as number));
      }
    }
    for (let k = 0; k <= i; k++) set(k, i + 1, 0);
  }
  for (let j = 0; j < n; j++) {
    d[j] = at(n - 1, j);
    set(n - 1, j, 0);
  }
  if (n > 0) set(n - 1, n - 1, 1);
  e[0] = 0;

  // tql2: implicit QL iterations on the tridiagonal matrix.
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n && Math.abs(e[m] as number) > eps * tst1) m++;
    if (m === n) m = n - 1;
    if (m > l) {
      do {
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const dl1 = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
        f += h;
        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = Math.hypot(p, e[i] as number);
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          for (let k = 0; k < n; k++) {
            h = at(k, i + 1);
            set(k, i + 1, s * at(k, i) + c * h);
            set(k, i, c * at(k, i) - s * h);
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] as number) > eps * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
  // Sort ascending, moving the eigenvector columns along.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i] as number;
    for (let j = i + 1; j < n; j++) {
      if ((d[j] as number) < p) {
        k = j;
        p = d[j] as number;
      }
    }
    if (k !== i) {
      d[k] = d[i] as number;
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = at(j, i);
        set(j, i, at(j, k));
        set(j, k, t);
      }
    }
  }
  return { values: d, vectors: v };
}

/**
 * Top-k singular triplets of `a`. The random sample is taken on the column side (`a.cols` is the number of
 * contexts in LSA, usually far smaller than the vocabulary), so only cols × (k + oversampling) blocks are
 * orthonormalised. Returns fewer than k components when the matrix has lower numerical rank.
 */
export function randomizedSvd(a: SparseMatrix, k: number, options: Partial<SvdOptions> = {}): Svd {
  const opts = { ...DEFAULT_SVD_OPTIONS, ...options };
  const n = a.cols;
  let l = Math.max(1, Math.min(k + opts.oversampling, n, a.rows));
  let powerIterations = opts.powerIterations;
  // When the sample would cover half the column space anyway, sample all of it: the result is then exact
  // and, with no power iterations needed, also cheaper.
  if (2 * l >= n) {
    l = Math.min(n, a.rows);
    powerIterations = 0;
  }
  const next = random(opts.seed);
  const omega = new Float64Array(a.rows * l);
  for (let i = 0; i < omega.length; i++) omega[i] = 2 * next() - 1;

  // Q spans (approximately) the top right-singular subspace: Q = orth((AᵀA)^q Aᵀ Ω).
  let q = multiplyTransposed(a, omega, l);
  orthonormalize(q, n, l);
  // Only the small (cols × l) side is re-orthonormalised: the row side is the whole vocabulary.
  for (let it = 0; it < powerIterations; it++) {
    q = multiplyTransposed(a, multiply(a, q, l), l);
    orthonormalize(q, n, l);
  }

  // A ≈ B Qᵀ with B = A Q; BᵀB = Qᵀ (Aᵀ B) = W Λ Wᵀ gives s = √λ, V = Q W, U = A V / s.
  const b = multiply(a, q, l);
  const gram = innerProducts(q, multiplyTransposed(a, b, l), n, l);
  for (let i = 0; i < l; i++) {
    for (let j = 0; j < i; j++) {
      const mean = ((gram[i * l + j] as number) + (gram[j * l + i] as number)) / 2;
      gram[i * l + j] = mean;
      gram[j * l + i] = mean;
    }
  }
  const { values, vectors } = symmetricEigen(gram, l);
  const top = Math.sqrt(Math.max(0, values[l - 1] as number));
  const order: number[] = [];
  for (let i = l - 1; i >= 0 && order.length < k; i--) {
    const s = Math.sqrt(Math.max(0, values[i] as number));
    if (s > 0 && s > top * opts.relativeTolerance) order.push(i);
  }
  const kk = order.length;
  const s = Float64Array.from(order, (i) => Math.sqrt(values[i] as number));
  const v = new Float64Array(n * kk);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < kk; j++) {
      const col = order[j] as number;
      let x = 0;
      for (let i = 0; i < l; i++) x += (q[row * l + i] as number) * (vectors[i * l + col] as number);
      v[row * kk + j] = x;
    }
  }
  // Signs are arbitrary; make each V column's largest entry positive so results do not hinge on them.
  for (let j = 0; j < kk; j++) {
    let best = 0;
    for (let row = 0; row < n; row++) {
      const x = v[row * kk + j] as number;
      if (Math.abs(x) > Math.abs(best)) best = x;
    }
    if (best < 0) for (let row = 0; row < n; row++) v[row * kk + j] = -(v[row * kk + j] as number);
  }
  const u = multiply(a, v, kk);
  for (let row = 0; row < a.rows; row++) {
    for (let j = 0; j < kk; j++) u[row * kk + j] = (u[row * kk + j] as number) / (s[j] as number);
  }
  return { k: kk, u, s, v };
}
