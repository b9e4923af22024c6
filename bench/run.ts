/**
 * `npm run bench`: build time, cold start (compiled build and tsx), in-process latency by stage, HTTP
 * throughput and latency under load (autocannon, loopback) for the service and for peers over the same
 * passages (Hono + MiniSearch, Hono + Orama, and with a pretrained model a same-model RAG retriever), CPU
 * per request for `/healthz` and a rejected POST, and memory before/after 100k requests.
 * Prints tables and writes bench/results/latest.json.
 *
 *   npm run bench                            the default (pretrained) model; the RAG peer is included
 *   npm run bench -- --model builtin-static  the built-in model
 *   npm run bench -- --quick                 shorter rounds
 *   npm run bench -- --only cpu              only the CPU per request (probes and asks) and the answers'
 *                                            size, service and MiniSearch peer; reuses a built bench index
 *   npm run bench -- --only probes           the same for the two probes only (no asks)
 *
 * Each server is a process of its own; the service runs as `npm start` runs it (`node dist/node.js`, built
 * first if stale) with WORKERS=1 unless WORKERS is set.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { type Config, loadConfig } from '../src/core/config.ts';
import { removeDir } from '../src/core/files.node.ts';
import { resolveEmbeddingModel } from '../src/embed/resolve-model.node.ts';
import { parseQuestions } from '../src/eval/evaluate.ts';
import { buildIndex } from '../src/index/build-index.node.ts';
import { openIndex } from '../src/index/load-index.node.ts';
import { createQaService, type StageName, stageLists } from '../src/retrieve/engine.ts';
import { type ColdStart, coldStartEnv, measureColdStart } from './cold-start.ts';
import { cpuSeconds, runBenchmark, rssTree, startProcess, stopProcess } from './processes.ts';

const ENV: Record<string, string> = {
  CORPUS_DIR: 'corpus',
  INDEX_DIR: '.tmp/bench-index',
  MODELS_DIR: 'models',
  LOG_LEVEL: 'silent',
  // One load generator on loopback is one client; the limiters would measure themselves.
  RATE_LIMIT_PER_MINUTE: '0',
  OPS_RATE_LIMIT_PER_MINUTE: '0',
  MAX_CONNECTIONS_PER_CLIENT: '1000',
  // Answers are recorded as in production (a SQLite file), but never into the developer's data/ folder.
  ANALYTICS_DB: `.tmp/bench-analytics-${process.pid}.sqlite`,
};
// The run's analytics database goes however the run ends (SQLite keeps -wal and -shm files beside it).
process.once('exit', () => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${ENV.ANALYTICS_DB}${suffix}`, { force: true });
});
const PORT = 18_787;
/** What an ask sends for the whole answer (as every answer was before `include`): every optional part. */
const FULL_ANSWER = { include: ['text', 'why'] };
/** What the widget sends: no optional part (quote and citation only). */
const BARE_ANSWER = { include: [] };
const CONNECTIONS = [1, 16, 64];
const quick = process.argv.includes('--quick');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;
if (only !== undefined && only !== 'cpu' && only !== 'probes') {
  throw new Error(`--only ${only}: use \`--only cpu\` or \`--only probes\``);
}
// `--model builtin-static` measures the built-in model; the default is the configured default model.
const modelArg = process.argv.indexOf('--model');
if (modelArg > 0) ENV.EMBEDDING_MODEL = process.argv[modelArg + 1] as string;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const ms = (x: number) => Number(x.toFixed(3));
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
const ratio = (a: number, b: number) => (b > 0 ? Number((a / b).toFixed(2)) : 0);
const seconds = (runs: ColdStart[], key: keyof ColdStart) => runs.map((r) => Number((r[key] / 1000).toFixed(3)));

async function waitForAnswer(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'What is political modernization?' }),
      });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} did not answer in time`);
}

/** One request autocannon sends (its module is untyped here). */
interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface ServerSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
}

/** The service as `npm start` runs it, and with tsx as `npm run dev` does (for the cold-start comparison). */
const serviceSpec = (port: number, runner: 'dist' | 'tsx' = 'dist'): ServerSpec => ({
  name: 'service',
  args: runner === 'dist' ? ['dist/node.js'] : ['--import', 'tsx', 'src/node.ts'],
  env: { ...ENV, PORT: String(port), AUTO_BUILD: 'false', WORKERS: process.env.WORKERS ?? '1' },
});
const peerSpec = (name: string, port: number): ServerSpec => ({
  name,
  args: ['--import', 'tsx', `bench/peers/${name}.ts`],
  env: { ...ENV, PORT: String(port) },
});

async function startServer(spec: ServerSpec) {
  const port = Number(spec.env.PORT);
  const child = startProcess(process.execPath, spec.args, {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const started = performance.now();
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitForAnswer(url, Date.now() + 120_000),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${spec.name} exited with ${code}`)))),
  ]);
  return { name: spec.name, url, child, pid: child.pid as number, startSeconds: (performance.now() - started) / 1000 };
}
type Running = Awaited<ReturnType<typeof startServer>>;

