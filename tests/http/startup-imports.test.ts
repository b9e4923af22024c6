import type { ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, exited, startServer, testPort } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

/** Packages a server on the file backend with the built-in model has no use for until asked. */
const OPTIONAL = [
  '@xenova/transformers',
  'onnxruntime-node',
  'sharp',
  '@modelcontextprotocol/sdk',
  'ajv',
  'pg',
] as const;

/** Names of the npm packages whose modules the process has loaded so far. */
async function loadedPackages(record: string): Promise<Set<string>> {
  const lines = (await readFile(record, 'utf8')).split('\n');
  const names = lines.flatMap((line) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(line);
    return match ? [match[1] as string] : [];
  });
  return new Set(names);
}

/**
 * What the compiled server (`npm start`) imports: every module it loads is recorded by a preloaded hook
 * (tests/fixtures/preload/record-imports.mjs), so the check is on what was loaded, not on timings.
 */
describe('compiled server start-up', () => {
  const port = testPort();
  const outdir = `.tmp/dist-imports-${process.pid}`;
  const record = resolve(`.tmp/imports-${process.pid}.txt`);
  let server: ChildProcess;

  beforeAll(async () => {
    await buildServer(outdir);
    server = await startServer(
      port,
      {
        ...TEST_INDEX_ENV,
        NODE_OPTIONS: `--import ${resolve('tests/fixtures/preload/record-imports.mjs')}`,
        RECORD_IMPORTS: record,
      },
      { build: outdir },
    );
  });

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server) await exited(server);
    await rm(outdir, { recursive: true, force: true });
    await rm(record, { force: true });
  });

  it('answers with the built-in model without loading Transformers.js, the MCP SDK or pg', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'What is political modernization?' }),
    });
    expect(res.status).toBe(200);
    const loaded = await loadedPackages(record);
    // The record does see packages: the ones serving needs.
    expect(loaded).toContain('hnswlib-node');
    expect(loaded).toContain('hono');
    expect(OPTIONAL.filter((name) => loaded.has(name))).toEqual([]);
  });

  it("loads prom-client's metric classes without its default process metrics", async () => {
    const files = (await readFile(record, 'utf8')).split('\n');
    expect(files.some((f) => /prom-client[\\/]lib[\\/]counter\.js$/.test(f))).toBe(true);
    expect(
      files.filter((f) =>
        /prom-client[\\/](index|lib[\\/](defaultMetrics|pushgateway|cluster))\.js$/.test(f),
      ),
    ).toEqual([]);
    expect(await loadedPackages(record)).not.toContain('@opentelemetry/api');
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/http_requests_total\{route="\/v1\/ask",method="POST",status="200"\} 1/);
  });

  it('loads the MCP SDK when /mcp is first called', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('search_corpus');
    const loaded = await loadedPackages(record);
    expect(loaded).toContain('@modelcontextprotocol/sdk');
    expect(loaded).not.toContain('@xenova/transformers');
  });
});
