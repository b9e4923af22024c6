/**
 * `npm run bench:scale -- [--sizes 10000,100000,1000000] [--queries 100]`: HNSW at corpus sizes far beyond
 * the shipped one. Vectors are text-like, not uniform noise: each is a mix of two real sentence or passage
 * vectors of the shipped corpus plus a little Gaussian noise. Reports build time, file size, RSS, query
 * latency and recall@10 against exact search for several `ef`. Writes bench/results/scale.json.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/cli/progress.ts';
import { loadConfig } from '../src/core/config.ts';
import { bruteForceSearch, HnswIndex } from '../src/index/hnsw.node.ts';
import { openOrBuildIndex } from '../src/index/load-index.node.ts';
import { DEFAULT_HNSW_OPTIONS } from '../src/index/types.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    queries: { type: 'string', default: '100' },
    efs: { type: 'string', default: '16,32,64,128,256' },
    efConstruction: { type: 'string', default: String(DEFAULT_HNSW_OPTIONS.efConstruction) },
  },
});
const sizes = (values.sizes ?? '').split(',').map(Number);
const efs = (values.efs ?? '').split(',').map(Number);

let seed = 12345;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / n;
  return v;
}

function synthesize(bases: readonly Float32Array[], count: number, dims: number, noise: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const a = bases[Math.floor(rand() * bases.length)] as Float32Array;
    const b = bases[Math.floor(rand() * bases.length)] as Float32Array;
    const w = 0.5 + 0.5 * rand();
    const v = new Float32Array(dims);
    for (let d = 0; d < dims; d++) v[d] = w * (a[d] ?? 0) + (1 - w) * (b[d] ?? 0) + noise * gauss();
    out.push(normalize(v));
  }
  return out;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

async function main(): Promise<void> {
  const config = loadConfig({
    CORPUS_DIR: 'corpus',
    INDEX_DIR: '.tmp/bench-index',
    MODELS_DIR: 'models',
    EMBEDDING_MODEL: process.env.EMBEDDING_MODEL ?? 'builtin-static',
    LOG_LEVEL: 'silent',
  });
  const { index, embedder } = await openOrBuildIndex(config);
  const dims = embedder.dims;
  const bases: Float32Array[] = [];
  for (let i = 0; i < index.sentenceVectors.length / dims; i++) bases.push(index.sentenceVectors.subarray(i * dims, (i + 1) * dims));
  const queryCount = Number(values.queries);
  const results: Array<Record<string, unknown>> = [];
  const efConstruction = Number(values.efConstruction);

  for (const n of sizes) {
    seed = 12345 + n;
    const vectors = synthesize(bases, n, dims, 0.01);
    const queries = synthesize(bases, queryCount, dims, 0.01);
    const rssBefore = rssMiB();
    const progress = createProgress(`build ${n}`, n);
    const started = performance.now();
    const hnsw = HnswIndex.build(vectors, dims, { efConstruction }, (done) => progress.update(done));
    progress.finish();
    const buildSeconds = (performance.now() - started) / 1000;
    const dir = await mkdtemp(join(tmpdir(), 'scale-'));
    await hnsw.write(join(dir, 'v.hnsw'));
    const fileMiB = Math.round((await stat(join(dir, 'v.hnsw'))).size / 2 ** 20);
    await rm(dir, { recursive: true, force: true });
    const rssAfter = rssMiB();

    const exact = queries.map((q) => new Set(bruteForceSearch(vectors, q, 10).map((h) => h.label)));
    const byEf: Array<Record<string, number>> = [];
    for (const ef of efs) {
      hnsw.setEf(ef);
      for (const q of queries.slice(0, 10)) hnsw.search(q, 10);
      const times: number[] = [];
      let found = 0;
      queries.forEach((q, i) => {
        const t0 = performance.now();
        const hits = hnsw.search(q, 10);
        times.push(performance.now() - t0);
        found += hits.filter((h) => exact[i]?.has(h.label)).length;
      });
      times.sort((a, b) => a - b);
      byEf.push({ ef, p50: Number(pct(times, 0.5).toFixed(3)), p99: Number(pct(times, 0.99).toFixed(3)), recall10: Number((found / (queries.length * 10)).toFixed(4)) });
    }
    const row = { passages: n, dims, m: DEFAULT_HNSW_OPTIONS.m, efConstruction, buildSeconds: Number(buildSeconds.toFixed(1)), fileMiB, rssBeforeMiB: rssBefore, rssAfterMiB: rssAfter, byEf };
    results.push(row);
    process.stdout.write(`\n${n} passages: build ${row.buildSeconds} s, file ${fileMiB} MiB, RSS ${rssBefore} → ${rssAfter} MiB\n`);
    process.stdout.write('| ef | p50 ms | p99 ms | recall@10 |\n|---|---|---|---|\n');
    for (const e of byEf) process.stdout.write(`| ${e.ef} | ${e.p50} | ${e.p99} | ${e.recall10} |\n`);
    vectors.length = 0;
  }
  await mkdir('bench/results', { recursive: true });
  const file = `bench/results/scale-${sizes.join('-')}.json`;
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
