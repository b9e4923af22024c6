import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../core/errors.ts';
import { toErrorReply } from './errors.ts';
import type { HttpMetrics } from './metrics.ts';
import type { Env } from './openapi.ts';
import type { RateLimiter } from './rate-limit.ts';

/** Structured log sink: one entry per request, plus error causes. */
export type Log = (entry: Record<string, unknown>) => void;

/** An incoming X-Request-Id is kept only if it is a short token that is safe to log and echo. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Outermost middleware: gives every request an id, turns anything thrown into the error envelope,
 * and logs and counts the response.
 */
export function observeRequests(log: Log, metrics?: HttpMetrics): MiddlewareHandler<Env> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    try {
      await next();
    } catch (error) {
      // Hono hands only `Error` instances to onError; anything else thrown (a string, undefined) lands here.
      c.res = respondWithError(error, c, log);
    }
    c.header('X-Request-Id', requestId);
    metrics?.observe(c.req.routePath, c.req.method, c.res.status, (performance.now() - started) / 1000);
    log({
      level: 'info',
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Number((performance.now() - started).toFixed(2)),
    });
  };
}

/** Answers a thrown value with the error envelope (see `toErrorReply`). */
export function respondWithError(error: unknown, c: Context<Env>, log: Log): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  const { status, body, headers } = toErrorReply(error, requestId, log);
  c.header('X-Request-Id', requestId);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(body, status);
}

/** Per-client rate limiting; `skip` exempts requests (health probes, CORS preflights). */
export function rateLimit(
  limiter: RateLimiter,
  clientKey: (c: Context<Env>) => string,
  skip: (c: Context<Env>) => boolean,
): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (skip(c)) return next();
    const wait = limiter.take(clientKey(c));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new AppError('RATE_LIMITED', `Too many requests; retry after ${wait} s`, {
        details: { retryAfter: wait },
      });
    }
    return next();
  };
}

/** Fails a request still running after `ms` with TIMEOUT. */
export function timeLimit(ms: number): MiddlewareHandler<Env> {
  return async (_c, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('TIMEOUT', `The request took longer than ${ms} ms`)), ms);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
