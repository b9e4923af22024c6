import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopServer, testPort } from '../setup/server.ts';
import { machineEnv } from '../setup/test-index.ts';

interface Passage {
  text: string;
  citation: { source: string };
}
interface DocumentList {
  documents: Array<{ id: string; title: string; source: string }>;
}

/** Each rebuild (a child process, built-in model, two small files) takes seconds; a loaded machine, more. */
const CHANGE_TIMEOUT_MS = 240_000;

/**
 * The real server with WATCH=true on a corpus folder of its own: files added, changed and deleted there
 * show up in the answers and the document list without a restart, while a loop of requests runs the
 * whole time and never sees a 5xx or a failed connection.
 */
describe('node server with WATCH=true', () => {
  const port = testPort();
  const base = `http://127.0.0.1:${port}`;
  let corpus: string;
  let server: ChildProcess;
  const failures: string[] = [];
  let answered = 0;
  let stop = false;
  let traffic: Promise<void> = Promise.resolve();

  const ask = async (question: string): Promise<Passage[]> => {
    const res = await fetch(`${base}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { passages: Passage[] }).passages;
  };
  const documents = async () => {
    const res = await fetch(`${base}/v1/documents`);
    expect(res.status).toBe(200);
    return ((await res.json()) as DocumentList).documents;
  };
  /**
   * Polls `check` until it holds (the server must pick the change up by itself), and checks that the
   * request loop was being answered while the rebuild ran.
   */
  const eventually = async (check: () => Promise<boolean>) => {
    const before = answered;
    const deadline = Date.now() + CHANGE_TIMEOUT_MS;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('the change did not show within the time limit');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(answered).toBeGreaterThan(before);
  };

  /** Two clients asking and listing back to back (with a short pause, so the build keeps a core). */
  async function client(question: string): Promise<void> {
    while (!stop) {
      for (const [method, path, body] of [
        ['POST', '/v1/ask', JSON.stringify({ question })],
        ['GET', '/v1/documents', undefined],
      ] as const) {
        try {
          const res = await fetch(`${base}${path}`, {
            method,
            ...(body ? { headers: { 'content-type': 'application/json' }, body } : {}),
          });
          await res.arrayBuffer();
          if (res.status === 200) answered++;
          else failures.push(`${method} ${path}: ${res.status}`);
        } catch (error) {
          failures.push(`${method} ${path}: ${(error as Error).cause ?? error}`);
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'qa-watch-server-'));
    corpus = join(root, 'corpus');
    await mkdir(corpus);
    await copyFile('corpus/001_e1c1b68bfc39f0f8.txt', join(corpus, '001_e1c1b68bfc39f0f8.txt'));
    await writeFile(
      join(corpus, 'note.md'),
      '# Rural akims\n\nThe elections of rural akims started in 2021. They were held in many districts at once.\n',
    );
    server = await startServer(
      port,
      {
        ...machineEnv(),
        CORPUS_DIR: corpus,
        INDEX_DIR: join(root, 'index'),
        MODELS_DIR: 'models',
        EMBEDDING_MODEL: 'builtin-static',
        AUTO_BUILD: 'true',
        WATCH: 'true',
        WATCH_DEBOUNCE_MS: '300',
        RATE_LIMIT_PER_MINUTE: '0',
        OPS_RATE_LIMIT_PER_MINUTE: '0',
      },
      { startTimeoutMs: CHANGE_TIMEOUT_MS },
    );
    stop = false;
    traffic = Promise.all([
      client('When did the elections of rural akims start?'),
      client('What is political modernization?'),
    ]).then(() => {});
  }, CHANGE_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    stop = true;
    await traffic;
    await stopServer(server);
  });

  it(
    'indexes an added file',
    async () => {
      expect((await documents()).map((d) => d.id)).toEqual(['001_e1c1b68bfc39f0f8', 'note']);
      await writeFile(
        join(corpus, 'water.md'),
        '# Water councils of Zhetysu\n\nThe Zhetysu basin water council met for the first time in March 2024 and agreed quotas for irrigation from the Ili river.\n',
      );
      await eventually(async () => (await documents()).some((d) => d.id === 'water'));
      const [top] = await ask('When did the Zhetysu basin water council meet for the first time?');
      expect(top?.citation.source).toBe('water.md');
      expect(top?.text).toContain('March 2024');
    },
    CHANGE_TIMEOUT_MS,
  );

  it(
    'reindexes a changed file',
    async () => {
      await writeFile(
        join(corpus, 'water.md'),
        '# Water councils of the Ili basin\n\nThe Ili basin water council met for the first time in October 2024 and agreed quotas for irrigation from the Ili river.\n',
      );
      await eventually(async () =>
        (await documents()).some((d) => d.id === 'water' && d.title === 'Water councils of the Ili basin'),
      );
      const [top] = await ask('When did the Ili basin water council meet for the first time?');
      expect(top?.citation.source).toBe('water.md');
      expect(top?.text).toContain('October 2024');
      expect(top?.text).not.toContain('March 2024');
    },
    CHANGE_TIMEOUT_MS,
  );

  it(
    'drops a deleted file',
    async () => {
      await rm(join(corpus, 'note.md'));
      await eventually(async () => !(await documents()).some((d) => d.id === 'note'));
      const passages = await ask('When did the elections of rural akims start?');
      expect(passages.length).toBeGreaterThan(0);
      expect(passages.map((p) => p.citation.source)).not.toContain('note.md');
    },
    CHANGE_TIMEOUT_MS,
  );

  it('answered every request during the swaps, in the same server process', () => {
    expect(server.exitCode).toBeNull();
    expect(failures).toEqual([]);
    // Enough traffic that the three rebuilds and swaps happened under it.
    expect(answered).toBeGreaterThan(30);
  });
});
