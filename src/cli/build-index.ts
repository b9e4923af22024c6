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
  if (manifest.work) {
    const w = manifest.work;
    process.stdout.write(
      `work: extracted ${w.extracted} of ${w.files} files, embedded ${w.embedded} texts, ${w.embeddedFromCache} from the cache\n`,
    );
  }
  for (const skip of manifest.skipped ?? []) {
    process.stdout.write(`skipped ${skip.file} (${skip.reason}): ${skip.message}\n`);
  }
});
