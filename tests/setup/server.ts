import { type ChildProcess, spawn } from 'node:child_process';

/** Starts `src/node.ts` as a real server on `port` with `env`, and waits until /healthz answers. */
export async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    // Questions asked by a test server are kept in memory, never in the developer's data/ folder.
    env: { ...process.env, LOG_LEVEL: 'silent', ANALYTICS_DB: ':memory:', ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  for (let i = 0; i < 600; i++) {
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
