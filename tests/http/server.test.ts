import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

/** Smoke test of the real entry point: `src/node.ts` serving the shared test index over TCP. */
describe('node server', () => {
  const port = 18_000 + (process.pid % 1000);
  let server: ChildProcess;
  let exitCode: number | null = null;

  beforeAll(async () => {
    server = await startServer(port, TEST_INDEX_ENV);
    server.on('exit', (code) => {
      exitCode = code;
    });
  });

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('answers a question with cited passages over HTTP', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'What is political modernization?' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      passages: Array<{ citation: { source: string; start: number; end: number } }>;
    };
    expect(body.passages).toHaveLength(5);
    expect(body.passages[0]?.citation.source).toMatch(/\.txt$/);
  });

  it('exits cleanly on SIGTERM', async () => {
    server.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(exitCode).toBe(0);
  });
});