/**
 * Process start to first successful answer, index already built, `rounds` times; each split into the
 * embedding model's load (as the server logs it) and the rest (bench/cold-start.ts).
 */
async function coldStart(runner: 'dist' | 'tsx', rounds: number): Promise<ColdStart[]> {
  const runs: ColdStart[] = [];
  const { args, env } = serviceSpec(PORT + 10, runner);
  for (let i = 0; i < rounds; i++) {
    runs.push(
      await measureColdStart(args, {
        ...env,
        ...coldStartEnv(env.EMBEDDING_MODEL as string, env.INDEX_DIR as string, PORT + 10),
        // The run's settings (rate limits off, its analytics file) stay those of the other measurements.
        RATE_LIMIT_PER_MINUTE: '0',
      }),
    );
  }
  return runs;
}

/** CPU the server spends per request on `requests` (rotating), from /proc before and after `amount` requests. */
async function cpuPerRequest(server: Running, requests: LoadRequest[], amount: number) {
  await autocannon({ url: server.url, connections: 16, amount: 500, requests });
  const before = await cpuSeconds(server.pid);
  const r = await autocannon({ url: server.url, connections: 16, amount, requests });
  const after = await cpuSeconds(server.pid);
  return {
    microseconds: Math.round(((after - before) / amount) * 1e6),
    requestsPerSecond: Math.round(r.requests.average),
    statuses: [...new Set(Object.keys(r.statusCodeStats ?? {}))].join(','),
  };
}

/** Requests for CPU per request that is not search: a health probe, and a POST rejected as invalid JSON. */
const PROBES: Record<string, LoadRequest[]> = {
  healthz: [{ method: 'GET', path: '/healthz' }],
  rejectedPost: [
    {
      method: 'POST',
      path: '/v1/ask',
      headers: { 'content-type': 'application/json' },
      body: '{"question": ',
    },
  ],
};

const askRequest = (body: Record<string, unknown>): LoadRequest => ({
  method: 'POST',
  path: '/v1/ask',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * CPU per request of each probe, on the service and the MiniSearch peer, and the ratio service ÷ peer.
 * With several rounds the two servers alternate (so that noise from the shared machine hits both); each
 * figure is the median of its rounds, and the ratio the median of the rounds' ratios.
 */
async function measureCpu(
  servers: Running[],
  probes: Record<string, LoadRequest[]>,
  amount: number,
  rounds = 1,
) {
  const measured = servers.filter((s) => s.name === 'service' || s.name === 'minisearch');
  const runs: Record<string, Array<Awaited<ReturnType<typeof cpuPerRequest>>>> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [probe, requests] of Object.entries(probes)) {
      for (const server of measured) {
        // A search costs ~50× a probe: an eighth of the requests measure it as well.
        const n = probe.startsWith('ask') ? amount / 8 : amount;
        const key = `${server.name} ${probe}`;
        runs[key] ??= [];
        runs[key].push(await cpuPerRequest(server, requests, n));
      }
    }
  }
  const cpu: Array<Record<string, number | string>> = [];
  for (const server of measured) {
    for (const probe of Object.keys(probes)) {
      const list = runs[`${server.name} ${probe}`] ?? [];
      cpu.push({
        server: server.name,
        probe,
        microseconds: median(list.map((r) => r.microseconds)),
        rounds: list.map((r) => r.microseconds).join(' '),
        requestsPerSecond: median(list.map((r) => r.requestsPerSecond)),
        statuses: [...new Set(list.map((r) => r.statuses))].join(','),
      });
    }
  }
  const cpuRatios = Object.fromEntries(
    Object.keys(probes).map((probe) => {
      const ours = runs[`service ${probe}`] ?? [];
      const theirs = runs[`minisearch ${probe}`] ?? [];
      return [probe, median(ours.map((r, i) => ratio(r.microseconds, theirs[i]?.microseconds ?? 0)))];
    }),
  );
  return { cpu, cpuRatios };
}

