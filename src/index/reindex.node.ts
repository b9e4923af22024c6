import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '../core/config.ts';
import { isAppError } from '../core/errors.ts';
import { type LoadedIndex, openIndex } from './load-index.node.ts';
import type { AdminControl, ReindexStatus } from './types.ts';

const BUILD_SCRIPT = fileURLToPath(new URL('../cli/build-index.ts', import.meta.url));

/**
 * Rebuilds the index in a child process (the build is CPU-bound and would stall the event loop), then
 * opens it and hands it to `swap`. Requests keep being answered from the old index the whole time; a
 * failed build or load leaves it in place and is reported in the status.
 */
export function createReindexer(options: {
  config: Config;
  swap: (loaded: LoadedIndex) => void;
  log: (entry: Record<string, unknown>) => void;
  /** Opens what the build produced; defaults to the index files under INDEX_DIR. */
  open?: () => Promise<LoadedIndex>;
  /** The build command; defaults to this project's `build-index` CLI under tsx. */
  command?: { file: string; args: string[] };
}): Omit<AdminControl, 'reindex' | 'status'> & {
  reindex(): ReindexStatus;
  status(): ReindexStatus;
  done(): Promise<ReindexStatus>;
  /**
   * For shutdown: starts no more builds and stops the running one (SIGTERM, then SIGKILL after
   * `graceMs`), resolving once it has exited. A build left running would outlive the server and go on
   * writing into INDEX_DIR; one stopped half way only leaves a temporary that the next build removes.
   */
  stop(graceMs?: number): Promise<void>;
} {
  let status: ReindexStatus = { state: 'idle' };
  let running: Promise<ReindexStatus> = Promise.resolve(status);
  // A change that arrives during a build is picked up by one more build right after it.
  let again = false;
  let stopped = false;
  let child: ReturnType<typeof spawn> | undefined;
  const command = options.command ?? { file: process.execPath, args: ['--import', 'tsx', BUILD_SCRIPT] };

  function build(): Promise<void> {
    const timeoutMs = options.config.REINDEX_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const proc = spawn(command.file, command.args, {
        // The model in use (after any fallback), so the new index can be swapped in by this process.
        env: {
          ...process.env,
          CORPUS_DIR: options.config.CORPUS_DIR,
          INDEX_DIR: options.config.INDEX_DIR,
          EMBEDDING_MODEL: options.config.EMBEDDING_MODEL,
          EMBEDDING_FALLBACK: 'none',
          // The server watches the corpus itself; a build that inherited WATCH=true would watch forever.
          WATCH: 'false',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child = proc;
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        proc.kill('SIGKILL');
      }, timeoutMs);
      proc.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-8000);
      });
      proc.on('error', (error) => {
        clearTimeout(timer);
        child = undefined;
        reject(error);
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        child = undefined;
        if (code === 0) resolve();
        else reject(new Error(describeFailure({ code, signal, stderr, timedOut, timeoutMs })));
      });
    });
  }

  async function run(): Promise<ReindexStatus> {
    const startedAt = new Date().toISOString();
    status = { state: 'running', startedAt };
    options.log({ level: 'info', msg: 'reindex started' });
    try {
      await build();
      if (stopped) throw new Error('the server is shutting down');
      const loaded = await (options.open ?? (() => openIndex(options.config)))();
      options.swap(loaded);
      status = {
        state: 'idle',
        startedAt,
        finishedAt: new Date().toISOString(),
        indexBuiltAt: loaded.manifest.builtAt,
      };
      options.log({ level: 'info', msg: 'reindex done', passages: loaded.manifest.passageCount });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (stopped) {
        status = {
          state: 'failed',
          startedAt,
          finishedAt: new Date().toISOString(),
          error: 'stopped: the server is shutting down',
        };
        options.log({ level: 'info', msg: 'reindex stopped: the server is shutting down', reason: message });
        return status;
      }
      if (again && isAppError(error) && error.code === 'INDEX_STALE') {
        // The corpus changed while this build ran (an upload, a watched edit) and a build for the change is
        // already queued: this one is superseded, not failed.
        options.log({
          level: 'info',
          msg: 'corpus changed during the rebuild; building again',
          reason: message,
        });
        return status;
      }
      status = { state: 'failed', startedAt, finishedAt: new Date().toISOString(), error: message };
      options.log({
        level: 'error',
        msg: 'reindex failed; still serving the previous index',
        error: message,
      });
    }
    return status;
  }

  async function runUntilCurrent(): Promise<ReindexStatus> {
    let last = await run();
    while (again && !stopped) {
      again = false;
      last = await run();
    }
    return last;
  }

  return {
    reindex() {
      if (stopped) return status;
      if (status.state !== 'running') running = runUntilCurrent();
      else again = true;
      return status;
    },
    status: () => status,
    done: () => running,
    async stop(graceMs = 5_000) {
      stopped = true;
      again = false;
      const proc = child;
      if (!proc) return void (await running);
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(force);
      await running;
    },
  };
}

/**
 * Why a build failed, from how it ended: stopped for taking too long, killed by a signal, or exited with
 * an error. Its stderr also carries progress lines, which say where it was, never why it failed.
 */
function describeFailure(end: {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  timeoutMs: number;
}): string {
  const lines = end.stderr.split('\n').map((l) => l.trim());
  const stage = lines
    .filter((l) => l.startsWith('index: '))
    .at(-1)
    ?.slice('index: '.length);
  const during = stage ? ` (during: ${stage})` : '';
  if (end.timedOut) return `build took longer than ${end.timeoutMs} ms and was stopped${during}`;
  if (end.signal) return `build killed by ${end.signal}${during}`;
  const error = lines
    .filter((l) => l.startsWith('error: '))
    .at(-1)
    ?.slice('error: '.length);
  return error ?? `build exited with code ${end.code}${during}`;
}
