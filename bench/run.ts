/**
 * `npm run bench`: build time, cold start, in-process latency by stage, HTTP throughput and latency under
 * load (autocannon, loopback), and memory before/after 100k requests, on the shipped corpus.
 * Prints a table and writes bench/results/latest.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { loadConfig } from '../src/core/config.ts';
import { parseQuestions } from '../src/eval/evaluate.ts';
import { buildIndex } from '../src/index/build-index.node.ts';
import { removeDir } from '../src/core/files.node.ts';
import { openIndex } from '../src/index/load-index.node.ts';
import { resolveEmbeddingModel } from '../src/embed/resolve-model.node.ts';
import { createQaService, type StageName } from '../src/retrieve/engine.ts';

const ENV = {
  CORPUS_DIR: 'corpus',
  INDEX_DIR: '.tmp/bench-index',
  MODELS_DIR: 'models',
  LOG_LEVEL: 'silent',
  // One load generator on loopback is one client; the limiter would measure itself.
  RATE_LIMIT_PER_MINUTE: '0',
  // Answers are recorded as in production (a SQLite file), but never into the developer's data/ folder.
  ANALYTICS_DB: `.tmp/bench-analytics-${process.pid}.sqlite`,
};
const PORT = 18_787;
const quick = process.argv.includes('--quick');
// `--model builtin-static` measures the built-in model; the default is the configured default model.
const modelArg = process.argv.indexOf('--model');
if (modelArg > 0) (ENV as Record<string, string>).EMBEDDING_MODEL = process.argv[modelArg + 1] as string;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const ms = (x: number) => Number(x.toFixed(3));

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function waitForAnswer(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'What is political modernization?' }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('server did not answer in time');
}

function startServer(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    env: { ...process.env, ...ENV, PORT: String(PORT), AUTO_BUILD: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function main(): Promise<void> {
  const { config } = await resolveEmbeddingModel(loadConfig({ ...process.env, ...ENV }), {
    log: (line) => process.stderr.write(`${line}\n`),
  });
  (ENV as Record<string, string>).EMBEDDING_MODEL = config.EMBEDDING_MODEL;
  const questions = parseQuestions(await readFile('eval/dev.jsonl', 'utf8')).map((q) => q.turns.at(-1) as string);

  // 1. Full index build from scratch.
  await removeDir(ENV.INDEX_DIR);
  const buildStarted = performance.now();
  const { manifest } = await buildIndex(config);
  const buildSeconds = (performance.now() - buildStarted) / 1000;

  // 2. In-process latency, per stage.
  const { index } = await openIndex(config);
  const stages: Record<StageName | 'total', number[]> = {
    embed: [],
    dense: [],
    sentences: [],
    lexical: [],
    fusion: [],
    quotes: [],
    total: [],
  };
  const service = createQaService(index, {
    onTimings: (t) => {
      for (const [k, v] of Object.entries(t)) stages[k as StageName].push(v);
    },
  });
  for (let i = 0; i < 200; i++) await service.ask({ question: questions[i % questions.length] as string });
  for (const list of Object.values(stages)) list.length = 0;
  const rounds = quick ? 1000 : 5000;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await service.ask({ question: questions[i % questions.length] as string });
    stages.total.push(performance.now() - t0);
  }
  const summary = () =>
    Object.fromEntries(
      Object.entries(stages).map(([k, v]) => {
        const sorted = [...v].sort((a, b) => a - b);
        return [k, { p50: ms(percentile(sorted, 0.5)), p99: ms(percentile(sorted, 0.99)) }];
      }),
    );
  const inProcess = summary();
  // Every question new to the query-vector cache: what a question nobody asked before costs.
  for (const list of Object.values(stages)) list.length = 0;
  const uncachedService = createQaService(index, {
    cacheSize: 0,
    onTimings: (t) => {
      for (const [k, v] of Object.entries(t)) stages[k as StageName].push(v);
    },
  });
  for (let i = 0; i < (quick ? 100 : 500); i++) {
    const t0 = performance.now();
    await uncachedService.ask({ question: `${questions[i % questions.length]} (${i})` });
    stages.total.push(performance.now() - t0);
  }
  const inProcessUncached = summary();

  // 3. Cold start: process start to first successful answer, index already built.
  const coldStarted = performance.now();
  const server = startServer();
  const url = `http://127.0.0.1:${PORT}`;
  await waitForAnswer(url, Date.now() + 30_000);
  const coldStartSeconds = (performance.now() - coldStarted) / 1000;
  const rssAfterStart = await rssOf(server.pid as number);

  // 4. HTTP load over a rotating set of real questions.
  const requests = questions.map((question) => ({
    method: 'POST' as const,
    path: '/v1/ask',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
  }));
  const http: Array<Record<string, number>> = [];
  let served = 0;
  for (const connections of [1, 16, 64]) {
    const r = await autocannon({ url, connections, duration: quick ? 3 : 10, requests });
    served += r.requests.total;
    http.push({
      connections,
      requestsPerSecond: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      errors: r.errors + r.timeouts + r.non2xx,
    });
  }
  // 5. Memory after at least 100k requests.
  const target = quick ? 20_000 : 100_000;
  if (served < target) {
    const r = await autocannon({ url, connections: 16, amount: target - served, requests });
    served += r.requests.total;
  }
  const rssAfterLoad = await rssOf(server.pid as number);
  // A second round of the same size: growth here, after caches and the heap have settled, would be a leak.
  await autocannon({ url, connections: 16, amount: target, requests });
  served += target;
  const rssAfterSecondRound = await rssOf(server.pid as number);
  server.kill('SIGTERM');

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    corpus: { documents: manifest.documentCount, passages: manifest.passageCount, dims: manifest.model.dims },
    buildSeconds: Number(buildSeconds.toFixed(2)),
    coldStartSeconds: Number(coldStartSeconds.toFixed(3)),
    model: manifest.model.id,
    inProcessMs: inProcess,
    inProcessUncachedMs: inProcessUncached,
    http,
    memory: {
      rssAfterStartMiB: rssAfterStart,
      rssAfterFirstRoundMiB: rssAfterLoad,
      rssAfterSecondRoundMiB: rssAfterSecondRound,
      requestsServed: served,
    },
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);

  const lines = [
    `machine: ${results.machine.cpus} × ${results.machine.cpu}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}`,
    `corpus: ${manifest.passageCount} passages, model ${manifest.model.id} (${manifest.model.dims} dims)`,
    `index build: ${results.buildSeconds} s   cold start to first answer: ${results.coldStartSeconds} s`,
    '',
    '| in-process stage | p50 ms | p99 ms | uncached p50 ms | uncached p99 ms |',
    '|---|---|---|---|---|',
    ...Object.entries(inProcess).map(
      ([k, v]) => `| ${k} | ${v.p50} | ${v.p99} | ${inProcessUncached[k]?.p50} | ${inProcessUncached[k]?.p99} |`,
    ),
    '',
    '| connections | req/s | p50 ms | p99 ms | max ms | errors |',
    '|---|---|---|---|---|---|',
    ...http.map((h) => `| ${h.connections} | ${h.requestsPerSecond} | ${h.p50} | ${h.p99} | ${h.max} | ${h.errors} |`),
    '',
    `RSS after start ${rssAfterStart} MiB, after ${target} requests ${rssAfterLoad} MiB, after ${served} requests ${rssAfterSecondRound} MiB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
