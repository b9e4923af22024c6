import type { Config } from '../core/config.ts';
import { type ModelStatus, resolveEmbeddingModel } from '../embed/resolve-model.node.ts';
import type { BuildProgress } from '../index/build-index.node.ts';
import { type LoadedIndex, openOrBuildIndex } from '../index/load-index.node.ts';
import { createProgress, type ProgressSink } from './progress.ts';

let bar: { stage: string; sink: ProgressSink } | undefined;

/** Progress of an index build: one line per stage, and a bar (or periodic lines) for counted stages. */
export function printProgress(progress: BuildProgress): void {
  if (bar && bar.stage !== progress.stage) {
    bar.sink.finish();
    bar = undefined;
  }
  if (progress.total === undefined || progress.done === undefined) {
    process.stderr.write(`index: ${progress.stage}\n`);
    return;
  }
  if (!bar) bar = { stage: progress.stage, sink: createProgress(`index: ${progress.stage}`, progress.total) };
  bar.sink.update(progress.done);
}

/** Makes the configured embedding model available (or falls back, with a warning) for a CLI command. */
export function resolveModelForCli(config: Config): Promise<{ config: Config; status: ModelStatus }> {
  return resolveEmbeddingModel(config, {
    log: (line) => process.stderr.write(`${line}\n`),
    warn: (message, reason) => process.stderr.write(`WARNING: ${message}\n  reason: ${reason}\n`),
  });
}

/** Opens the index for a CLI command, building it first if needed, with progress on stderr. */
export async function openForCli(
  base: Config,
): Promise<LoadedIndex & { rebuilt: boolean; config: Config; modelStatus: ModelStatus }> {
  const { config, status } = await resolveModelForCli(base);
  const loaded = await openOrBuildIndex(config, {
    onProgress: printProgress,
    onRebuild: (reason) => process.stderr.write(`index: rebuilding (${reason.detail})\n`),
  });
  return { ...loaded, config, modelStatus: status };
}

/** Runs a CLI main function; an error prints its message (no stack for expected errors) and exits 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (!(error instanceof Error && error.name === 'AppError') && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    process.exit(1);
  });
}