const cpuTable = (cpu: Array<Record<string, number | string>>, cpuRatios: Record<string, number>) => [
  '| CPU per request | server | µs (median) | µs by round | req/s | statuses |',
  '|---|---|---|---|---|---|',
  ...cpu.map(
    (x) =>
      `| ${x.probe} | ${x.server} | ${x.microseconds} | ${x.rounds} | ${x.requestsPerSecond} | ${x.statuses} |`,
  ),
  `service ÷ minisearch CPU per request: ${Object.entries(cpuRatios)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
];

/** Mean and largest size in bytes of the answers to `bodies`, and the bytes by top-level passage field. */
async function answerSizes(url: string, bodies: Record<string, unknown>[]) {
  let total = 0;
  let largest = 0;
  const byField: Record<string, number> = {};
  for (const body of bodies) {
    const res = await fetch(`${url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url}/v1/ask answered ${res.status}: ${text.slice(0, 200)}`);
    const bytes = Buffer.byteLength(text);
    total += bytes;
    largest = Math.max(largest, bytes);
    const answer = JSON.parse(text) as { passages?: Array<Record<string, unknown>> };
    for (const passage of answer.passages ?? []) {
      for (const [field, value] of Object.entries(passage)) {
        // The bytes the field adds to the passage object: `"field":value,`.
        byField[field] = (byField[field] ?? 0) + Buffer.byteLength(JSON.stringify({ [field]: value })) - 1;
      }
    }
  }
  const n = bodies.length;
  return {
    meanBytes: Math.round(total / n),
    largestBytes: largest,
    meanBytesByPassageField: Object.fromEntries(
      Object.entries(byField).map(([k, v]) => [k, Math.round(v / n)]),
    ),
  };
}

/**
 * `--only cpu`: the service and the MiniSearch peer only, CPU per request for the probes and for asks
 * (the dev questions rotating: as the service answers by default, with every optional part included, and
 * with none), and the size of those answers. The index is built only when the bench index is missing.
 */
async function measureCpuOnly(config: Config, questions: string[]): Promise<void> {
  const manifest = await readFile(`${ENV.INDEX_DIR}/manifest.json`, 'utf8').catch(() => undefined);
  if (manifest === undefined || JSON.parse(manifest).model?.id !== config.EMBEDDING_MODEL) {
    await removeDir(ENV.INDEX_DIR as string);
    await buildIndex(config);
  }
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--if-stale']);
  const servers = [await startServer(serviceSpec(PORT)), await startServer(peerSpec('minisearch', PORT + 1))];
  const own = servers[0] as Running;
  const asks: Record<string, Record<string, unknown>[]> =
    only === 'probes'
      ? {}
      : {
          ask: questions.map((question) => ({ question })),
          askFull: questions.map((question) => ({ question, ...FULL_ANSWER })),
          askBare: questions.map((question) => ({ question, ...BARE_ANSWER })),
        };
  const sizes: Record<string, Awaited<ReturnType<typeof answerSizes>>> = {};
  for (const [k, bodies] of Object.entries(asks)) sizes[k] = await answerSizes(own.url, bodies);
  const probes = {
    ...PROBES,
    ...Object.fromEntries(Object.entries(asks).map(([k, bodies]) => [k, bodies.map(askRequest)])),
  };
  const warmUp = probes.ask ?? probes.healthz;
  for (const server of servers)
    await autocannon({ url: server.url, connections: 16, amount: 1000, requests: warmUp });
  const { cpu, cpuRatios } = await measureCpu(servers, probes, quick ? 5_000 : 20_000, quick ? 1 : 3);
  for (const server of servers) await stopProcess(server.child);
  const results = {
    date: new Date().toISOString(),
    only: 'cpu',
    workers: process.env.WORKERS ?? '1',
    model: config.EMBEDDING_MODEL,
    loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
    answerSizes: sizes,
    cpuMicrosecondsPerRequest: cpu,
    cpuRatios,
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/cpu.json', `${JSON.stringify(results, null, 2)}\n`);
  const lines = [
    `service WORKERS=${results.workers}, model ${results.model}, load average at the end ${results.loadAverageAtEnd.join(' ')}`,
    '',
    ...(Object.keys(sizes).length === 0
      ? []
      : ['| answer | mean bytes | largest bytes | mean bytes by passage field (all passages of an answer) |']),
    ...(Object.keys(sizes).length === 0 ? [] : ['|---|---|---|---|']),
    ...Object.entries(sizes).map(
      ([k, v]) =>
        `| ${k} | ${v.meanBytes} | ${v.largestBytes} | ${Object.entries(v.meanBytesByPassageField)
          .map(([f, b]) => `${f} ${b}`)
          .join(', ')} |`,
    ),
    '',
    ...cpuTable(cpu, cpuRatios),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { config } = await resolveEmbeddingModel(loadConfig({ ...process.env, ...ENV }), {
    log: (line) => process.stderr.write(`${line}\n`),
  });
  (ENV as Record<string, string>).EMBEDDING_MODEL = config.EMBEDDING_MODEL;
  const questions = parseQuestions(await readFile('eval/dev.jsonl', 'utf8')).map((q) => q.turns.at(-1) as string);
  if (only !== undefined) return measureCpuOnly(config, questions);

  // 1. Full index build from scratch.
  await removeDir(ENV.INDEX_DIR as string);
  const buildStarted = performance.now();
  const { manifest } = await buildIndex(config);
  const buildSeconds = (performance.now() - buildStarted) / 1000;

  // 2. In-process latency, per stage.
  const { index } = await openIndex(config);
  const stages: Record<StageName | 'total', number[]> = { ...stageLists(), total: [] };
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

  // 3. Cold start: process start to first successful answer, index already built; the compiled build that
  // `npm start` runs against the sources under tsx, alternated so that machine noise hits both.
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--if-stale']);
  const cold: Record<'dist' | 'tsx', ColdStart[]> = { dist: [], tsx: [] };
  for (let i = 0; i < (quick ? 2 : 3); i++) {
    cold.dist.push(...(await coldStart('dist', 1)));
    cold.tsx.push(...(await coldStart('tsx', 1)));
  }

  // 4. The service and its peers, each in its own process, all up at once.
  const peers = ['minisearch', 'orama', ...(config.EMBEDDING_MODEL === 'builtin-static' ? [] : ['rag'])];
  const servers: Running[] = [];
  servers.push(await startServer(serviceSpec(PORT)));
  for (const [i, name] of peers.entries()) servers.push(await startServer(peerSpec(name, PORT + 1 + i)));
  const own = servers[0] as Running;
  const rssAfterStart = await rssTree(own.pid);

  // 5. HTTP load over a rotating set of real questions, each server in turn at each concurrency.
  const ask = (question: string) => ({
    method: 'POST' as const,
    path: '/v1/ask',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
  });
  const requests = questions.map(ask);
  // Every question new to any cache: the dev questions with a counter appended.
  let asked = 0;
  const uncached = [
    {
      ...ask(''),
      setupRequest: (request: LoadRequest) => ({
        ...request,
        body: JSON.stringify({ question: `${questions[asked % questions.length]} (${asked++})` }),
      }),
    },
  ];
  for (const server of servers) await autocannon({ url: server.url, connections: 16, amount: 1000, requests });
  const duration = quick ? 3 : 10;
  const http: Array<Record<string, number | string>> = [];
  let served = 0;
  for (const [connections, load] of [...CONNECTIONS.map((c) => [c, 'dev'] as const), [16, 'uncached'] as const]) {
    for (const server of servers) {
      const r = await autocannon({
        url: server.url,
        connections,
        duration,
        requests: load === 'dev' ? requests : uncached,
      });
      if (server === own) served += r.requests.total;
      http.push({
        server: server.name,
        connections,
        questions: load,
        requestsPerSecond: Math.round(r.requests.average),
        p50: r.latency.p50,
        p99: r.latency.p99,
        max: r.latency.max,
        errors: r.errors + r.timeouts + r.non2xx,
      });
    }
  }
  const row = (name: string, connections: number, load: string) =>
    http.find((h) => h.server === name && h.connections === connections && h.questions === load) as Record<
      string,
      number
    >;
  const ratios = [...CONNECTIONS.map((c) => [c, 'dev'] as const), [16, 'uncached'] as const].flatMap(
    ([connections, load]) =>
      peers.map((peer) => {
        const ours = row('service', connections, load);
        const theirs = row(peer, connections, load);
        return {
          peer,
          connections,
          questions: load,
          requestsPerSecond: ratio(ours.requestsPerSecond ?? 0, theirs.requestsPerSecond ?? 0),
          p99: ratio(ours.p99 ?? 0, theirs.p99 ?? 0),
        };
      }),
  );

  // 6. CPU per request for work that is not search: a health probe, and a POST rejected as invalid JSON.
  const { cpu, cpuRatios } = await measureCpu(servers, PROBES, quick ? 5_000 : 20_000);

  // 7. Memory after at least 100k requests, per process (a cluster primary, then its workers).
  const target = quick ? 20_000 : 100_000;
  if (served < target) {
    const r = await autocannon({ url: own.url, connections: 16, amount: target - served, requests });
    served += r.requests.total;
  }
  const rssAfterLoad = await rssTree(own.pid);
  // A second round of the same size: growth here, after caches and the heap have settled, would be a leak.
  await autocannon({ url: own.url, connections: 16, amount: target, requests });
  served += target;
  const rssAfterSecondRound = await rssTree(own.pid);
  const peerRss = Object.fromEntries(
    await Promise.all(servers.slice(1).map(async (s) => [s.name, await rssTree(s.pid)] as const)),
  );
  for (const server of servers) await stopProcess(server.child);

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
    },
    workers: process.env.WORKERS ?? '1',
    corpus: { documents: manifest.documentCount, passages: manifest.passageCount, dims: manifest.model.dims },
    buildSeconds: Number(buildSeconds.toFixed(2)),
    coldStartSeconds: {
      dist: seconds(cold.dist, 'firstAnswerMs'),
      tsx: seconds(cold.tsx, 'firstAnswerMs'),
      medianDist: median(seconds(cold.dist, 'firstAnswerMs')),
      medianTsx: median(seconds(cold.tsx, 'firstAnswerMs')),
      ratio: ratio(median(seconds(cold.dist, 'firstAnswerMs')), median(seconds(cold.tsx, 'firstAnswerMs'))),
      // The embedding model's own load (the server's modelLoadMs), and the compiled start without it.
      medianDistModelLoad: median(seconds(cold.dist, 'modelLoadMs')),
      medianDistWithoutModel: median(seconds(cold.dist, 'withoutModelMs')),
    },
    model: manifest.model.id,
    inProcessMs: inProcess,
    inProcessUncachedMs: inProcessUncached,
    http,
    ratios,
    cpuMicrosecondsPerRequest: cpu,
    cpuRatios,
    memory: {
      rssAfterStartMiB: rssAfterStart,
      rssAfterFirstRoundMiB: rssAfterLoad,
      rssAfterSecondRoundMiB: rssAfterSecondRound,
      requestsServed: served,
      peersAfterLoadMiB: peerRss,
    },
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);

  const c = results.coldStartSeconds;
  const lines = [
    `machine: ${results.machine.cpus} × ${results.machine.cpu}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, load average at the end ${results.machine.loadAverageAtEnd.join(' ')}`,
    `corpus: ${manifest.passageCount} passages, model ${manifest.model.id} (${manifest.model.dims} dims); service WORKERS=${results.workers}`,
    `index build: ${results.buildSeconds} s`,
    `cold start to first answer: dist ${c.medianDist} s (${c.dist.join(', ')}), tsx ${c.medianTsx} s (${c.tsx.join(', ')}); dist ÷ tsx ${c.ratio}`,
    `  dist: model load ${c.medianDistModelLoad} s, the rest ${c.medianDistWithoutModel} s (medians)`,
    '',
    '| in-process stage | p50 ms | p99 ms | uncached p50 ms | uncached p99 ms |',
    '|---|---|---|---|---|',
    ...Object.entries(inProcess).map(
      ([k, v]) => `| ${k} | ${v.p50} | ${v.p99} | ${inProcessUncached[k]?.p50} | ${inProcessUncached[k]?.p99} |`,
    ),
    '',
    '| connections | questions | server | req/s | p50 ms | p99 ms | max ms | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...http.map(
      (h) =>
        `| ${h.connections} | ${h.questions} | ${h.server} | ${h.requestsPerSecond} | ${h.p50} | ${h.p99} | ${h.max} | ${h.errors} |`,
    ),
    '',
    '| connections | questions | service ÷ peer | req/s ratio | p99 ratio |',
    '|---|---|---|---|---|',
    ...ratios.map((r) => `| ${r.connections} | ${r.questions} | ${r.peer} | ${r.requestsPerSecond} | ${r.p99} |`),
    '',
    ...cpuTable(cpu, cpuRatios),
    '',
    `service RSS (MiB per process) after start ${rssAfterStart.join('+')}, after ${target} requests ${rssAfterLoad.join('+')}, after ${served} requests ${rssAfterSecondRound.join('+')}`,
    `peers' RSS after their load: ${Object.entries(peerRss).map(([k, v]) => `${k} ${v.join('+')}`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

runBenchmark(main);
