import type { ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopServer, testPort } from '../setup/server.ts';

/**
 * A machine where the default model cannot be had (here: no usable Python, empty caches) still serves, on
 * the built-in model, and says so in the log, in /healthz and in every answer.
 */
describe('serving when the default model cannot be installed', () => {
  const port = testPort();
  const output: string[] = [];
  let dir: string;
  let server: ChildProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fallback-'));
    await cp('models/glove-sif', join(dir, 'models', 'glove-sif'), { recursive: true });
    server = await startServer(
      port,
      {
        CORPUS_DIR: 'corpus',
        INDEX_DIR: join(dir, 'index'),
        MODELS_DIR: join(dir, 'models'),
        MODEL_CACHE_DIR: join(dir, 'cache'),
        PYTHON: join(dir, 'no-python3'),
        EMBEDDING_MODEL: '',
        LOG_LEVEL: 'info',
      },
      { output },
    );
  }, 180_000);

  afterAll(async () => {
    await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the fallback and its reason in /healthz', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      model: { id: string; requested?: string; fallbackReason?: string };
    };
    expect(health.model.id).toBe('builtin-static');
    expect(health.model.requested).toBe('multilingual-e5-small-q4');
    expect(health.model.fallbackReason).toMatch(/Python venv/);
  });

  it('says in every answer which model searched and why it is not the configured one', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'How are akims elected?' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      query: { model: string; modelFallback?: string };
      passages: unknown[];
    };
    expect(body.query.model).toBe('builtin-static');
    expect(body.query.modelFallback).toMatch(/Python venv/);
    expect(body.passages.length).toBeGreaterThan(0);
  });

  it('logs the fallback at error level', () => {
    const line = output.find((l) => l.includes('IS NOT AVAILABLE'));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string).level).toBe(50);
  });
});
