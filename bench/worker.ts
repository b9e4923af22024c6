/**
 * `npm run bench:worker`: what the Worker costs, measured locally on the export of the shipped corpus
 * (`npm run build:worker` first).
 * 1. The Worker's own code path (index export → exact search, TypeScript query embedding) in V8 under
 *    Node, where CPU time and heap can be read: CPU of the cold start (open + verify the export, build the
 *    service), CPU per request over every eval question, and the memory the loaded index holds (Workers
 *    allow 128 MB per isolate).
 * 2. The Worker itself in workerd (`wrangler dev --local`): wall time of the first request (cold start:
 *    isolate, bundle, index load) and of the next requests. Wall time, not CPU: workerd reports no CPU
 *    time locally, and this machine is shared, so compare with part 1 rather than across runs.
 */
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseQuestions } from '../src/eval/evaluate.ts';
import { openIndexExport } from '../src/index/export.ts';
import { createQaService } from '../src/retrieve/engine.ts';
import { startProcess, stopProcess } from './processes.ts';

const ASSETS = '.worker/assets';
const PORT = 18_797;
const quick = process.argv.includes('--quick');

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? 0;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function questions(): Promise<string[]> {
  const out: string[] = [];
  for (const file of (await readdir('eval')).filter((f) => f.endsWith('.jsonl')).sort())
    for (const q of parseQuestions(await readFile(join('eval', file), 'utf8'), file)) out.push(q.turns.at(-1) as string);
  return quick ? out.slice(0, 40) : out;
}

async function inV8(asked: string[]) {
  gc();
  const before = process.memoryUsage();
  const cpu = process.cpuUsage();
  const { index } = await openIndexExport(async (name) => new Uint8Array(await readFile(join(ASSETS, 'index', name))));
  const service = createQaService(index);
  const coldCpu = cpuMs(cpu);
  const first = process.cpuUsage();
  await service.ask({ question: asked[0] as string });
  const firstCpu = cpuMs(first);
  const perRequest: number[] = [];
  for (const question of asked.slice(1)) {
    const t = process.cpuUsage();
    await service.ask({ question });
    perRequest.push(cpuMs(t));
  }
  gc();
  const after = process.memoryUsage();
  const heldMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
  return { coldCpu, firstCpu, perRequest, heldMb };
}

async function waitReady(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('wrangler dev did not start in 120 s')), 120_000);
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes('Ready on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`wrangler dev exited with ${code}`)));
  });
}

async function inWorkerd(asked: string[]) {
  // In a process group of its own (wrangler starts workerd), stopped on Ctrl-C too (./processes.ts).
  const child = startProcess('npx', ['wrangler', 'dev', '--local', '--port', String(PORT), '--ip', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await waitReady(child);
    const ask = async (question: string) => {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${PORT}/v1/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question }),
      });
      if (res.status !== 200) throw new Error(`/v1/ask answered ${res.status}`);
      await res.arrayBuffer();
      return performance.now() - t;
    };
    const cold = await ask(asked[0] as string);
    const warm: number[] = [];
    for (const question of asked.slice(1)) warm.push(await ask(question));
    return { cold, warm };
  } finally {
    await stopProcess(child);
  }
}

const asked = await questions();
const v8 = await inV8(asked);
const workerd = await inWorkerd(asked);
const f = (x: number) => x.toFixed(1);
process.stdout.write(
  [
    `questions: ${asked.length} (eval/*.jsonl${quick ? ', --quick' : ''})`,
    `V8 (Node ${process.version}), the Worker's code path:`,
    `  cold start CPU (open + verify export, build service): ${f(v8.coldCpu)} ms`,
    `  first question CPU (builds caches): ${f(v8.firstCpu)} ms`,
    `  per-request CPU: p50 ${f(pct(v8.perRequest, 0.5))} ms, p95 ${f(pct(v8.perRequest, 0.95))} ms, max ${f(Math.max(...v8.perRequest))} ms`,
    `  memory held by the loaded index and caches: ${f(v8.heldMb)} MB${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for a settled figure)'}`,
    'workerd (wrangler dev --local), wall time:',
    `  first request (cold start): ${f(workerd.cold)} ms`,
    `  next requests: p50 ${f(pct(workerd.warm, 0.5))} ms, p95 ${f(pct(workerd.warm, 0.95))} ms`,
  ].join('\n') + '\n',
);
