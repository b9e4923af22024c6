import { SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { AskResult } from '../../src/retrieve/types.ts';
import { projectAnswer } from './parity-case.ts';

/**
 * Every question of eval/*.jsonl (follow-ups with their earlier turns, ten passages each) asked of the
 * Worker in workerd and of the Node service in the global setup, both with the built-in model over the
 * same index.
 */
describe('the Worker in workerd, against the Node service (built-in model)', () => {
  const cases = inject('parityCases');

  it('has every question of eval/*.jsonl to compare', () => {
    expect(cases.length).toBeGreaterThanOrEqual(361);
  });

  it('answers every question as Node does: same passages in order, quotes, citations, confidence', async () => {
    const differFromExact: string[] = [];
    const differFromServed: string[] = [];
    for (const c of cases) {
      const response = await SELF.fetch('https://worker.test/v1/ask', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': '192.0.2.1' },
        body: JSON.stringify(c.request),
      });
      expect(response.status, c.id).toBe(200);
      const worker = projectAnswer((await response.json()) as AskResult);
      if (JSON.stringify(worker) !== JSON.stringify(c.nodeExact)) differFromExact.push(c.id);
      if (JSON.stringify(worker) !== JSON.stringify(c.node)) differFromServed.push(c.id);
    }
    // Node's dense search is exact here too: the Worker's answers are the same, to the byte.
    expect(differFromExact).toEqual([]);
    // Against Node's HNSW graphs, the Worker differs exactly where a graph walk misses a true neighbour
    // (a question far from every passage, such as a Kazakh one over English text).
    const graphMisses = cases
      .filter((c) => JSON.stringify(c.node) !== JSON.stringify(c.nodeExact))
      .map((c) => c.id);
    expect(differFromServed).toEqual(graphMisses);
    console.log(
      `parity: ${cases.length} questions, ${cases.length - differFromServed.length} identical to Node as served; ` +
        `the others (${graphMisses.join(', ') || 'none'}) differ where Node's HNSW walk misses a neighbour`,
    );
  });
});
