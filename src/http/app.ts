import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { FeedbackStore } from '../feedback/types.ts';
import { handleMcpRequest } from '../mcp/server.ts';
import type { QaService } from '../retrieve/types.ts';
import { createAnalyticsRoutes } from './analytics-routes.ts';
import { createCiteRoutes } from './cite-routes.ts';
import { errorBody, toErrorReply, validationErrorBody } from './errors.ts';
import { createFaviconRoutes } from './favicon.ts';
import { createFeedbackRoutes } from './feedback-routes.ts';
import type { HttpMetrics } from './metrics.ts';
import { DOCS_INIT, demoPage, docsPage, escapeHtml, passagePage, type StaticAssets } from './pages.ts';
import { createRateLimiter } from './rate-limit.ts';
import {
  AskResponseSchema,
  createAskRequestSchema,
  DEFAULT_MAX_HISTORY_TURNS,
  DocumentListSchema,
  DocumentSchema,
  ErrorSchema,
  HealthSchema,
  IdParamSchema,
  PassageContextSchema,
  ReindexStatusSchema,
} from './schemas.ts';
import { allowOnly } from './sub-app.ts';

type LimitKeys =
  | 'MAX_HISTORY_TURNS'
  | 'REQUEST_TIMEOUT_MS'
  | 'RATE_LIMIT_PER_MINUTE'
  | 'TRUST_PROXY'
  | 'CORS_ORIGINS'
  | 'ADMIN_TOKEN';

/** The configuration the HTTP layer reads; limits not given take the defaults of `loadConfig`. */
export type AppConfig = Pick<Config, 'MAX_BODY_BYTES' | 'MAX_QUESTION_CHARS'> &
  Partial<Pick<Config, LimitKeys>>;

/** State of a background rebuild, as reported by the admin endpoint. */
export interface ReindexStatus {
  state: 'idle' | 'running' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  indexBuiltAt?: string;
}

/** What the admin endpoints control: a rebuild in the background and an atomic swap when it succeeds. */
export interface AdminControl {
  /** Starts a rebuild unless one is running; returns the status right after. */
  reindex(): ReindexStatus;
  status(): ReindexStatus;
}

export interface AppDeps {
  service: QaService;
  /** Messaging adapters mounted under /bots. */
  bots?: Hono;
  config: AppConfig;
  /** Structured log sink (one entry per request, plus error causes). */
  log?: (entry: Record<string, unknown>) => void;
  admin?: AdminControl;
  metrics?: HttpMetrics;
  /** Browser assets (widget bundle, Swagger UI); without them the HTML pages are not served. */
  assets?: StaticAssets;
  /** Where readers' feedback goes (`POST /v1/feedback`); with ADMIN_TOKEN also `GET /admin/analytics`. */
  feedback?: { store: FeedbackStore; retentionDays: number };
}

type Env = { Variables: { requestId: string } };

/** An incoming X-Request-Id is kept only if it is a short token that is safe to log and echo. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The same test `@hono/zod-openapi` applies, so a body we accept is never refused by the validator. */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

const ERROR_DESCRIPTIONS = {
  400: 'Invalid request: malformed JSON, a field failing validation, or an unknown filter value',
  404: 'No such id',
  413: 'Body larger than MAX_BODY_BYTES',
  415: 'Body not sent as application/json',
  429: 'Rate limited; see Retry-After',
  500: 'Internal error; the server log has the cause under the request id',
  503: 'Index not ready (loading, missing or stale)',
  504: 'The request took longer than REQUEST_TIMEOUT_MS',
} as const;

/** The documented error responses of a route; all share the error envelope. */
function errorResponses<S extends keyof typeof ERROR_DESCRIPTIONS>(...statuses: S[]) {
  const content = { 'application/json': { schema: ErrorSchema } };
  const responses = {} as Record<S, { description: string; content: typeof content }>;
  for (const status of statuses) responses[status] = { description: ERROR_DESCRIPTIONS[status], content };
  return responses;
}
const serverErrors = errorResponses(429, 500, 503, 504);

/**
 * The HTTP API over a `QaService`. Every response is JSON; every failure uses the error envelope.
 */
