import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { AppError } from '../core/errors.ts';
import { rateKey } from './client-address.ts';
import { errorBody, toErrorReply } from './errors.ts';
import type { HttpMetrics } from './metrics.ts';
import type { Log } from './middleware.ts';

/** Limits the Node server enforces below the app: connections, header size and timing, shutdown. */
export interface ServerLimits {
  /** Open connections in all (MAX_CONNECTIONS); more are dropped by Node before any work is done. */
  maxConnections: number;
  /** Open connections from one address (MAX_CONNECTIONS_PER_CLIENT); trusted proxies are exempt. */
  maxConnectionsPerClient: number;
  /** Largest request head in bytes (MAX_HEADER_BYTES); larger is a 431. */
  maxHeaderBytes: number;
  /** Time for the request head to arrive (HEADERS_TIMEOUT_MS); slower is a 408. */
  headersTimeoutMs: number;
  /** Time for the body (BODY_TIMEOUT_MS); the app answers 408 first, Node's own timer is the backstop. */
  bodyTimeoutMs: number;
  /** How long an idle keep-alive connection is kept (KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** Longest wait for open connections after SIGTERM before they are cut (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
}

export interface HttpServerOptions {
  fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>;
  limits: ServerLimits;
  log: Log;
  metrics?: HttpMetrics;
  /** Whether a peer address is a trusted proxy (its connections carry many clients). */
  isTrustedProxy?: (address: string) => boolean;
}

export interface HttpServer {
  server: Server;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, lets open connections finish (each answered with `Connection: close`), then resolves. */
  shutdown(): Promise<{ cut: number }>;
  /** Open connections now. */
  connections(): number;
}

/** Room left for the process's own files (index, logs, the reindex child's pipes) below the fd limit. */
const RESERVED_FILE_DESCRIPTORS = 64;

/**
 * The Node HTTP server around the app, with every connection-level limit: per-client and total
 * connections (kept below the process's file-descriptor limit, so a flood of idle connections cannot
 * starve `/healthz` of sockets), request-head size and time, keep-alive, and a graceful shutdown that
 * keeps serving requests already on their way over open keep-alive connections.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { limits, log } = options;
  const overLimit = new WeakSet<Socket>();
  let draining = false;

  const server = createAdaptorServer({
    fetch: (request: Request, env: HttpBindings | Http2Bindings) => {
      const bindings = env as HttpBindings;
      if (!overLimit.has(bindings.incoming.socket)) return options.fetch(request, bindings);
      options.metrics?.observe('(connections)', request.method, 429, 0);
      const { status, body, headers } = toErrorReply(
        new AppError(
          'RATE_LIMITED',
          `More than ${limits.maxConnectionsPerClient} open connections from one address; reuse or close some`,
          { details: { retryAfter: 1 } },
        ),
        'connection-limit',
        log,
      );
      return Response.json(body, { status, headers: { ...headers, connection: 'close' } });
    },
    serverOptions: {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      // Node's whole-request timer backs up the app's body timer, which answers first with a JSON 408.
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 5000,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
  }) as Server;
  server.maxConnections = effectiveMaxConnections(limits.maxConnections, log);

  const perClient = new Map<string, number>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open++;
    const address = socket.remoteAddress ?? 'unknown';
    const key = rateKey(address);
    const count = (perClient.get(key) ?? 0) + 1;
    perClient.set(key, count);
    if (count > limits.maxConnectionsPerClient && !options.isTrustedProxy?.(address)) {
      // Answered 429 at its first request; one that sends nothing is closed soon.
      overLimit.add(socket);
      socket.setTimeout(1000, () => socket.destroy());
    }
    socket.once('close', () => {
      open--;
      const left = (perClient.get(key) ?? 1) - 1;
      if (left > 0) perClient.set(key, left);
      else perClient.delete(key);
    });
  });

  // During shutdown every response closes its connection, so clients move to another instance.
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (draining) response.setHeader('connection', 'close');
  });

  // Requests Node refuses before the app sees them still get the JSON error envelope and are counted.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', `Request headers are larger than ${limits.maxHeaderBytes} bytes`]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time']
          : [400, 'INVALID_REQUEST', 'Malformed HTTP request'];
    const body = JSON.stringify(errorBody(code, message));
    options.metrics?.observe('(http parser)', '-', status, 0);
    log({ level: 'info', msg: 'refused before routing', status, code: error.code });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  return {
    server,
    connections: () => open,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    shutdown() {
      draining = true;
      return new Promise((resolve) => {
        // net.Server's close stops accepting but, unlike http.Server's, leaves idle keep-alive connections
        // open: a request a client already sent on one is answered (with Connection: close) instead of
        // meeting a reset. Idle ones end at their keep-alive timeout, as they would anyway.
        const timer = setTimeout(() => {
          const cut = open;
          server.closeAllConnections();
          resolve({ cut });
        }, limits.shutdownTimeoutMs);
        timer.unref();
        NetServer.prototype.close.call(server, () => {
          clearTimeout(timer);
          resolve({ cut: 0 });
        });
      });
    },
  };
}

/** MAX_CONNECTIONS, lowered when the process may not open that many files. */
function effectiveMaxConnections(configured: number, log: Log): number {
  const limit = fileDescriptorLimit();
  if (limit === undefined || configured <= limit - RESERVED_FILE_DESCRIPTORS) return configured;
  const lowered = Math.max(1, limit - RESERVED_FILE_DESCRIPTORS);
  log({
    level: 'warn',
    msg: `MAX_CONNECTIONS ${configured} is above the open-file limit ${limit}; using ${lowered}`,
  });
  return lowered;
}

/** The soft limit on open files (Linux), or undefined where it cannot be read. */
function fileDescriptorLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}
