import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import type { LoadedIndex } from '../../src/index/load-index.node.ts';
import { createReindexer } from '../../src/index/reindex.node.ts';
import { testConfig } from '../setup/test-index.ts';

/** A stand-in build: prints a progress line on stderr like the real one, then does `then`. */
function fakeBuild(then: string) {
  const script = `process.stderr.write('index: training built-in model\\n'); ${then}`;
  return { file: process.execPath, args: ['-e', script] };
}

async function run(then: string, timeoutMs?: number) {
  const reindexer = createReindexer({
    config: { ...testConfig(), ...(timeoutMs ? { REINDEX_TIMEOUT_MS: timeoutMs } : {}) },
    swap: () => {
      throw new Error('a failed build must not be swapped in');
    },
    log: () => {},
    command: fakeBuild(then),
  });
  expect(reindexer.reindex().state).toBe('running');
  return reindexer.done();
}

/** Why a rebuild failed is reported from how the build ended, never from its last progress line. */
describe('createReindexer failures', () => {
  it('reports a build killed by a signal as killed, with the stage it was in', async () => {
    const status = await run("process.kill(process.pid, 'SIGKILL');");
    expect(status.state).toBe('failed');
    expect(status.error).toMatch(/^build killed by SIGKILL/);
    expect(status.error).toContain('training built-in model');
  });

  it('reports the error line of a build that fails', async () => {
    const status = await run(
      "process.stderr.write('error: CORPUS_INVALID: catalog.json: bad entry\\n    at stack line\\n'); process.exit(1);",
    );
    expect(status.error).toBe('CORPUS_INVALID: catalog.json: bad entry');
  });

  it('reports the exit code of a build that fails without saying why', async () => {
    const status = await run('process.exit(3);');
    expect(status.error).toMatch(/^build exited with code 3/);
  });

  it('stops a build that runs past REINDEX_TIMEOUT_MS', async () => {
    const started = Date.now();
    const status = await run('setTimeout(() => {}, 60_000);', 300);
    expect(status.error).toMatch(/^build took longer than 300 ms and was stopped/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('createReindexer in a watching server', () => {
  it('runs the build once, never as a watcher, when the server was started with WATCH=true', async () => {
    vi.stubEnv('WATCH', 'true');
    try {
      const loaded = { manifest: { builtAt: 'now', passageCount: 1 } } as unknown as LoadedIndex;
      const reindexer = createReindexer({
        config: { ...testConfig(), WATCH: true },
        swap: () => {},
        log: () => {},
        open: async () => loaded,
        // The real build CLI keeps watching when WATCH is true and never exits.
        command: fakeBuild("process.exit(process.env.WATCH === 'false' ? 0 : 9);"),
      });
      reindexer.reindex();
      expect(await reindexer.done()).toMatchObject({ state: 'idle', indexBuiltAt: 'now' });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('createReindexer with a change during the build', () => {
  it('builds again, without reporting a failure, when the index it built is already stale', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const swapped: LoadedIndex[] = [];
    let opens = 0;
    const fresh = { manifest: { builtAt: 'second', passageCount: 1 } } as unknown as LoadedIndex;
    const reindexer = createReindexer({
      config: testConfig(),
      swap: (loaded) => swapped.push(loaded),
      log: (entry) => logs.push(entry),
      command: fakeBuild('setTimeout(() => {}, 200);'),
      open: async () => {
        opens += 1;
        if (opens === 1) throw new AppError('INDEX_STALE', 'the corpus changed');
        return fresh;
      },
    });
    reindexer.reindex();
    // A document arrives while the first build runs.
    expect(reindexer.reindex().state).toBe('running');
    const status = await reindexer.done();
    expect(opens).toBe(2);
    expect(swapped).toEqual([fresh]);
    expect(status).toMatchObject({ state: 'idle', indexBuiltAt: 'second' });
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('still reports a stale index as a failure when no change is queued', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const reindexer = createReindexer({
      config: testConfig(),
      swap: () => {},
      log: (entry) => logs.push(entry),
      command: fakeBuild(''),
      open: async () => {
        throw new AppError('INDEX_STALE', 'the corpus changed');
      },
    });
    reindexer.reindex();
    const status = await reindexer.done();
    expect(status).toMatchObject({ state: 'failed', error: 'INDEX_STALE: the corpus changed' });
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(1);
  });
});

describe('createReindexer at shutdown', () => {
  const stopping = (then: string, logs: Array<Record<string, unknown>> = []) =>
    createReindexer({
      config: testConfig(),
      swap: () => {
        throw new Error('a stopped build must not be swapped in');
      },
      log: (entry) => logs.push(entry),
      open: async () => {
        throw new Error('a stopped build must not be opened');
      },
      command: fakeBuild(then),
    });

  it('stops the running build, starts no other, and reports no error', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const reindexer = stopping('setTimeout(() => {}, 60_000);', logs);
    reindexer.reindex();
    // One more queued behind it: stopping drops it too.
    reindexer.reindex();
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await reindexer.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(reindexer.status()).toMatchObject({
      state: 'failed',
      error: 'stopped: the server is shutting down',
    });
    expect(reindexer.reindex().state).toBe('failed');
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    expect(logs.filter((l) => l.msg === 'reindex started')).toHaveLength(1);
  });

  it('kills a build that ignores SIGTERM once the grace period is over', async () => {
    const reindexer = stopping("process.on('SIGTERM', () => {}); setTimeout(() => {}, 60_000);");
    reindexer.reindex();
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    await reindexer.stop(300);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(reindexer.status()).toMatchObject({
      state: 'failed',
      error: 'stopped: the server is shutting down',
    });
  });

  it('resolves at once when nothing is building', async () => {
    const reindexer = stopping('');
    await reindexer.stop();
    expect(reindexer.status().state).toBe('idle');
  });
});
