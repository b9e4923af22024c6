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

/** HSTS for a year-ish and subdomains; browsers ignore it over plain HTTP, so it is sent everywhere. */
const HSTS = ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'] as const;

/**
 * Security headers of every response that is not an HTML page (JSON answers and errors, `/metrics`, the
 * widget script, styles, icons): the set OWASP's REST Security Cheat Sheet asks of API responses. Nothing
 * may be loaded by or framed from them (`default-src 'none'; frame-ancestors 'none'`, with
 * `X-Frame-Options: DENY` for browsers without CSP 2), no MIME sniffing, HTTPS only, and nothing stored
 * by caches unless the route says otherwise (the widget script and the icon set their own
 * `Cache-Control`). The headers that only steer how a browser renders a document are left to pages: on
 * a JSON body they do nothing, and each header is a measurable share of a health probe's cost.
 */
export const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  HSTS,
  ['Cache-Control', 'no-store'],
];

/**
 * Security headers of HTML pages (`respondWithPage`: the demo page, passage pages, the API docs, the
 * analytics pages), as Helmet-style defaults: the same set Hono's `secureHeaders` sends with these
 * options. Pages may be linked to and framed by this origin only; the widget script and pages may be used
 * from other origins (`Cross-Origin-Resource-Policy`); the widget styles its shadow root with a <style>
 * element and Swagger UI uses style attributes (`'unsafe-inline'` styles).
 */
export const DOCUMENT_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  HSTS,
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
  [
    'Content-Security-Policy',
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'",
  ],
];

/**
 * Answers with an HTML page. Pages are the only responses that get `DOCUMENT_SECURITY_HEADERS`; every
 * HTML response goes through here (a test checks each page route).
 */
export function respondWithPage(c: Context<Env>, html: string, status: 200 | 401 | 404 = 200): Response {
  c.set('document', true);
  return c.html(html, status);
}

/** The parts of `@hono/node-server`'s bindings read here (absent on other runtimes and in `app.request`). */
interface NodeBindings {
  incoming?: NodeIncoming;
  outgoing?: { headersSent: boolean; setHeader(name: string, value: string): unknown };
}

/** Node's request and response under `c`, when the Node adapter serves it. */
const nodeBindings = (c: Context<Env>) => c.env as NodeBindings | undefined;

/**
 * A request header by its lower-case name. On Node it is read from the IncomingMessage: asking the web
 * Request instead makes the adapter build a `Headers` object of every header, a good share of a health
 * probe's cost.
 */