export function createApp(deps: AppDeps): OpenAPIHono<Env> {
  const { service, config } = deps;
  const log = deps.log ?? (() => {});
  const limits = {
    maxHistoryTurns: config.MAX_HISTORY_TURNS ?? DEFAULT_MAX_HISTORY_TURNS,
    timeoutMs: config.REQUEST_TIMEOUT_MS ?? 10_000,
    perMinute: config.RATE_LIMIT_PER_MINUTE ?? 600,
  };
  const limiter = createRateLimiter(limits.perMinute);
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(validationErrorBody(result.error), 400);
    },
  });

  app.use('*', async (c, next) => {
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
    deps.metrics?.observe(c.req.routePath, c.req.method, c.res.status, (performance.now() - started) / 1000);
    log({
      level: 'info',
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Number((performance.now() - started).toFixed(2)),
    });
  });

  app.use(
    '*',
    secureHeaders({
      // The widget script and API are meant to be used from other origins.
      crossOriginResourcePolicy: 'cross-origin',
      // Inline styles: the widget styles its shadow root with a <style> element, Swagger UI uses style attributes.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'self'"],
      },
    }),
  );
  const origins = (config.CORS_ORIGINS ?? '*').split(',').map((o) => o.trim());
  app.use(
    '*',
    cors({
      origin: origins.includes('*') ? '*' : origins,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['content-type', 'x-request-id', 'authorization'],
      exposeHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    }),
  );

  app.use('*', async (c, next) => {
    if (c.req.path === '/healthz' || c.req.path === '/metrics' || c.req.method === 'OPTIONS') return next();
    const wait = limiter.take(clientKey(c, config.TRUST_PROXY ?? false));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new AppError('RATE_LIMITED', `Too many requests; retry after ${wait} s`, {
        details: { retryAfter: wait },
      });
    }
    return next();
  });

  app.use('/v1/*', async (_c, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AppError('TIMEOUT', `The request took longer than ${limits.timeoutMs} ms`)),
        limits.timeoutMs,
      );
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  });

  // Every route with a body (the API, /mcp, /bots) is capped, whether or not a content-length is sent.
  app.use(
    '*',
    bodyLimit({
      maxSize: config.MAX_BODY_BYTES,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${config.MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  app.use('/v1/ask', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const type = c.req.header('content-type') ?? '';
    if (!JSON_CONTENT_TYPE.test(type)) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the body as JSON (content-type: application/json), not "${type.slice(0, 100) || 'none'}"`,
      );
    }
    const text = await c.req.text();
    try {
      JSON.parse(text);
    } catch {
      throw new AppError('INVALID_JSON', 'The request body is not valid JSON');
    }
    return next();
  });

  const AskRequestSchema = createAskRequestSchema(config.MAX_QUESTION_CHARS, limits.maxHistoryTurns);
  const askRoute = createRoute({
    method: 'post',
    path: '/v1/ask',
    summary: 'Ranked verbatim passages with citations for a question',
    request: { body: { content: { 'application/json': { schema: AskRequestSchema } }, required: true } },
    responses: {
      200: { description: 'Ranked passages', content: { 'application/json': { schema: AskResponseSchema } } },
      ...errorResponses(400, 413, 415),
      ...serverErrors,
    },
  });
  app.openapi(askRoute, async (c) => c.json(await service.ask(c.req.valid('json')), 200));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/documents',
      summary: 'Every citable document',
      responses: {
        200: { description: 'Documents', content: { 'application/json': { schema: DocumentListSchema } } },
        ...serverErrors,
      },
    }),
    (c) => c.json({ documents: service.listDocuments() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/documents/{id}',
      summary: 'One document',
      request: { params: IdParamSchema },
      responses: {
        200: { description: 'Document', content: { 'application/json': { schema: DocumentSchema } } },
        ...errorResponses(400, 404),
        ...serverErrors,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const document = service.getDocument(id);
      if (!document) throw new AppError('NOT_FOUND', `No document with id "${id}"; see GET /v1/documents`);
      return c.json(document, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/passages/{id}',
      summary: 'One passage with its document and neighbours',
      request: { params: IdParamSchema },
      responses: {
        200: {
          description: 'Passage in context',
          content: { 'application/json': { schema: PassageContextSchema } },
        },
        ...errorResponses(400, 404),
        ...serverErrors,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const context = service.getPassage(id);
      if (!context) throw new AppError('NOT_FOUND', `No passage with id "${id}"`);
      return c.json(context, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness and index facts',
      responses: {
        200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
      },
    }),
    (c) => c.json(service.health(), 200),
  );

  if (deps.metrics) {
    const { registry } = deps.metrics;
    app.get('/metrics', async (c) =>
      c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    );
  }

  const admin = deps.admin;
  const token = config.ADMIN_TOKEN;
  if (admin && token) {
    const authorize = (c: Context<Env>) => {
      const given = c.req.header('authorization') ?? '';
      if (!timingSafeEqual(given, `Bearer ${token}`)) {
        throw new AppError('UNAUTHORIZED', 'Admin endpoints need `Authorization: Bearer <ADMIN_TOKEN>`');
      }
    };
    const statusRoute = (method: 'get' | 'post', summary: string) =>
      createRoute({
        method,
        path: '/admin/reindex',
        summary,
        security: [{ bearer: [] }],
        responses: {
          [method === 'post' ? 202 : 200]: {
            description: 'Rebuild status',
            content: { 'application/json': { schema: ReindexStatusSchema } },
          },
          401: {
            description: 'Missing or wrong token',
            content: { 'application/json': { schema: ErrorSchema } },
          },
        },
      });
    app.openapi(statusRoute('post', 'Rebuild the index in the background and swap it in when done'), (c) => {
      authorize(c);
      return c.json(admin.reindex(), 202 as 200);
    });
    app.openapi(statusRoute('get', 'Status of the last rebuild'), (c) => {
      authorize(c);
      return c.json(admin.status(), 200);
    });
  }

  if (deps.bots) app.route('/bots', deps.bots);
  app.route('/', createCiteRoutes(service));
  if (deps.feedback) app.route('/', createFeedbackRoutes(deps.feedback.store));
  if (deps.feedback && token) app.route('/', createAnalyticsRoutes({ ...deps.feedback, service, token }));

  const assets = deps.assets;
  if (assets) {
    const html = (c: Context<Env>, body: string, status: 200 | 404 = 200) => c.html(body, status);
    app.get('/', (c) => {
      const h = service.health();
      return html(c, demoPage(h.documents, h.passages, new URL(c.req.url).origin));
    });
    app.route('/', createFaviconRoutes());
    app.get('/widget.js', (c) =>
      c.body(assets.widget, 200, {
        'content-type': 'application/javascript; charset=utf-8',
        'cache-control': 'public, max-age=300',
      }),
    );
    app.get('/passages/:id', (c) => {
      const id = c.req.param('id');
      const context = service.getPassage(id);
      if (!context)
        return html(
          c,
          `<!doctype html><title>Not found</title><p>No passage with id ${escapeHtml(id)}.</p>`,
          404,
        );
      const start = Number(c.req.query('start'));
      const end = Number(c.req.query('end'));
      const highlight =
        Number.isFinite(start) && Number.isFinite(end) && end > start ? { start, end } : undefined;
      const previous = context.previousId ? service.getPassage(context.previousId)?.passage : undefined;
      const next = context.nextId ? service.getPassage(context.nextId)?.passage : undefined;
      return html(c, passagePage(context, { previous, next }, highlight));
    });
    app.get('/docs', (c) => html(c, docsPage()));
    app.get('/docs/init.js', (c) =>
      c.body(DOCS_INIT, 200, { 'content-type': 'application/javascript; charset=utf-8' }),
    );
    app.get('/docs/swagger-ui.css', (c) =>
      c.body(assets.swaggerCss, 200, { 'content-type': 'text/css; charset=utf-8' }),
    );
    app.get('/docs/swagger-ui-bundle.js', (c) =>
      c.body(assets.swaggerBundle, 200, { 'content-type': 'application/javascript; charset=utf-8' }),
    );
  }

  // Model Context Protocol over streamable HTTP (stateless JSON responses).
  app.on(['GET', 'POST', 'DELETE'], '/mcp', (c) => handleMcpRequest(service, c.req.raw));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'kz-retrieval-qa',
      version: '0.1.0',
      description: 'Retrieval-only question answering: ranked verbatim passages with exact citations.',
    },
  });

  // Known paths with an unsupported method: 405 with the methods that are supported. Hono answers
  // HEAD with the GET handler, so GET routes allow both.
  const get = 'GET, HEAD';
  const allowed: Array<[string, string]> = [
    ['/v1/ask', 'POST'],
    ['/v1/documents', get],
    ['/v1/documents/:id', get],
    ['/v1/passages/:id', get],
    ['/healthz', get],
    ['/openapi.json', get],
    ['/mcp', 'GET, HEAD, POST, DELETE'],
  ];
  if (deps.metrics) allowed.push(['/metrics', get]);
  if (admin && token) allowed.push(['/admin/reindex', 'GET, HEAD, POST']);
  if (assets) {
    const pages = ['/', '/widget.js', '/passages/:id', '/docs', '/docs/init.js', '/docs/swagger-ui.css'];
    for (const path of [...pages, '/docs/swagger-ui-bundle.js']) allowed.push([path, get]);
  }
  for (const [path, allow] of allowed) allowOnly(app, path, allow);

  app.notFound((c) => c.json(errorBody('NOT_FOUND', `No route ${c.req.method} ${c.req.path}`), 404));

  app.onError((error, c: Context<Env>) => respondWithError(error, c, log));
  return app;
}

/** Who a request counts against for rate limiting. */
function clientKey(c: Context<Env>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function respondWithError(error: unknown, c: Context<Env>, log: NonNullable<AppDeps['log']>): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  const { status, body, headers } = toErrorReply(error, requestId, log);
  c.header('X-Request-Id', requestId);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(body, status);
}
