import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EvalReport, parseQuestions, runQuestions, summarize } from '../../src/eval/evaluate.ts';
import { createQaService, type SearchIndex } from '../../src/retrieve/engine.ts';
import { openTestIndex } from '../setup/test-index.ts';

/** The quality floor on the dev questions (eval/dev.jsonl), through the same code as the API. */
describe('retrieval quality on the dev questions', () => {
  const reports: Partial<Record<'hybrid' | 'dense' | 'lexical', EvalReport>> = {};
  let index: SearchIndex;

  beforeAll(async () => {
    index = (await openTestIndex()).index;
    const questions = parseQuestions(await readFile('eval/dev.jsonl', 'utf8'));
    for (const mode of ['hybrid', 'dense', 'lexical'] as const) {
      const service = createQaService(index, { mode });
      reports[mode] = summarize(await runQuestions(questions, index.sources, service.ask));
    }
  });

  it('finds the evidence in the top 5 for at least 85% of answerable questions', () => {
    expect(reports.hybrid?.answerable.hit5).toBeGreaterThanOrEqual(0.85);
  });

  it('reaches an MRR@10 of at least 0.70', () => {
    expect(reports.hybrid?.answerable.mrr10).toBeGreaterThanOrEqual(0.7);
  });

  it('ranks at least as well as either leg alone', () => {
    const hybrid = reports.hybrid?.answerable.mrr10 ?? 0;
    expect(hybrid).toBeGreaterThanOrEqual(reports.dense?.answerable.mrr10 ?? 1);
    expect(hybrid).toBeGreaterThanOrEqual(reports.lexical?.answerable.mrr10 ?? 1);
  });
});