export function requestHeader(c: Context<Env>, name: string): string | undefined {
  const incoming = nodeBindings(c)?.incoming;
  if (!incoming?.headers) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Outermost middleware: gives every request an id, answers CORS preflights, turns anything thrown into
 * the error envelope, sets the headers every response carries (the security headers of its kind, CORS for
 * requests that are not preflights, the request id) in one pass, and logs and counts the response.
 */
export function observeRequests(
  log: Log,
  metrics: HttpMetrics | undefined,
  cors: CorsHeaders,
): MiddlewareHandler<Env> {
  return async (c, next) => {
    const incoming = requestHeader(c, 'x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    try {
      // A preflight is answered here rather than by a middleware layer of its own: one layer fewer for
      // every other request.
      if (c.req.method !== 'OPTIONS') await next();
      else {
        const answer = await cors.preflight(c, next);
        if (answer) c.res = answer;
      }
    } catch (error) {
      // Hono hands only `Error` instances to onError; anything else thrown (a string, undefined) lands here.
      c.res = respondWithError(error, c, log);
    }
    setCommonHeaders(c, requestId, cors);
    const status = c.res.status;
    const ms = performance.now() - started;
    metrics?.observe(c.req.routePath, c.req.method, status, ms / 1000);
    log({
      level: 'info',
      requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round(ms * 100) / 100,
    });
  };
}

/**
 * Sets the common headers once the response is made; a header the response already has is left as it is
 * (`Vary` is added to). On Node they go straight to the ServerResponse, where the adapter merges them
 * with the response's own when it writes the head: setting them on the web Response instead costs a
 * `Headers` object, a validation per header and a sorted copy when the adapter reads them back, more than
 * the rest of a health probe. Elsewhere (Workers, `app.request`) they are set in place on the response;
 * `c.header` would copy the whole response first (Hono rebuilds a finalized one), so it is only the
 * fallback for immutable headers (a fetched or redirect response).
 */
function setCommonHeaders(c: Context<Env>, requestId: string, cors: CorsHeaders): void {
  const simple = c.req.method !== 'OPTIONS';
  const origin = simple ? cors.allowedOrigin(c) : undefined;
  const outgoing = nodeBindings(c)?.outgoing;
  const set =
    outgoing && typeof outgoing.setHeader === 'function' && !outgoing.headersSent
      ? (name: string, value: string) => outgoing.setHeader(name, value)
      : (name: string, value: string) => {
          if (!c.res.headers.has(name)) setResponseHeader(c, name, value);
        };
  for (const [name, value] of c.get('document') ? DOCUMENT_SECURITY_HEADERS : API_SECURITY_HEADERS)
    set(name, value);
  set('X-Request-Id', requestId);
  if (origin) set('Access-Control-Allow-Origin', origin);
  if (simple) set('Access-Control-Expose-Headers', cors.exposed);
  if (simple && !cors.any) setResponseHeader(c, 'Vary', 'Origin', true);
}

function setResponseHeader(c: Context<Env>, name: string, value: string, append = false): void {
  try {
    if (append) c.res.headers.append(name, value);
    else c.res.headers.set(name, value);
  } catch {
    c.header(name, value, { append });
  }
}

/** CORS for `origins` (`*` for any): the preflight middleware, and what other responses carry. */
export interface CorsHeaders {
  any: boolean;
  /** `Access-Control-Expose-Headers` of responses to requests that are not preflights. */
  exposed: string;
  /** `Access-Control-Allow-Origin` of a response to `c`, if its origin is allowed. */
  allowedOrigin(c: Context<Env>): string | undefined;
  /** Answers a preflight (OPTIONS) with Hono's CORS middleware. */
  preflight: MiddlewareHandler<Env>;
}

/**
 * CORS for `origins` (`*` for any). Preflights are answered by Hono's CORS middleware; other requests get
 * their headers from `observeRequests`, set in place on the response once it is made. (Hono's middleware
 * sets them on a placeholder response that every answer is then copied over, the costliest step of a
 * health probe.)
 */
export function allowOrigins(origins: readonly string[]): CorsHeaders {
  const any = origins.includes('*');
  const exposed = 'x-request-id,retry-after';
  const preflight = cors({
    origin: any ? '*' : [...origins],
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['content-type', 'x-request-id', 'authorization'],
    exposeHeaders: exposed.split(','),
    maxAge: 600,
  });
  return {
    any,
    exposed,
    allowedOrigin: (c) => {
      if (any) return '*';
      const origin = requestHeader(c, 'origin');
      return origin && origins.includes(origin) ? origin : undefined;
    },
    preflight,
  };
}

/** Answers a thrown value with the error envelope (see `toErrorReply`). */
export function respondWithError(error: unknown, c: Context<Env>, log: Log): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  // Whatever broke after the client hung up (a body stream, a write) broke because it hung up.
  const gone = !isAppError(error) && clientGone(c);
  const cause = gone
    ? new AppError('CLIENT_CLOSED', 'The client closed the connection', { cause: error })
    : error;
  const { status, body, headers } = toErrorReply(cause, requestId, log);
  // The request id is added by `observeRequests`, with the other headers every response carries.
  return c.json(body, status, headers);
}

/**
 * Whether the client has hung up. On Node the socket says so (the Request the body reader hands on has
 * no abort signal of the adapter's); elsewhere the request's signal does.
 */
