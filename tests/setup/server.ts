import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Starts `src/node.ts` as a real server on `port` with `env`, and waits until /healthz answers. With
 * `output`, the server's stdout and stderr are collected there.
 */
export async function startServer(
  port: number,
  env: Record<string, string>,
  output?: { text: string },
): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env, PORT: String(port) },
    stdio: output ? ['ignore', 'pipe', 'pipe'] : 'ignore',
  });
  if (output) {
    const take = (chunk: Buffer) => {
      output.text += chunk.toString('utf8');
    };
    server.stdout?.on('data', take);
    server.stderr?.on('data', take);
  }
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
