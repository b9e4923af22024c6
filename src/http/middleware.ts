import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { AppError, isAppError } from '../core/errors.ts';
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
    setResponseHeader(c, 'X-Request-Id', requestId);
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

/**
 * Sets (or appends) a header on the response already made. `c.header` would copy the whole response
 * first (Hono rebuilds a finalized one), which on Node costs more than a health probe's own work; the
 * headers are set in place instead, as Hono's secure-headers middleware does. Immutable headers (a
 * fetched or redirect response) fall back to the copy.
 */
function setResponseHeader(c: Context<Env>, name: string, value: string, append = false): void {
  try {
    if (append) c.res.headers.append(name, value);
    else c.res.headers.set(name, value);
  } catch {
    c.header(name, value, { append });
  }
}

/**
 * CORS for `origins` (`*` for any). Preflights are answered by Hono's CORS middleware; other requests get
 * their headers set in place on the response once it is made. (Hono's middleware sets them on a
 * placeholder response that every answer is then copied over, the costliest step of a health probe.)
 */
export function allowOrigins(origins: readonly string[]): MiddlewareHandler<Env> {
  const any = origins.includes('*');
  const exposed = 'x-request-id,retry-after';
  const preflight = cors({
    origin: any ? '*' : [...origins],
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['content-type', 'x-request-id', 'authorization'],
    exposeHeaders: exposed.split(','),
    maxAge: 600,
  });
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    const origin = c.req.header('origin');
    const allowed = any ? '*' : origin && origins.includes(origin) ? origin : undefined;
    if (allowed) setResponseHeader(c, 'Access-Control-Allow-Origin', allowed);
    setResponseHeader(c, 'Access-Control-Expose-Headers', exposed);
    if (!any) setResponseHeader(c, 'Vary', 'Origin', true);
  };
}

/** Answers a thrown value with the error envelope (see `toErrorReply`). */
export function respondWithError(error: unknown, c: Context<Env>, log: Log): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  // Whatever broke after the client hung up (a body stream, a write) broke because it hung up.
  const gone = !isAppError(error) && c.req.raw.signal?.aborted;
  const cause = gone
    ? new AppError('CLIENT_CLOSED', 'The client closed the connection', { cause: error })
    : error;
  const { status, body, headers } = toErrorReply(cause, requestId, log);
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
    const wait = await limiter.take(clientKey(c));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new AppError('RATE_LIMITED', `Too many requests; retry after ${wait} s`, {
        details: { retryAfter: wait },
      });
    }
    return next();
  };
}

/** The same test `@hono/zod-openapi` applies, so a body we accept is never refused by the validator. */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * For a route that takes JSON: a wrong content type (415 UNSUPPORTED_MEDIA_TYPE) or broken JSON
 * (400 INVALID_JSON) gets its own code instead of a generic validation failure. Other methods pass.
 */
export function requireJson(method = 'POST'): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (c.req.method !== method) return next();
    const type = c.req.header('content-type') ?? '';
    if (!JSON_CONTENT_TYPE.test(type)) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the body as JSON (content-type: application/json), not "${type.slice(0, 100) || 'none'}"`,
      );
    }
    try {
      JSON.parse(await c.req.text());
    } catch {
      throw new AppError('INVALID_JSON', 'The request body is not valid JSON');
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

export interface BodyLimits {
  /** Largest body in bytes (MAX_BODY_BYTES). */
  maxBytes: number;
  /** Time allowed for the whole body to arrive, in milliseconds (BODY_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * Reads the whole request body before any handler runs, bounded in size and in time, and hands the
 * handlers an in-memory copy. Reading it up front is what keeps client faults apart from server faults:
 * a body over the limit is a 413, one that stops arriving a 408 (not the 504 of a slow search, and not a
 * connection held for minutes), one whose client hangs up is recorded as 499 rather than thrown as a
 * 500. Hono's bodyLimit bounds the size only, and only while a handler reads.
 */
export function readBody(limits: BodyLimits): MiddlewareHandler<Env> {
  return async (c, next) => {
    const raw = c.req.raw;
    // GET and HEAD carry no body (a Request cannot have one); asking would make the Node adapter build a
    // full Request for every health probe.
    if (raw.method === 'GET' || raw.method === 'HEAD' || !raw.body) return next();
    const declared = Number(raw.headers.get('content-length') ?? Number.NaN);
    if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
    const reader = raw.body.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new AppError('REQUEST_TIMEOUT', `The request body did not arrive within ${limits.timeoutMs} ms`),
        );
      }, limits.timeoutMs);
    });
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await Promise.race([reader.read(), expired]);
        if (done) break;
        size += value.byteLength;
        if (size > limits.maxBytes) throw tooLarge(limits.maxBytes);
        chunks.push(value);
      }
    } catch (error) {
      reader.cancel().catch(() => {});
      if (isAppError(error)) throw error;
      throw new AppError('CLIENT_CLOSED', 'The client closed the connection before sending the whole body', {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(raw, { body });
    return next();
  };
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`);
}
