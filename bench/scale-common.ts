/** Measuring helpers shared by `npm run bench:scale`'s file and PostgreSQL backends. */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { SearchIndex } from '../src/index/search-index.ts';
import { createQaService, type StageName, stageLists } from '../src/retrieve/engine.ts';

export const pct = (xs: readonly number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(3));
};
export const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);
/** This process's anonymous memory on transparent huge pages, in MiB (Linux; 0 where unknown). */
export function hugePagesMiB(): number {
  try {
    const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
    return Math.round(Number(/AnonHugePages:\s+(\d+) kB/.exec(rollup)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}
export const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(1));
/** The machine's 1, 5 and 15 minute load averages (2 shared cores: other jobs' load shows here). */
export const load = () => loadavg().map((x) => Number(x.toFixed(2)));
export const say = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/**
 * Every question asked twice through the engine over `index`: a warm pass (which also fills the query-vector
 * cache), then a timed one. The whole ask excludes the query-embedding pass; stages are the engine's own.
 */
export async function timeAsks(
  index: SearchIndex,
  asked: readonly string[],
  options: Parameters<typeof createQaService>[1] = {},
  /** Receives each timed question's shown passages (ids, best first), in question order. */
  onAnswer?: (ids: string[]) => void,
) {
  const laps = stageLists();
  const totals: number[] = [];
  let recording = false;
  const service = createQaService(index, {
    cacheSize: asked.length + 10,
    ...options,
    onTimings: (t) => {
      if (!recording) return;
      for (const [stage, ms] of Object.entries(t)) laps[stage as StageName].push(ms);
      totals.push(Object.entries(t).reduce((sum, [stage, ms]) => (stage === 'embed' ? sum : sum + ms), 0));
    },
  });
  for (const question of asked) await service.ask({ question });
  recording = true;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (const question of asked) {
    const { passages } = await service.ask({ question });
    onAnswer?.(passages.map((p) => p.id));
  }
  const cpu = process.cpuUsage(cpu0);
  const stages = Object.fromEntries(
    (Object.keys(laps) as StageName[])
      .filter((s) => s !== 'embed')
      .map((s) => [s, { p50: pct(laps[s], 0.5), p99: pct(laps[s], 0.99) }]),
  );
  return {
    p50: pct(totals, 0.5),
    p99: pct(totals, 0.99),
    /** CPU of this process only (a database server's CPU is not in it). */
    cpuMsPerAsk: Number(((cpu.user + cpu.system) / 1000 / asked.length).toFixed(3)),
    wallMsPerAsk: Number(((performance.now() - wall0) / asked.length).toFixed(3)),
    stages,
  };
}
