import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type EvalReport,
  evidenceSpans,
  parseQuestions,
  runQuestions,
  summarize,
} from '../../src/eval/evaluate.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { openPretrainedIndex, openTestIndex } from '../setup/test-index.ts';

let index: SearchIndex;
/** hit@5 of the built-in model per held-out file, for the comparison below. */
const builtinHeldOut: Record<string, { hit5: number }> = {};

beforeAll(async () => {
  index = (await openTestIndex()).index;
  for (const file of ['heldout-a', 'heldout-b', 'heldout-c', 'heldout-d', 'heldout-e', 'heldout-f']) {
    const questions = parseQuestions(await readFile(`eval/${file}.jsonl`, 'utf8'), file);
    const report = summarize(await runQuestions(questions, index.sources, createQaService(index).ask));
    builtinHeldOut[file] = { hit5: report.answerable.hit5 };
  }
});

/**
 * Floors of the default pretrained model on heldout-a…f together, a little under the measured figures
 * (hit@5 0.875, MRR@10 0.750, paraphrased 0.870, Russian/Kazakh 0.844, unanswerable low 0.733, answerable
 * low 0.109).
 */
const HELD_OUT_FLOOR = {
  hit5: 0.83,
  mrr10: 0.71,
  paraphrase: 0.82,
  crosslingual: 0.78,
  unanswerableLow: 0.65,
  answerableLow: 0.15,
};

/** The quality floor of the built-in model on the dev questions (eval/dev.jsonl), through the API's code. */
describe('retrieval quality on the dev questions (built-in model)', () => {
  const reports: Partial<Record<'hybrid' | 'dense' | 'lexical', EvalReport>> = {};

  beforeAll(async () => {
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

/**
 * The held-out questions (eval/heldout-*.jsonl) were written after the ranking was tuned, without looking
 * at its output; their floor is lower than dev's because they were not tuned on (README, "Retrieval quality").
 */
describe('retrieval quality on the held-out questions (built-in model)', () => {
  let report: EvalReport;

  beforeAll(async () => {
    const questions = [
      ...parseQuestions(await readFile('eval/heldout-a.jsonl', 'utf8')),
      ...parseQuestions(await readFile('eval/heldout-b.jsonl', 'utf8')),
    ];
    report = summarize(await runQuestions(questions, index.sources, createQaService(index).ask));
  });

  it('finds the evidence in the top 5 for at least 70% of answerable questions', () => {
    expect(report.answerable.n).toBe(50);
    expect(report.answerable.hit5).toBeGreaterThanOrEqual(0.7);
  });

  it('rates most unanswerable questions low and few answerable ones', () => {
    expect(report.abstainedUnanswerable).toBeGreaterThanOrEqual(0.6);
    expect(report.abstainedAnswerable).toBeLessThanOrEqual(0.15);
  });
});

const heldOut = ['heldout-a', 'heldout-b', 'heldout-c', 'heldout-d', 'heldout-e', 'heldout-f'];

/**
 * The default pretrained model (multilingual-e5-small): floors a little under what `npm run eval` measures
 * (README, "Retrieval quality"), so a regression fails while noise from a rebuilt model does not.
 */
describe.skipIf(inject('pretrainedUnavailable') !== '')(
  'retrieval quality with the default pretrained model',
  () => {
    let pretrained: SearchIndex;
    const reports: Record<string, EvalReport> = {};

    beforeAll(async () => {
      pretrained = (await openPretrainedIndex()).index;
      const service = createQaService(pretrained);
      for (const file of ['dev', ...heldOut]) {
        const questions = parseQuestions(await readFile(`eval/${file}.jsonl`, 'utf8'), file);
        reports[file] = summarize(await runQuestions(questions, pretrained.sources, service.ask));
      }
      const all = await Promise.all(
        heldOut.map(async (f) => parseQuestions(await readFile(`eval/${f}.jsonl`, 'utf8'), f)),
      );
      reports.heldOut = summarize(await runQuestions(all.flat(), pretrained.sources, service.ask));
    });

    it('finds the dev evidence in the top 5 for at least 90% of answerable questions', () => {
      expect(reports.dev?.answerable.hit5).toBeGreaterThanOrEqual(0.9);
      expect(reports.dev?.answerable.mrr10).toBeGreaterThanOrEqual(0.8);
    });

    it('keeps its held-out floor: overall, paraphrased and Russian/Kazakh questions', () => {
      const report = reports.heldOut as EvalReport;
      expect(report.answerable.n).toBeGreaterThanOrEqual(150);
      expect(report.answerable.hit5).toBeGreaterThanOrEqual(HELD_OUT_FLOOR.hit5);
      expect(report.answerable.mrr10).toBeGreaterThanOrEqual(HELD_OUT_FLOOR.mrr10);
      expect(report.byStyle.paraphrase?.hit5).toBeGreaterThanOrEqual(HELD_OUT_FLOOR.paraphrase);
      expect(report.byKind.crosslingual?.hit5).toBeGreaterThanOrEqual(HELD_OUT_FLOOR.crosslingual);
    });

    it('rates most unanswerable held-out questions low and few answerable ones', () => {
      const report = reports.heldOut as EvalReport;
      expect(report.abstainedUnanswerable).toBeGreaterThanOrEqual(HELD_OUT_FLOOR.unanswerableLow);
      expect(report.abstainedAnswerable).toBeLessThanOrEqual(HELD_OUT_FLOOR.answerableLow);
    });

    it('finds at least as much as the built-in model on every held-out file, and more on all', () => {
      let ours = 0;
      let builtin = 0;
      for (const file of heldOut) {
        const report = reports[file] as EvalReport;
        const base = builtinHeldOut[file]?.hit5 ?? 1;
        expect(report.answerable.hit5, file).toBeGreaterThanOrEqual(base);
        ours += report.answerable.hit5 * report.answerable.n;
        builtin += base * report.answerable.n;
      }
      expect(ours).toBeGreaterThan(builtin);
    });
  },
);

describe('question files', () => {
  it('every evidence string of every file in eval/ is found verbatim in its source', async () => {
    const files = (await readdir('eval')).filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      for (const q of parseQuestions(await readFile(`eval/${file}`, 'utf8'), file)) {
        if (q.evidence.length === 0) {
          expect(q.source, `${file} ${q.id}`).toBeNull();
          continue;
        }
        expect(evidenceSpans(q, index.sources)).toHaveLength(q.evidence.length);
      }
    }
  });
});
