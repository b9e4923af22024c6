import { loadConfig } from '../core/config.ts';
import { buildIndex } from '../index/build-index.node.ts';
import { printProgress, resolveModelForCli, runCli } from './open.node.ts';

runCli(async () => {
  const { config } = await resolveModelForCli(loadConfig(process.env));
  const { manifest, buildDir } = await buildIndex(config, { onProgress: printProgress });
  process.stdout.write(
    `built ${manifest.passageCount} passages from ${manifest.documentCount} documents with ${manifest.model.id} ` +
      `(${manifest.model.dims} dims) in ${manifest.buildSeconds} s → ${buildDir}\n`,
  );
});
