import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { HnswIndex } from '../../src/index/hnsw.node.ts';
import { buildGraphs, type GraphJob } from '../../src/index/hnsw-build.node.ts';
import { DEFAULT_HNSW_OPTIONS } from '../../src/index/types.ts';

function unitVectors(count: number, dims: number, seed: number): Float32Array[] {
  let state = seed >>> 0;
  const rand = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const v = Float32Array.from({ length: dims }, rand);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

const dims = 24;
const options = { ...DEFAULT_HNSW_OPTIONS, efConstruction: 100 };

async function jobs(dir: string, progress: number[][]): Promise<GraphJob[]> {
  return [
    { vectors: unitVectors(2500, dims, 1), dims, options, file: join(dir, 'a.hnsw') },
    { vectors: unitVectors(1800, dims, 2), dims, options, file: join(dir, 'b.hnsw') },
  ].map((job, i) => ({ ...job, onProgress: (done: number) => progress[i]?.push(done) }));
}

describe('buildGraphs', () => {
  it('builds the graphs on worker threads byte for byte as on this thread, reporting progress', async () => {
    const [threaded, here] = await Promise.all([
      mkdtemp(join(tmpdir(), 'graphs-')),
      mkdtemp(join(tmpdir(), 'graphs-')),
    ]);
    const progress = [[], []] as number[][];
    await buildGraphs(await jobs(threaded, progress), 2);
    await buildGraphs(await jobs(here, [[], []]), 1);
    for (const name of ['a.hnsw', 'b.hnsw']) {
      expect(Buffer.compare(await readFile(join(threaded, name)), await readFile(join(here, name)))).toBe(0);
    }
    expect(progress.map((p) => p.at(-1))).toEqual([2500, 1800]);
    expect(progress[0]).toEqual([...(progress[0] as number[])].sort((a, b) => a - b));
    const graph = await HnswIndex.read(join(threaded, 'a.hnsw'), dims, 2500, 64);
    const probe = unitVectors(2500, dims, 1)[1234] as Float32Array;
    expect(graph.search(probe, 1)[0]?.label).toBe(1234);
  });

  it('refuses a vector of the wrong width before starting any thread', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'graphs-'));
    const bad = [...unitVectors(10, dims, 3), new Float32Array(dims - 1)];
    const build = buildGraphs(
      [
        { vectors: unitVectors(10, dims, 4), dims, options, file: join(dir, 'ok.hnsw') },
        { vectors: bad, dims, options, file: join(dir, 'bad.hnsw') },
      ],
      2,
    );
    await expect(build).rejects.toThrow(AppError);
    await expect(build).rejects.toThrow(/Vector 10 has 23 dimensions/);
  });

  it('fails with an error naming the file when a graph cannot be written (hnswlib does not check)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'graphs-'));
    const build = buildGraphs(
      [
        { vectors: unitVectors(10, dims, 5), dims, options, file: join(dir, 'ok.hnsw') },
        { vectors: unitVectors(10, dims, 6), dims, options, file: join(dir, 'missing', 'x.hnsw') },
      ],
      2,
    );
    await expect(build).rejects.toThrow(/x\.hnsw was not written/);
  });
});
