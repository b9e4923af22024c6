import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/errors.ts';
import { HnswIndex } from './hnsw.node.ts';
import type { HnswOptions } from './types.ts';

/** One graph an index build writes: its vectors (label i = vectors[i]), build options and file. */
export interface GraphJob {
  vectors: readonly Float32Array[];
  dims: number;
  options: HnswOptions;
  file: string;
  onProgress?: (done: number) => void;
}

/**
 * The worker's whole program, as plain JavaScript evaluated in the thread: a file would need compiling by
 * tsx in development and a second bundle entry in dist/. It is `HnswIndex.build` then `write`, over a
 * flat copy of the vectors transferred to it; the graph is the same byte for byte (same options, seed and
 * insertion order; tests/index/hnsw-build.test.ts).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { HierarchicalNSW } = require(workerData.hnswlib);
const { flat, dims, count, options, file } = workerData;
const vectors = new Float32Array(flat);
const graph = new HierarchicalNSW('ip', dims);
graph.initIndex({ maxElements: Math.max(1, count), m: options.m, efConstruction: options.efConstruction, randomSeed: options.randomSeed });
for (let i = 0; i < count; i++) {
  graph.addPoint(Array.from(vectors.subarray(i * dims, (i + 1) * dims)), i);
  if ((i + 1) % 1000 === 0) parentPort.postMessage(i + 1);
}
graph.writeIndexSync(file);
parentPort.postMessage(count);
`;

function checkDims(job: GraphJob): void {
  job.vectors.forEach((v, label) => {
    if (v.length !== job.dims) {
      throw new AppError('INDEX_CORRUPT', `Vector ${label} has ${v.length} dimensions, expected ${job.dims}`);
    }
  });
}

function inWorker(job: GraphJob): Promise<void> {
  const flat = new Float32Array(job.vectors.length * job.dims);
  job.vectors.forEach((v, i) => {
    flat.set(v, i * job.dims);
  });
  const hnswlib = createRequire(import.meta.url).resolve('hnswlib-node');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        hnswlib,
        flat: flat.buffer,
        dims: job.dims,
        count: job.vectors.length,
        options: job.options,
        file: job.file,
      },
      transferList: [flat.buffer],
    });
    let done = 0;
    worker.on('message', (n: number) => {
      done = n;
      job.onProgress?.(n);
    });
    worker.once('error', (cause) =>
      reject(new AppError('INTERNAL', `Building the vector index ${job.file} failed`, { cause })),
    );
    worker.once('exit', (code) => {
      if (code === 0 && done === job.vectors.length) resolve();
      else reject(new AppError('INTERNAL', `The thread building ${job.file} stopped (exit code ${code})`));
    });
  });
}

/**
 * Builds and writes each graph. hnswlib-node inserts on the calling thread only, so with more than one
 * graph (passages and sentences) and more than one core, the graphs are built at the same time, each on a
 * worker thread; otherwise one after the other here.
 */
export async function buildGraphs(
  jobs: readonly GraphJob[],
  threads = availableParallelism(),
): Promise<void> {
  for (const job of jobs) checkDims(job);
  if (jobs.length > 1 && threads > 1) {
    const queue = [...jobs];
    const run = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await inWorker(job);
    };
    await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, run));
  } else {
    for (const job of jobs) {
      const graph = HnswIndex.build(job.vectors, job.dims, job.options, job.onProgress);
      await graph.write(job.file);
    }
  }
  // hnswlib writes through an unchecked stream: a file that could not be written is only noticed here.
  for (const job of jobs) {
    const written = await stat(job.file).catch(() => undefined);
    if (!written?.size) throw new AppError('INTERNAL', `The vector index ${job.file} was not written`);
  }
}
