/**
 * `DATABASE_URL=postgres://… npm run bench:postgres`: the PostgreSQL backend on the shipped corpus (built-in
 * model): publish time, table and index sizes, and per-leg latency (p50/p99 over every eval question) next to
 * the file backend's. Writes bench/results/postgres.json. Not the 100k/1M scale run the issue asks for.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/core/config.ts';
import { openIndex } from '../src/index/load-index.node.ts';
import { createPgClient } from '../src/index/postgres/client.node.ts';
import { openDatabaseIndex } from '../src/index/postgres/open.node.ts';
import { publishIndex } from '../src/index/postgres/publish.node.ts';
import type { SearchIndex } from '../src/index/search-index.ts';
import { createQaService, type StageName } from '../src/retrieve/engine.ts';
import { evalRequests } from '../tests/index/backend-contract.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL');
const config = loadConfig({ ...process.env, DATABASE_URL: undefined, INDEX_DIR: process.env.INDEX_DIR ?? '.tmp/test-index', EMBEDDING_MODEL: process.env.EMBEDDING_MODEL ?? 'builtin-static', LOG_LEVEL: 'silent' });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

async function stages(index: SearchIndex) {
  const laps: Record<StageName, number[]> = { embed: [], dense: [], sentences: [], lexical: [], fusion: [], quotes: [] };
  const total: number[] = [];
  const service = createQaService(index, { onTimings: (t) => { for (const [k, v] of Object.entries(t)) laps[k as StageName].push(v); } });
  const requests = await evalRequests();
  for (const { request } of requests.slice(0, 20)) await service.ask(request);
  for (const l of Object.values(laps)) l.length = 0;
  for (const { request } of requests) {
    const t0 = performance.now();
    await service.ask(request);
    total.push(performance.now() - t0);
  }
  const row: Record<string, { p50: number; p99: number }> = {};
  for (const [k, v] of [...Object.entries(laps), ['ask', total] as const]) row[k] = { p50: Number(pct(v as number[], 0.5).toFixed(2)), p99: Number(pct(v as number[], 0.99).toFixed(2)) };
  return row;
}

const file = await openIndex(config);
const client = createPgClient(url, { max: 4 });
const t0 = performance.now();
const { version } = await publishIndex(client, { ...file, buildDir: join(resolve(config.INDEX_DIR), file.manifest.buildId) });
const publishSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
const t1 = performance.now();
const db = await openDatabaseIndex(config, client, version);
const openSeconds = Number(((performance.now() - t1) / 1000).toFixed(1));
const { rows: sizes } = await client.query<{ name: string; table_mib: number; index_mib: number }>(
  `SELECT relname AS name, round(pg_table_size(oid) / 1048576.0, 2)::float8 AS table_mib, round(pg_indexes_size(oid) / 1048576.0, 2)::float8 AS index_mib
   FROM pg_class WHERE relkind = 'r' AND relname LIKE 'kzqa%' ORDER BY relname`,
);
const result = { date: new Date().toISOString(), passages: file.manifest.passageCount, model: file.manifest.model.id, publishSeconds, openSeconds, sizes, files: await stages(file.index), postgres: await stages(db.index) };
await client.close();
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/postgres.json', `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
