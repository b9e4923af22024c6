import { loadConfig } from '../core/config.ts';
import { isAppError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest.ts';
import { buildIndex } from '../index/build-index.node.ts';
import { buildDatabaseIndex } from '../index/postgres/build.node.ts';
import { databaseClient } from '../index/postgres/replica.node.ts';
import { watchCorpus } from '../index/watch.node.ts';
import { printProgress, resolveModelForCli, runCli } from './open.node.ts';

/** What a build did, for the terminal: counts, time, the caches' share, and every skipped file. */
function report(manifest: Manifest, buildDir: string): void {
  process.stdout.write(
    `built ${manifest.passageCount} passages from ${manifest.documentCount} documents with ${manifest.model.id} ` +
      `(${manifest.model.dims} dims) in ${manifest.buildSeconds} s → ${buildDir}\n`,
  );
  if (manifest.work) {
    const w = manifest.work;
    process.stdout.write(
      `work: extracted ${w.extracted} of ${w.files} files, chunked ${w.chunked}, embedded ${w.embedded} texts, ${w.embeddedFromCache} from the cache\n`,
    );
  }
  for (const skip of manifest.skipped ?? []) {
    process.stdout.write(`skipped ${skip.file} (${skip.reason}): ${skip.message}\n`);
  }
}

/**
 * `npm run build:index` builds once; with `--watch` (or WATCH=true) it then rebuilds incrementally
 * whenever a corpus file is added, changed or deleted, one build at a time, until interrupted.
 */
runCli(async () => {
  const { config } = await resolveModelForCli(loadConfig(process.env));
  if (config.DATABASE_URL) {
    // The database backend publishes a version that every replica picks up; there is nothing to watch here.
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
  const first = await buildIndex(config, { onProgress: printProgress });
  report(first.manifest, first.buildDir);
  if (!process.argv.includes('--watch') && !config.WATCH) return;

  process.stdout.write(`watching ${config.CORPUS_DIR} for changes (Ctrl-C to stop)\n`);
  let building = false;
  let again = false;
  const rebuild = async (): Promise<void> => {
    if (building) {
      again = true;
      return;
    }
    building = true;
    try {
      do {
        again = false;
        try {
          const { manifest, buildDir } = await buildIndex(config, { onProgress: printProgress });
          report(manifest, buildDir);
        } catch (error) {
          // A failed rebuild leaves the previous index in place; keep watching.
          const message = isAppError(error) || error instanceof Error ? error.message : String(error);
          process.stderr.write(`error: ${message}\n`);
        }
      } while (again);
    } finally {
      building = false;
    }
  };
  watchCorpus(config.CORPUS_DIR, {
    debounceMs: config.WATCH_DEBOUNCE_MS,
    onChange: (files) => {
      process.stdout.write(`changed: ${files.join(', ')}\n`);
      void rebuild();
    },
  });
  await new Promise<never>(() => {});
});
