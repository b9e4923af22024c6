/**
 * `npm run bench:cold`: cold start of the compiled server (`node dist/node.js`, as `npm start` runs it),
 * one process (WORKERS=1), index already built, from spawning the process to its first successful
 * `/v1/ask` — with the built-in model and with the default pretrained model, alternated so that machine
 * noise hits both. Each start is split with what the server logs when it listens: `modelLoadMs` (loading
 * the embedding model, its runtime's import included) and the rest.
 *
 *   npm run bench:cold                               both models, 5 starts each
 *   npm run bench:cold -- --rounds 3
 *   npm run bench:cold -- --model builtin-static     one model only
 *
 * Each model's index is built first under .tmp/bench-cold-<model> when missing or stale (the pretrained
 * one takes minutes). Prints a table and writes bench/results/cold-start.json.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BUILTIN_MODEL_ID, DEFAULT_MODEL_ID, loadConfig } from '../src/core/config.ts';
import { resolveEmbeddingModel } from '../src/embed/resolve-model.node.ts';
import { openOrBuildIndex } from '../src/index/load-index.node.ts';
import { cpuSeconds, runBenchmark, startProcess, stopProcess } from './processes.ts';

const PORT = 18_850;

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};

/** One start: spawn to first answer, and the split the server logged. */
export interface ColdStart {
  firstAnswerMs: number;
  /** Process start to listening, as the server measured it (imports included). */
  readyMs: number;
  modelLoadMs: number;
  /** First answer without the model's load: what the ≤ 1 s target is about. */
  withoutModelMs: number;
  /**
   * CPU time (user + system, all threads) the server had used when it answered: less disturbed than wall
   * time by other work on a shared machine, so the figure to compare builds with.
   */
  cpuMs: number;
}

/** The service's environment for a cold start of `model` over the index in `indexDir`. */
export function coldStartEnv(model: string, indexDir: string, port: number): Record<string, string> {
  return {
    CORPUS_DIR: 'corpus',
    MODELS_DIR: 'models',
    INDEX_DIR: indexDir,
    EMBEDDING_MODEL: model,
    EMBEDDING_FALLBACK: 'none',
    AUTO_BUILD: 'false',
    WORKERS: '1',
    PORT: String(port),
    // The listening line carries the split; nothing else is logged before the first answer.
    LOG_LEVEL: 'info',
    ANALYTICS_DB: ':memory:',
  };
}

/**
 * Starts `node <args>` with `env`, asks one question until it is answered, reads the listening line, and
 * stops the server.
 */
export async function measureColdStart(args: string[], env: Record<string, string>): Promise<ColdStart> {
  const started = performance.now();
  const child = startProcess(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`))),
  );
  exited.catch(() => {});
  const url = `http://127.0.0.1:${env.PORT}/v1/ask`;
  const answered = (async () => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const ok = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'What is political modernization?' }),
      }).then(
        async (res) => (await res.arrayBuffer(), res.ok),
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`${url} did not answer in time`);
  })();
  await Promise.race([answered, exited]);
  const firstAnswerMs = performance.now() - started;
  const cpuMs = Math.round((await cpuSeconds(child.pid as number)) * 1000);
  await stopProcess(child);
  const line = output.split('\n').find((l) => l.includes('"readyMs"'));
  if (!line) throw new Error('the server logged no listening line with readyMs');
  const logged = JSON.parse(line) as { readyMs: number; modelLoadMs?: number };
  const modelLoadMs = logged.modelLoadMs ?? 0;
  return {
    firstAnswerMs: Math.round(firstAnswerMs),
    readyMs: logged.readyMs,
    modelLoadMs,
    withoutModelMs: Math.round(firstAnswerMs - modelLoadMs),
    cpuMs,
  };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
};

async function main(): Promise<void> {
  const rounds = Number(arg('--rounds') ?? 5);
  const only = arg('--model');
  const models = only ? [only] : [BUILTIN_MODEL_ID, DEFAULT_MODEL_ID];
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--if-stale']);
  for (const model of models) {
    const env = coldStartEnv(model, `.tmp/bench-cold-${model.replace(/[^A-Za-z0-9.-]/g, '_')}`, PORT);
    const { config } = await resolveEmbeddingModel(loadConfig({ ...env, LOG_LEVEL: 'silent' }), {
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const { manifest, rebuilt } = await openOrBuildIndex(Object.freeze({ ...config, AUTO_BUILD: true }));
    process.stderr.write(`${model}: ${manifest.passageCount} passages${rebuilt ? ' (index built)' : ''}\n`);
  }
  const runs = new Map<string, ColdStart[]>(models.map((m) => [m, []]));
  for (let i = 0; i < rounds; i++) {
    for (const model of models) {
      const env = coldStartEnv(model, `.tmp/bench-cold-${model.replace(/[^A-Za-z0-9.-]/g, '_')}`, PORT);
      const run = await measureColdStart(['dist/node.js'], env);
      runs.get(model)?.push(run);
      process.stderr.write(`${model}: ${JSON.stringify(run)}\n`);
    }
  }
  const summary = models.map((model) => {
    const list = runs.get(model) ?? [];
    const of = (key: keyof ColdStart) => median(list.map((r) => r[key]));
    return {
      model,
      firstAnswerMs: of('firstAnswerMs'),
      modelLoadMs: of('modelLoadMs'),
      withoutModelMs: of('withoutModelMs'),
      readyMs: of('readyMs'),
      cpuMs: of('cpuMs'),
      runs: list,
    };
  });
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtEnd: loadavg().map((x) => +x.toFixed(2)) },
    rounds,
    summary,
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/cold-start.json', `${JSON.stringify(results, null, 2)}\n`);
  const lines = [
    `cold start of dist/node.js, WORKERS=1, index built; median of ${rounds} starts; load average at the end ${results.machine.loadAverageAtEnd.join(' ')}`,
    '',
    '| model | spawn → first answer ms | of which model load ms | without the model ms | spawn → listening ms (server) | CPU ms |',
    '|---|---|---|---|---|---|',
    ...summary.map(
      (s) =>
        `| ${s.model} | ${s.firstAnswerMs} | ${s.modelLoadMs} | ${s.withoutModelMs} | ${s.readyMs} | ${s.cpuMs} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) runBenchmark(main);
