import { loadConfig } from '../core/config.ts';
import { buildIndex } from '../index/build-index.node.ts';
import { buildDatabaseIndex } from '../index/postgres/build.node.ts';
import { databaseClient } from '../index/postgres/replica.node.ts';
import { printProgress, resolveModelForCli, runCli } from './open.node.ts';

runCli(async () => {
  const { config } = await resolveModelForCli(loadConfig(process.env));
  if (config.DATABASE_URL) {
    const client = databaseClient(config);
    try {
      const { version, passages } = await buildDatabaseIndex(config, client, { onProgress: printProgress });
      process.stdout.write(
        `built ${passages} passages with ${config.EMBEDDING_MODEL}; published as version ${version}\n`,
      );
    } finally {
      await client.close();
    }
    return;
  }
  const { manifest, buildDir } = await buildIndex(config, { onProgress: printProgress });
  process.stdout.write(
    `built ${manifest.passageCount} passages from ${manifest.documentCount} documents with ${manifest.model.id} ` +
      `(${manifest.model.dims} dims) in ${manifest.buildSeconds} s → ${buildDir}\n`,
  );
});
