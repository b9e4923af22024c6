/**
 * The servers a benchmark starts, and what it reads about them from /proc. Every server started here is
 * stopped however the benchmark ends: normally (`stopProcess`), by an error (`runBenchmark` stops them
 * all before exiting), or interrupted (SIGINT, SIGTERM, SIGHUP). Each runs in a process group of its own,
 * so its children (cluster workers, a reindex build, what `npx` starts) are stopped with it.
 */
import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

const running = new Set<ChildProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Spawns a server in its own process group and keeps track of it until it exits. */
export function startProcess(file: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(file, args, { ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGTERM to the server's group; SIGKILL if it has not exited after `timeoutMs`. Resolves with its exit code. */
export async function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** Stops every server still running. */
export async function stopAll(timeoutMs = 5_000): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child, timeoutMs)));
}

// The last resort: whatever is still running when this process exits is killed outright.
process.once('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping ${running.size} server(s)\n`);
    void stopAll(3_000).finally(() => process.exit(130));
  });
}

/** Runs a benchmark's `main`; on failure prints the error and stops every server before exiting 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => stopAll(),
    async (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      await stopAll(3_000);
      process.exit(1);
    },
  );
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system CPU in seconds */
  cpu: number;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { pid, ppid, cpu: ticks / CLOCK_TICKS };
}

/** `pid` and all its live descendants (a cluster primary and its workers). */
export async function processTree(pid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = (await Promise.all(pids.map(readStat))).filter((s): s is ProcStat => s !== undefined);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const s of stats) if (s.ppid === tree[i]) tree.push(s.pid);
  return tree;
}

/** CPU seconds (user + system) used so far by `pid` and its live descendants. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stats = await Promise.all((await processTree(pid)).map(readStat));
  return stats.reduce((sum, s) => sum + (s?.cpu ?? 0), 0);
}

/** Resident memory of `pid` and of each live descendant, in MiB, in tree order. */
export async function rssTree(pid: number): Promise<number[]> {
  const rss = async (p: number) => {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  };
  return Promise.all((await processTree(pid)).map(rss));
}
