import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.ts';
import { createQaService } from '../retrieve/engine.ts';
import { openForCli, runCli } from './open.node.ts';

const USAGE = 'usage: npm run ask -- "question" [--top 5] [--json]';

runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
  });
  const question = positionals.join(' ').trim();
  if (!question) throw new Error(USAGE);
  const { index, modelStatus } = await openForCli(loadConfig(process.env));
  const result = await createQaService(index, { modelStatus }).ask({ question, topK: Number(values.top) });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(`confidence: ${result.confidence} (${result.tookMs} ms)\n`);
  for (const p of result.passages) {
    process.stdout.write(
      `\n${p.rank}. ${p.citation.label} [${p.citation.source} ${p.citation.start}-${p.citation.end}]\n`,
    );
    process.stdout.write(`   “${p.quote.text}”\n`);
  }
});
