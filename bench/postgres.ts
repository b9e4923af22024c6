/**
 * `npm run bench:postgres [-- --duration 15 --rounds 3]`: the PostgreSQL backend on the shipped corpus
 * (built-in model). Publish time, table and index sizes, per-leg latency (p50/p99 over every eval question)
 * next to the file backend's; then HTTP throughput of one replica against two replicas sharing the database,
 * 16 connections in total either way. Uses DATABASE_URL, or starts a throwaway server with
 * scripts/postgres.sh. Writes bench/results/postgres.json. At 10k–100k passages:
 * `npm run bench:scale -- --backend postgres`.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../src/core/config.ts';
import { parseQuestions } from '../src/eval/evaluate.ts';
import { openOrBuildIndex } from '../src/index/load-index.node.ts';
import { createPgClient } from '../src/index/postgres/client.node.ts';
import { openDatabaseIndex } from '../src/index/postgres/open.node.ts';
import { publishIndex } from '../src/index/postgres/publish.node.ts';
import type { SearchIndex } from '../src/index/search-index.ts';
import { createQaService, type StageName, stageLists } from '../src/retrieve/engine.ts';
import { evalRequests } from '../tests/index/backend-contract.ts';
import { exited, startServer } from '../tests/setup/server.ts';

const CONNECTIONS = 16;
const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
/** Seconds of load per round and configuration, and rounds (one replica and two take turns). */
const DURATION = argument('duration', 15);
const ROUNDS = argument('rounds', 3);
/** Each replica's pool: room for all 16 requests, so one replica is not capped by its pool. */
const POOL_MAX = process.env.DB_POOL_MAX ?? String(CONNECTIONS);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
const round2 = (x: number) => Number(x.toFixed(2));
const say = (line: string) => process.stderr.write(`${line}\n`);

/** CPU seconds (user + system) the processes `pids` have used so far; Linux's /proc, USER_HZ = 100. */
async function cpuSeconds(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / 100;
}

/** `pid` and its children (a PostgreSQL server's postmaster and its backends). */
async function processTree(pid: number): Promise<number[]> {
  const out = [pid];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
  }
  return out;
}

interface Database {
  url: string;
  /** The server's processes, when this benchmark started it (else unknown: an outside server). */
  pids: () => Promise<number[]>;
  stop: () => Promise<void>;
}

