import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.ts';
import { formatReport, metricsOf, parseQuestions, runQuestions, summarize } from '../eval/evaluate.ts';
import { createQaService } from '../retrieve/engine.ts';
import { openForCli, runCli } from './open.node.ts';

const USAGE = `usage: npm run eval -- [questions.jsonl] [--json]
Runs each question through the same search as POST /v1/ask and prints hit@k, MRR@10 by question kind,
abstention rates, quote quality and misses, then the dense and lexical legs alone and the follow-ups
without their history. Default question file: eval/dev.jsonl.`;

runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = positionals[0] ?? 'eval/dev.jsonl';
  const questions = parseQuestions(await readFile(file, 'utf8'), file);
  const config = loadConfig(process.env);
  const { index, modelStatus } = await openForCli(config);

  const run = async (mode: 'hybrid' | 'dense' | 'lexical', withoutHistory = false) => {
    const service = createQaService(index, { mode, modelStatus });
    return runQuestions(questions, index.sources, service.ask, { withoutHistory });
  };
  const hybrid = await run('hybrid');
  const report = summarize(hybrid);
  const dense = summarize(await run('dense')).answerable;
  const lexical = summarize(await run('lexical')).answerable;
  const followUps = questions.filter((q) => q.turns.length > 1).map((q) => q.id);
  const noHistory = metricsOf((await run('hybrid', true)).filter((o) => followUps.includes(o.question.id)));
  const withHistory = metricsOf(hybrid.filter((o) => followUps.includes(o.question.id)));

  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ file, report, legs: { dense, lexical }, followUps: { withHistory, noHistory } }, null, 2)}\n`,
    );
    return;
  }
  const f = (x: number) => x.toFixed(3);
  const leg = (name: string, m: typeof dense) =>
    `| ${name.padEnd(22)} | ${f(m.hit1)} | ${f(m.hit5)} | ${f(m.hit10)} | ${f(m.mrr10)} |`;
  process.stdout.write(
    [
      formatReport(report, `${file}: hybrid (${questions.length} questions)`),
      '',
      '## legs, all answerable questions',
      '| ranking                | hit@1 | hit@5 | hit@10 | MRR@10 |',
      '|------------------------|-------|-------|--------|--------|',
      leg('hybrid (RRF)', report.answerable),
      leg('dense only', dense),
      leg('lexical (BM25) only', lexical),
      '',
      `## follow-up questions (n=${followUps.length})`,
      leg('with history', withHistory),
      leg('without history', noHistory),
      '',
    ].join('\n'),
  );
});
