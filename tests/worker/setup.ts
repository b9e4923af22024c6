import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/core/config.ts';
import type { Turn } from '../../src/core/types.ts';
import { parseQuestions } from '../../src/eval/evaluate.ts';
import { createExactIndex } from '../../src/index/exact.ts';
import { passageVectors } from '../../src/index/export-index.node.ts';
import { openOrBuildIndex } from '../../src/index/load-index.node.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { writeWorkerAssets } from '../../src/worker/static-assets.node.ts';
import { machineEnv, TEST_INDEX_ENV } from '../setup/test-index.ts';
import { type ParityCase, projectAnswer, WORKER_TEST_ASSETS } from './parity-case.ts';

/**
 * Runs in Node before the workerd suites: builds (or reuses) the shared built-in-model test index, writes
 * its Worker export to the assets directory of wrangler.toml's `test` environment, and records the Node
 * service's answer to every question of eval/*.jsonl for the parity suite.
 */
export default async function setup(project: TestProject): Promise<void> {
  const started = performance.now();
  const config = loadConfig({ ...machineEnv(), ...TEST_INDEX_ENV, AUTO_BUILD: 'true' });
  const loaded = await openOrBuildIndex(config);
  await writeWorkerAssets(config, loaded, WORKER_TEST_ASSETS);
  const service = createQaService(loaded.index);
  // The Node service's dense legs walk HNSW graphs (approximate); the Worker scans exactly. The same
  // service over exact scans of the same vectors tells a graph's miss from a Worker difference.
  const exact = createQaService({
    ...loaded.index,
    vectors: createExactIndex(await passageVectors(loaded), loaded.embedder.dims),
    sentences: createExactIndex(loaded.index.sentenceVectors, loaded.embedder.dims),
  });
  const cases: ParityCase[] = [];
  for (const file of (await readdir('eval')).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const q of parseQuestions(await readFile(join('eval', file), 'utf8'), file)) {
      const history: Turn[] = q.turns.slice(0, -1).map((content) => ({ role: 'user', content }));
      const request = { question: q.turns[q.turns.length - 1] as string, history, topK: 10 };
      cases.push({
        id: `${file}:${q.id}`,
        request,
        node: projectAnswer(await service.ask(request)),
        nodeExact: projectAnswer(await exact.ask(request)),
      });
    }
  }
  project.provide('parityCases', cases);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`worker test assets and ${cases.length} Node answers ready in ${seconds} s\n`);
}