function clientGone(c: Context<Env>): boolean {
  const incoming = nodeBindings(c)?.incoming;
  if (incoming?.socket) return incoming.socket.destroyed === true;
  return c.req.raw.signal?.aborted === true;
}

/**
 * Per-client rate limiting with the limiter `limiterOf` picks for a request (probes and API calls have
 * budgets of their own); none exempts it (CORS preflights, a limit that is off).
 */
export function rateLimit(
  clientKey: (c: Context<Env>) => string,
  limiterOf: (c: Context<Env>) => RateLimiter | undefined,
): MiddlewareHandler<Env> {
  return async (c, next) => {
    const limiter = limiterOf(c);
    if (!limiter) return next();
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
    const type = requestHeader(c, 'content-type') ?? '';
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

/** Methods whose body is read (and bounded) before the routes. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads the whole request body before any handler runs, bounded in size and in time, and hands the
 * handlers an in-memory copy. Reading it up front is what keeps client faults apart from server faults:
 * a body over the limit is a 413, one that stops arriving a 408 (not the 504 of a slow search, and not a
 * connection held for minutes), one whose client hangs up is recorded as 499 rather than thrown as a
 * 500. Hono's bodyLimit bounds the size only, and only while a handler reads.
 *
 * On Node the body is read from the IncomingMessage itself: going through the web Request would make
 * the adapter build a full Request, an abort controller and a web stream over the Node stream first,
 * the larger part of what a rejected POST costs.
 */
export function readBody(limits: BodyLimits): MiddlewareHandler<Env> {
  const read: MiddlewareHandler<Env> = async (c, next) => {
    const raw = c.req.raw;
    const declared = Number(requestHeader(c, 'content-length') ?? Number.NaN);
    if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
    const incoming = nodeBindings(c)?.incoming;
    let body: Uint8Array;
    if (incoming && typeof incoming.on === 'function') {
      body = await readNodeBody(incoming, limits);
    } else {
      if (!raw.body) return next();
      body = await readWebBody(raw.body, limits);
    }
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: body as BodyInit });
    return next();
  };
  // Only methods our routes take a body with are read. GET and HEAD carry none (asking would make the
  // Node adapter build a full Request for every health probe), and a web Request cannot even be made
  // with TRACE or CONNECT: those go on to the router, which answers 404 or 405. They pass without a
  // promise of this layer's own.
  return (c, next) => (BODY_METHODS.has(c.req.method) ? read(c, next) : next());
}

/** The parts of Node's IncomingMessage read here. */
interface NodeIncoming {
  headers: Record<string, string | string[] | undefined>;
  readableEnded: boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  socket?: { destroyed?: boolean } | null;
}

function readNodeBody(incoming: NodeIncoming, limits: BodyLimits): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: AppError) => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onClose);
      incoming.off('close', onClose);
      if (error) {
        // The adapter drains (or closes) what is left once the answer is sent.
        incoming.pause();
        reject(error);
      } else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limits.maxBytes) finish(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onClose = (error?: unknown) => finish(bodyCutShort(error));
    const timer = setTimeout(() => finish(bodyTimedOut(limits)), limits.timeoutMs);
    if (incoming.readableEnded) {
      finish();
      return;
    }
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onClose);
    incoming.on('close', onClose);
  });
}

async function readWebBody(stream: ReadableStream<Uint8Array>, limits: BodyLimits): Promise<Uint8Array> {
  const reader = stream.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimedOut(limits)), limits.timeoutMs);
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
    throw bodyCutShort(error);
  } finally {
    clearTimeout(timer);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function bodyTimedOut(limits: BodyLimits): AppError {
  return new AppError('REQUEST_TIMEOUT', `The request body did not arrive within ${limits.timeoutMs} ms`);
}

/** The body stopped arriving because the client hung up (`cause`: the stream's error, if it gave one). */
function bodyCutShort(cause: unknown): AppError {
  return new AppError('CLIENT_CLOSED', 'The client closed the connection before sending the whole body', {
    ...(cause === undefined ? {} : { cause }),
  });
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`);
}
