import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorSchema } from '../../src/http/schemas.ts';
import { exited, startServer, stopServer, testPort } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

/** A raw HTTP/1.1 exchange: sends `text`, resolves with everything the server wrote until it closed. */
function raw(port: number, text: string, options: { localAddress?: string; hangUpAfterMs?: number } = {}) {
  return new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1', localAddress: options.localAddress }, () =>
      socket.write(text),
    );
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    if (options.hangUpAfterMs) setTimeout(() => socket.destroy(), options.hangUpAfterMs);
  });
}

/** Opens a connection that sends `head` (by default half a request head) and then waits. */
function dangling(port: number, head = 'GET /healthz HTTP/1.1\r\nHost: x\r\n'): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.write(head);
      resolve(socket);
    });
    socket.on('error', () => resolve(socket));
  });
}

const statusOf = (response: string) => Number(response.split(' ')[1]);
const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
const get = (path: string, host = 'x') =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

/** Connection-level limits of the real server: header size, body time, client hang-ups, per-client connections, shutdown. */
describe('connection limits of the node server', () => {
  const port = testPort(0);
  const output: string[] = [];
  let server: ChildProcess;

  beforeAll(async () => {
    server = await startServer(
      port,
      {
        ...TEST_INDEX_ENV,
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '0',
        OPS_RATE_LIMIT_PER_MINUTE: '0',
        MAX_HEADER_BYTES: '4096',
        BODY_TIMEOUT_MS: '500',
        KEEP_ALIVE_TIMEOUT_MS: '3000',
        MAX_CONNECTIONS_PER_CLIENT: '4',
      },
      { output },
    );
  });
  afterAll(async () => {
    await stopServer(server, 'SIGKILL');
  });

  it('answers a request head over MAX_HEADER_BYTES with 431 in the error envelope, and one under it normally', async () => {
    const head = (pad: number) =>
      `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: ${'p'.repeat(pad)}\r\n\r\n`;
    expect(statusOf(await raw(port, head(3800)))).toBe(200);
    const refused = await raw(port, head(4200));
    expect(statusOf(refused)).toBe(431);
    expect(ErrorSchema.parse(bodyOf(refused)).error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers a body that stops arriving with 408 after BODY_TIMEOUT_MS', async () => {
    const started = Date.now();
    const response = await raw(
      port,
      'POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"question"',
    );
    expect(statusOf(response)).toBe(408);
    expect(ErrorSchema.parse(bodyOf(response)).error.code).toBe('REQUEST_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('records a client that hangs up mid-body without a 5xx in /metrics or an error in the log', async () => {
    for (const path of ['/v1/ask', '/mcp', '/bots/webhook']) {
      await raw(
        port,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"q`,
        { hangUpAfterMs: 100 },
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).not.toMatch(/http_requests_total\{[^}]*status="5\d\d"\}/);
    const errors = output.map((line) => JSON.parse(line) as { level: number }).filter((l) => l.level >= 50);
    expect(errors).toEqual([]);
  });

  it('answers connections past MAX_CONNECTIONS_PER_CLIENT with 429 and keeps serving other clients', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => dangling(port)));
    const refused = await raw(port, get('/healthz'));
    expect(statusOf(refused)).toBe(429);
    expect(ErrorSchema.parse(bodyOf(refused)).error.code).toBe('RATE_LIMITED');
    expect(statusOf(await raw(port, get('/healthz'), { localAddress: '127.0.0.2' }))).toBe(200);
    for (const socket of held) socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(statusOf(await raw(port, get('/healthz')))).toBe(200);
  });

  it('answers GET /mcp with 405 instead of opening an event stream', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      headers: { accept: 'text/event-stream' },
      signal: AbortSignal.timeout(3000),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('after SIGTERM answers a request sent on an open keep-alive connection, then exits promptly', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = (path: string) =>
      new Promise<{ status: number; connection?: string }>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await call('/v1/documents')).status).toBe(200);
    // An event-stream client that never reads on would have held the shutdown to its forced end.
    const stream = fetch(`http://127.0.0.1:${port}/mcp`, { headers: { accept: 'text/event-stream' } }).catch(
      () => {},
    );
    await new Promise((r) => setTimeout(r, 100));
    const stopping = Date.now();
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    const late = await call('/v1/documents');
    expect(late).toEqual({ status: 200, connection: 'close' });
    expect(await exited(server)).toBe(0);
    // Idle keep-alive connections end at KEEP_ALIVE_TIMEOUT_MS (3 s), well before SHUTDOWN_TIMEOUT_MS (10 s).
    expect(Date.now() - stopping).toBeLessThan(7000);
    await stream;
    agent.destroy();
  });
});

/** With few file descriptors, a flood of connections from one address must not take /healthz down. */
describe('the node server under a lowered open-file limit', () => {
  const port = testPort(1);
  let server: ChildProcess;
  beforeAll(async () => {
    server = await startServer(
      port,
      { ...TEST_INDEX_ENV, OPS_RATE_LIMIT_PER_MINUTE: '0' },
      { fileLimit: 160 },
    );
  });
  afterAll(async () => {
    await stopServer(server, 'SIGKILL');
  });

  it('keeps answering /healthz for other clients while one address opens 300 event streams and half requests', async () => {
    const stream = 'GET /mcp HTTP/1.1\r\nHost: x\r\nAccept: application/json, text/event-stream\r\n\r\n';
    const flood = await Promise.all(
      Array.from({ length: 300 }, (_, i) => dangling(port, i % 2 ? stream : undefined)),
    );
    // Connections past the per-client limit are closed within a second; from then on every probe is answered.
    await new Promise((r) => setTimeout(r, 1500));
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await Promise.race([
        raw(port, get('/healthz'), { localAddress: '127.0.0.2' }),
        new Promise<string>((r) => setTimeout(() => r(''), 2000)),
      ]);
      answers.push(statusOf(response) || 0);
    }
    for (const socket of flood) socket.destroy();
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    expect(server.exitCode).toBeNull();
  });
});
