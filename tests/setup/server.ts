import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

export interface StartOptions {
  /** Lower the open-file limit of the server process (`ulimit -n`). */
  fileLimit?: number;
  /** Collect what the server writes on stdout (its JSON log lines) into this array. */
  output?: string[];
  /** How long to wait for /healthz (default 60 s). */
  startTimeoutMs?: number;
  /**
   * Run the compiled server in this directory (`node <dir>/node.js`, as `npm start` runs dist/) instead
   * of the TypeScript sources under tsx; build it first with `buildServer`.
   */
  build?: string;
}

/**
 * A port for a test's server, `slot` telling one file's servers apart. Vitest runs one file at a time in
 * each pool and numbers the pools, so files running side by side never share a port; the range is below
 * the kernel's ephemeral ports, so no outgoing connection holds one either.
 */
export function testPort(slot = 0): number {
  if (slot < 0 || slot >= 10) throw new Error(`testPort: slot ${slot} is not in 0..9`);
  return 20_000 + Number(process.env.VITEST_POOL_ID ?? 0) * 10 + slot;
}

/** Compiles the server into `outdir` with the script `npm start` uses (scripts/build.mjs). */
export async function buildServer(outdir: string): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--outdir', outdir]);
}

/**
 * Starts the real server on `port` with `env` (`src/node.ts` under tsx, or a compiled build), and waits
 * until /healthz answers.
 */
export async function startServer(
  port: number,
  env: Record<string, string>,
  options: StartOptions = {},
): Promise<ChildProcess> {
  const node = options.build
    ? [process.execPath, `${options.build}/node.js`]
    : [process.execPath, '--import', 'tsx', 'src/node.ts'];
  const [file, args] = options.fileLimit
    ? ['sh', ['-c', `ulimit -n ${options.fileLimit} && exec "$@"`, 'sh', ...node]]
    : [node[0] as string, node.slice(1)];
  const server = spawn(file, args, {
    // Questions asked by a test server are kept in memory, never in the developer's data/ folder.
    // One process unless a test asks for a cluster (WORKERS), so a suite's expectations hold per process.
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      ANALYTICS_DB: ':memory:',
      WORKERS: '1',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', options.output ? 'pipe' : 'ignore', 'ignore'],
  });
  // A read can end inside a line (and a cluster's processes share the pipe): keep the unfinished tail.
  let partial = '';
  server.stdout?.setEncoding('utf8');
  server.stdout?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    options.output?.push(...parts.filter(Boolean));
  });
  for (let i = 0; i < (options.startTimeoutMs ?? 60_000) / 100; i++) {
    // Exited (a taken port, a bad setting): another process may be answering on the port, so stop here.
    if (server.exitCode !== null)
      throw new Error(`the server for port ${port} exited with code ${server.exitCode}`);
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill('SIGTERM');
  throw new Error(`the server on port ${port} did not start`);
}

/** Resolves with the exit code once `server` has exited. */
export function exited(server: ChildProcess): Promise<number | null> {
  if (server.exitCode !== null) return Promise.resolve(server.exitCode);
  return new Promise((resolve) => server.once('exit', (code) => resolve(code)));
}

/**
 * Stops a test's server and waits until it has exited, so its port is free before the next file in the
 * same pool starts one on it. Resolves to its exit code (null when a signal ended it).
 */
export async function stopServer(
  server: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return server?.exitCode ?? null;
  const exit = exited(server);
  server.kill(signal);
  return exit;
}
