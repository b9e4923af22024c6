import type { ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { openOrBuildIndex } from '../../src/index/load-index.node.ts';
import { startServer, stopServer, testPort } from '../setup/server.ts';

const TOKEN = 'soak-test-admin-token-0123456789';

/**
 * Bounded soak on loopback: concurrent clients keep asking while the index is rebuilt and swapped in the
 * background; not one request may fail. Then a rebuild that fails must leave the old index serving, and a
 * server stopped during a rebuild must stop the build with it.
 */
describe('reindex under load', () => {
  const port = testPort();
  const url = `http://127.0.0.1:${port}`;
  let server: ChildProcess;
  let corpus: string;
  let env: Record<string, string>;
  let catalog: string;

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'soak-'));
    corpus = join(root, 'corpus');
    await cp('corpus', corpus, { recursive: true });
    catalog = await readFile(join(corpus, 'catalog.json'), 'utf8');
    env = {
      CORPUS_DIR: corpus,
      INDEX_DIR: join(root, 'index'),
      MODELS_DIR: 'models',
      EMBEDDING_MODEL: 'builtin-static',
      LOG_LEVEL: 'silent',
    };
    await openOrBuildIndex(loadConfig(env));
    server = await start();
  });

  const start = (workers = 1) =>
    startServer(port, {
      ...env,
      ADMIN_TOKEN: TOKEN,
      RATE_LIMIT_PER_MINUTE: '0',
      AUTO_BUILD: 'false',
      WORKERS: String(workers),
    });

  afterAll(async () => {
    await stopServer(server);
  });

  const admin = (method: 'GET' | 'POST') =>
    fetch(`${url}/admin/reindex`, { method, headers: { authorization: `Bearer ${TOKEN}` } }).then(
      (r) =>
        r.json() as Promise<{ state: string; error?: string; indexBuiltAt?: string; finishedAt?: string }>,
    );

  async function loadUntil(done: () => Promise<boolean>): Promise<{ ok: number; failed: number }> {
    let ok = 0;
    let failed = 0;
    let stop = false;
    const questions = [
      'What is political modernization?',
      'How are akims elected?',
      'Who is Nechaeva?',
      'цифровизация',
    ];
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await fetch(`${url}/v1/ask`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ question: questions[(i + w) % questions.length] }),
          });
          await res.arrayBuffer();
          if (res.status === 200) ok++;
          else failed++;
        } catch {
          failed++;
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    // A rebuild takes ~25 s on an idle machine; on a shared one, with the suite's other files running, several times that.
    const deadline = Date.now() + 150_000;
    while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);
    return { ok, failed };
  }

  it('keeps answering every request while the index is rebuilt and swapped', async () => {
    const before = await (await fetch(`${url}/healthz`)).json();
    expect((await admin('POST')).state).toBe('running');
    const counts = await loadUntil(async () => (await admin('GET')).state !== 'running');
    const status = await admin('GET');
    expect(status.state).toBe('idle');
    expect(counts.failed).toBe(0);
    expect(counts.ok).toBeGreaterThan(50);
    const after = (await (await fetch(`${url}/healthz`)).json()) as { indexBuiltAt: string };
    expect(after.indexBuiltAt).not.toBe((before as { indexBuiltAt: string }).indexBuiltAt);
  }, 180_000);

  it('keeps serving the old index when a rebuild fails, and says why', async () => {
    await writeFile(join(corpus, 'catalog.json'), '{"documents": [{"file": 42}]}');
    await admin('POST');
    const counts = await loadUntil(async () => (await admin('GET')).state !== 'running');
    const status = await admin('GET');
    expect(status.state).toBe('failed');
    expect(status.error).toMatch(/CORPUS_INVALID/);
    expect(counts.failed).toBe(0);
  }, 180_000);

  // Both processes that build: the server alone, and a cluster's primary (its workers ask it to).
  it.each([1, 2])(
    'stops a rebuild in progress when it is stopped (WORKERS=%i), leaving no build behind',
    async (workers) => {
      await writeFile(join(corpus, 'catalog.json'), catalog);
      await stopServer(server);
      server = await start(workers);
      expect((await admin('POST')).state).toBe('running');
      const build = await waitFor(async () => (await buildsOf(server.pid as number))[0], 60_000);
      expect(await stopServer(server)).toBe(0);
      // A build the server left running would outlive it and go on writing into INDEX_DIR.
      expect(alive(build)).toBe(false);
    },
    120_000,
  );
});

/** The index builds (`cli/build-index.ts`) whose parent is `parent`, from Linux's /proc. */
async function buildsOf(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The fields after the command name, which may itself hold spaces and parentheses: state, ppid, ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== parent) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (command.includes('build-index')) pids.push(Number(entry));
  }
  return pids;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
