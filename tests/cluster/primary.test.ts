import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, startServer, testPort } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

const PORT = testPort();
const URL = `http://127.0.0.1:${PORT}`;
const TOKEN = 'cluster-admin-token-0123456789';
const PER_MINUTE = 12;
const THP_NEVER = (() => {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[never]');
  } catch {
    return true;
  }
})();

/** Log lines of the cluster (every process writes JSON lines to the same stdout). */
const output: string[] = [];
const lines = () =>
  output.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
/** Each worker's "listening" line, and the workers' pids from them. */
const listening = () => lines().filter((l) => String(l.msg).startsWith('listening'));
const listeningPids = () => listening().map((l) => Number(l.pid));
/** Processes that logged a request to `path` since line `from`. */
const servedBy = (path: string, from: number) =>
  new Set(
    lines()
      .slice(from)
      .filter((l) => l.path === path)
      .map((l) => l.pid),
  );

// A client is told apart by X-Forwarded-For (the proxy is trusted), so each test has its own budget.
const as = (client: string, init: RequestInit = {}) => ({
  ...init,
  headers: {
    'x-forwarded-for': client,
    'content-type': 'application/json',
    // A new connection per request, so the kernel's round robin spreads requests over the workers.
    connection: 'close',
    ...(init.headers ?? {}),
  },
});
const ask = (client: string, question: string) =>
  fetch(`${URL}/v1/ask`, as(client, { method: 'POST', body: JSON.stringify({ question }) }));

describe('serving from every core (WORKERS=2)', () => {
  let dir: string;
  let server: ChildProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kzqa-cluster-'));
    await cp(TEST_INDEX_ENV.CORPUS_DIR, join(dir, 'corpus'), { recursive: true });
    await cp(TEST_INDEX_ENV.INDEX_DIR, join(dir, 'index'), { recursive: true });
    server = await startServer(
      PORT,
      {
        ...TEST_INDEX_ENV,
        CORPUS_DIR: join(dir, 'corpus'),
        INDEX_DIR: join(dir, 'index'),
        WORKERS: '2',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
        TRUST_PROXY: 'loopback',
        ADMIN_TOKEN: TOKEN,
        ANALYTICS_DB: join(dir, 'analytics.sqlite'),
      },
      { output, startTimeoutMs: 120_000 },
    );
    // /healthz answers once one worker listens; wait for both.
    for (let i = 0; i < 600 && listening().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  }, 180_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await exited(server);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('forks two workers that listen on the same port', () => {
    const workers = listening();
    expect(workers).toHaveLength(2);
    expect(new Set(workers.map((l) => l.pid)).size).toBe(2);
    expect(workers.every((l) => l.port === PORT)).toBe(true);
  });

  it("starts each worker with glibc's huge-page tunable", async () => {
    const pids = listeningPids();
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
      expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    }
  });

  // Whether the kernel grants them is its setting (`never` turns them off), not ours.
  it.skipIf(THP_NEVER)("has the workers' large allocations on transparent huge pages", async () => {
    const pids = listeningPids();
    for (const pid of pids) {
      const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
      expect(Number(/AnonHugePages:\s+(\d+) kB/.exec(rollup)?.[1] ?? 0)).toBeGreaterThan(0);
    }
  });

  it('spreads requests over both workers and keeps one rate-limit budget per client across them', async () => {
    const from = lines().length;
    const statuses = [];
    for (let i = 0; i < PER_MINUTE + 4; i++) {
      const res = await ask('203.0.113.7', 'What is political modernization?');
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(PER_MINUTE);
    expect(statuses.slice(PER_MINUTE)).toEqual([429, 429, 429, 429]);
    await new Promise((r) => setTimeout(r, 300));
    expect(servedBy('/v1/ask', from).size).toBe(2);
  });

  it('rebuilds once after an upload to any worker and swaps the new index into every worker', async () => {
    const client = '203.0.113.8';
    const form = new FormData();
    form.append(
      'file',
      new Blob([
        '# Steppe Irrigation Councils\n\nThe steppe irrigation councils of Zhetysu allocate canal water by lot every spring.\n',
      ]),
      'steppe-irrigation.md',
    );
    const upload = await fetch(`${URL}/admin/documents`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': client },
    });
    expect(upload.status).toBe(202);
    let status: { state?: string; indexBuiltAt?: string } = {};
    for (let i = 0; i < 240; i++) {
      await new Promise((r) => setTimeout(r, 500));
      // Each poll as its own client: polling must not spend the upload's budget.
      const res = await fetch(
        `${URL}/admin/reindex`,
        as(`198.51.100.${i}`, { headers: { authorization: `Bearer ${TOKEN}` } }),
      );
      status = (await res.json()) as typeof status;
      if (status.state !== 'running') break;
    }
    expect(status.state).toBe('idle');
    // Each worker reopens the index when the primary says it is built; then every request sees it.
    const sees = async (i: number) => {
      const res = await fetch(`${URL}/v1/documents`, as(`203.0.113.${20 + (i % 200)}`));
      const body = (await res.json()) as { documents: Array<{ source: string }> };
      return body.documents.some((d) => d.source === 'steppe-irrigation.md');
    };
    for (let i = 0; i < 60 && !(await sees(i)); i++) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 3_000));
    const from = lines().length;
    const seen = [];
    for (let i = 0; i < 8; i++) seen.push(await sees(100 + i));
    expect(seen).toEqual(Array(8).fill(true));
    await new Promise((r) => setTimeout(r, 300));
    expect(servedBy('/v1/documents', from).size).toBe(2);
    // One build for the cluster, not one per worker.
    expect(lines().filter((l) => l.msg === 'reindex started')).toHaveLength(1);
  }, 180_000);

  it('stops every worker and exits 0 on SIGTERM', async () => {
    server.kill('SIGTERM');
    expect(await exited(server)).toBe(0);
    const pids = listeningPids();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