/** A server of our own when DATABASE_URL names none; `stop` removes it. */
async function database(): Promise<Database> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, pids: async () => [], stop: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'kzqa-bench-pg-'));
  const script = (action: string) =>
    execFileSync('bash', ['scripts/postgres.sh', action, dir], { encoding: 'utf8' }).trim();
  say(`starting PostgreSQL in ${dir}`);
  const url = script('start');
  const postmaster = Number((await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return {
    url,
    pids: () => processTree(postmaster),
    stop: async () => {
      script('stop');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const config = loadConfig({
  ...process.env,
  DATABASE_URL: undefined,
  INDEX_DIR: process.env.INDEX_DIR ?? '.tmp/test-index',
  EMBEDDING_MODEL: process.env.EMBEDDING_MODEL ?? 'builtin-static',
  LOG_LEVEL: 'silent',
});

async function stages(index: SearchIndex) {
  const laps = stageLists();
  const total: number[] = [];
  const service = createQaService(index, {
    onTimings: (t) => {
      for (const [k, v] of Object.entries(t)) laps[k as StageName].push(v);
    },
  });
  const requests = await evalRequests();
  for (const { request } of requests.slice(0, 20)) await service.ask(request);
  for (const l of Object.values(laps)) l.length = 0;
  for (const { request } of requests) {
    const t0 = performance.now();
    await service.ask(request);
    total.push(performance.now() - t0);
  }
  const row: Record<string, { p50: number; p99: number }> = {};
  for (const [k, v] of [...Object.entries(laps), ['ask', total] as const]) {
    row[k] = { p50: round2(pct(v as number[], 0.5)), p99: round2(pct(v as number[], 0.99)) };
  }
  return row;
}

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

/** POST /v1/ask over the dev questions in turn, as bench/run.ts loads the file backend. */
async function askRequests() {
  const questions = parseQuestions(await readFile('eval/dev.jsonl', 'utf8'), 'dev.jsonl');
  return questions.map((q) => ({
    method: 'POST' as const,
    path: '/v1/ask',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question: q.turns.at(-1) }),
  }));
}

interface Load {
  requests: number;
  seconds: number;
  errors: number;
  latencies: number[];
  /** CPU seconds used meanwhile by the replicas, the database server and this process (the load generator). */
  cpu: { replicas: number; database: number; loadGenerator: number };
}

const emptyLoad = (): Load => ({
  requests: 0,
  seconds: 0,
  errors: 0,
  latencies: [],
  cpu: { replicas: 0, database: 0, loadGenerator: 0 },
});

/** Who used the CPU during a load: each process group's CPU seconds, read before and after. */
async function cpuMeter(replicaPids: number[], db: Database) {
  const read = async () => ({
    replicas: await cpuSeconds(replicaPids),
    database: await cpuSeconds(await db.pids()),
    loadGenerator: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const before = await read();
  return async (into: Load) => {
    const after = await read();
    into.cpu.replicas += after.replicas - before.replicas;
    into.cpu.database += after.database - before.database;
    into.cpu.loadGenerator += after.loadGenerator - before.loadGenerator;
  };
}

/**
 * Loads `ports` at once for `seconds`, the 16 connections split evenly between them, and collects every
 * response's latency (autocannon's own percentiles are per instance; these are over all replicas).
 */
async function load(ports: number[], seconds: number, requests: unknown[], into: Load): Promise<void> {
  const started = performance.now();
  await Promise.all(
    ports.map(
      (port) =>
        new Promise<void>((done, fail) => {
          const instance = autocannon(
            {
              url: `http://127.0.0.1:${port}`,
              connections: CONNECTIONS / ports.length,
              duration: seconds,
              requests,
            },
            (error: Error | null, result: { errors: number; timeouts: number; non2xx: number }) => {
              if (error) return fail(error);
              into.errors += result.errors + result.timeouts + result.non2xx;
              done();
            },
          );
          instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
            into.requests += 1;
            into.latencies.push(ms);
          });
        }),
    ),
  );
  into.seconds += (performance.now() - started) / 1000;
}

const summary = (l: Load) => ({
  requestsPerSecond: Math.round(l.requests / l.seconds),
  p50: round2(pct(l.latencies, 0.5)),
  p99: round2(pct(l.latencies, 0.99)),
  requests: l.requests,
  errors: l.errors,
  // Cores kept busy on average (CPU seconds per second of load), by process group.
  coresUsed: Object.fromEntries(Object.entries(l.cpu).map(([k, v]) => [k, round2(v / l.seconds)])),
  // Server-side work per answer (replicas and database): equal work, unequal throughput means unequal CPU.
  serverCpuMsPerRequest: round2(((l.cpu.replicas + l.cpu.database) * 1000) / l.requests),
});

/**
 * Two servers (`npm start`'s entry, src/node.ts) on different ports, both replicas of the published
 * version. One replica is measured alone, then both together, in alternating rounds so the machine's
 * changing load falls on both configurations alike.
 */
async function replicas(db: Database) {
  const indexDir = await mkdtemp(join(tmpdir(), 'kzqa-bench-replica-'));
  const env = {
    DATABASE_URL: db.url,
    CORPUS_DIR: config.CORPUS_DIR,
    MODELS_DIR: config.MODELS_DIR,
    EMBEDDING_MODEL: config.EMBEDDING_MODEL,
    // Where a replica writes the version's generated model files; the index itself stays in the database.
    INDEX_DIR: indexDir,
    AUTO_BUILD: 'false',
    DB_POOL_MAX: POOL_MAX,
    // One load generator on loopback is one client; the limiter would measure itself.
    RATE_LIMIT_PER_MINUTE: '0',
  };
  const ports = [await freePort(), await freePort()];
  const servers: ChildProcess[] = [];
  try {
    for (const port of ports) {
      say(`starting a replica on port ${port}`);
      servers.push(await startServer(port, env, { startTimeoutMs: 180_000 }));
    }
    const requests = await askRequests();
    say('warming up both replicas');
    await load(ports, 5, requests, emptyLoad());
    const one = emptyLoad();
    const two = emptyLoad();
    const pids = servers.map((s) => s.pid as number);
    const rounds: Array<{ oneReplica: number; twoReplicas: number }> = [];
    const measure = async (targets: number[], into: Load) => {
      const meter = await cpuMeter(pids, db);
      const [requestsBefore, secondsBefore] = [into.requests, into.seconds];
      await load(targets, DURATION, requests, into);
      await meter(into);
      return Math.round((into.requests - requestsBefore) / (into.seconds - secondsBefore));
    };
    for (let r = 0; r < ROUNDS; r++) {
      say(`round ${r + 1}/${ROUNDS}: one replica, ${CONNECTIONS} connections, ${DURATION} s`);
      const oneReplica = await measure(ports.slice(0, 1), one);
      say(`round ${r + 1}/${ROUNDS}: two replicas, ${CONNECTIONS / 2} connections each, ${DURATION} s`);
      rounds.push({ oneReplica, twoReplicas: await measure(ports, two) });
    }
    const [a, b] = [summary(one), summary(two)];
    return {
      connections: CONNECTIONS,
      poolMaxPerReplica: Number(POOL_MAX),
      secondsPerConfiguration: round2(one.seconds),
      questions: requests.length,
      oneReplica: a,
      twoReplicas: b,
      throughputRatio: round2(b.requestsPerSecond / a.requestsPerSecond),
      requestsPerSecondByRound: rounds,
    };
  } finally {
    for (const server of servers) {
      server.kill('SIGTERM');
      await exited(server);
    }
    await rm(indexDir, { recursive: true, force: true });
  }
}

const db = await database();
try {
  const file = await openOrBuildIndex(config);
  const client = createPgClient(db.url, { max: 4 });
  const t0 = performance.now();
  const { version } = await publishIndex(client, {
    ...file,
    buildDir: join(resolve(config.INDEX_DIR), file.manifest.buildId),
  });
  const publishSeconds = round2((performance.now() - t0) / 1000);
  const t1 = performance.now();
  const opened = await openDatabaseIndex(config, client, version);
  const openSeconds = round2((performance.now() - t1) / 1000);
  const { rows: sizes } = await client.query<{ name: string; table_mib: number; index_mib: number }>(
    `SELECT relname AS name, round(pg_table_size(oid) / 1048576.0, 2)::float8 AS table_mib,
       round(pg_indexes_size(oid) / 1048576.0, 2)::float8 AS index_mib
     FROM pg_class WHERE relkind = 'r' AND relname LIKE 'kzqa%' ORDER BY relname`,
  );
  const { rows: server } = await client.query<{ version: string }>('SELECT version()');
  say('timing every eval question through both backends');
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, loadAverageAtStart: round2(loadavg()[0] ?? 0), node: process.version },
    server: server[0]?.version,
    passages: file.manifest.passageCount,
    model: file.manifest.model.id,
    publishSeconds,
    openSeconds,
    sizes,
    files: await stages(file.index),
    postgres: await stages(opened.index),
    // The in-process pool is closed first: the replicas' load is all the database serves.
    replicas: await client.close().then(() => replicas(db)),
    loadAverageAtEnd: round2(loadavg()[0] ?? 0),
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/postgres.json', `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await db.stop();
}
