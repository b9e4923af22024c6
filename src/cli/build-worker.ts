import { parseArgs } from 'node:util';
import { BUILTIN_MODEL_ID, loadConfig } from '../core/config.ts';
import { writeWorkerAssets } from '../worker/static-assets.node.ts';
import { openForCli, runCli } from './open.node.ts';

/**
 * `npm run build:worker`: builds (or reuses) an index of CORPUS_DIR with the built-in model under
 * `--index` (default .worker/index, so the Node service's own index is untouched) and writes the Worker's
 * assets (the runtime-neutral index export and the browser files) to `--out` (default .worker/assets).
 */
runCli(async () => {
  const { values } = parseArgs({
    options: {
      index: { type: 'string', default: '.worker/index' },
      out: { type: 'string', default: '.worker/assets' },
    },
  });
  const config = loadConfig({
    ...process.env,
    INDEX_DIR: values.index,
    EMBEDDING_MODEL: BUILTIN_MODEL_ID,
    AUTO_BUILD: 'true',
  });
  const loaded = await openForCli(config);
  const { manifest, bytes } = await writeWorkerAssets(loaded.config, loaded, values.out);
  const total = Object.values(bytes).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `exported ${manifest.passageCount} passages (${manifest.model.id}, ${manifest.model.dims} dims) to ` +
      `${values.out}: ${(total / 2 ** 20).toFixed(2)} MiB in ${Object.keys(bytes).length} files, largest ` +
      `${Object.entries(bytes)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([n, b]) => `${n} ${(b / 2 ** 20).toFixed(2)} MiB`)
        .join(', ')}\n`,
  );
});
