import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { constantTimeEqual } from '../core/compare.ts';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { FeedbackStore } from '../feedback/types.ts';
import { createMcpRoutes } from '../mcp/routes.ts';
import type { QaService } from '../retrieve/types.ts';
import { createClientKey } from './client-address.ts';
import { errorBody } from './errors.ts';
import { exampleValues } from './examples.ts';
import type { HttpMetrics } from './metrics.ts';
import {
  allowOrigins,
  type Log,
  observeRequests,
  rateLimit,
  readBody,
  requestHeader,
  respondWithError,
  timeLimit,
} from './middleware.ts';
import { createOpenApiApp, type Env, errorResponses } from './openapi.ts';
import type { StaticAssets } from './pages.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { type AdminControl, createAdminRoutes } from './routes/admin.ts';
import { createAnalyticsRoutes } from './routes/analytics.ts';
import { createApiRoutes } from './routes/api.ts';
import { createCiteRoutes } from './routes/cite.ts';
import { createFeedbackRoutes } from './routes/feedback.ts';
import { createOpsRoutes } from './routes/ops.ts';
import { createPageRoutes } from './routes/pages.ts';
import { DEFAULT_MAX_HISTORY_TURNS, DEFAULT_MAX_TOP_K } from './schemas.ts';

export type { AdminControl, ReindexStatus } from './routes/admin.ts';

type LimitKeys =
  | 'MAX_HISTORY_TURNS'
  | 'REQUEST_TIMEOUT_MS'
  | 'BODY_TIMEOUT_MS'
  | 'RATE_LIMIT_PER_MINUTE'
  | 'OPS_RATE_LIMIT_PER_MINUTE'
  | 'MAX_TOP_K'
  | 'TRUST_PROXY'
  | 'CORS_ORIGINS'
  | 'ADMIN_TOKEN'
  | 'MAX_DOCUMENT_BYTES';

/** The configuration the HTTP layer reads; limits not given take the defaults of `loadConfig`. */
export type AppConfig = Pick<Config, 'MAX_BODY_BYTES' | 'MAX_QUESTION_CHARS'> &
  Partial<Pick<Config, LimitKeys>>;

export interface AppDeps {
  service: QaService;
  /** Messaging adapters mounted under /bots. */
  bots?: Hono<Env>;
  config: AppConfig;
  /** Structured log sink (one entry per request, plus error causes). */
  log?: Log;
  admin?: AdminControl;
  metrics?: HttpMetrics;
  /** Browser assets (widget bundle, Swagger UI); without them the HTML pages are not served. */
  assets?: StaticAssets;
  /** Where readers' feedback goes (`POST /v1/feedback`); with ADMIN_TOKEN also `/admin/analytics`. */
  feedback?: { store: FeedbackStore; retentionDays: number };
  /** The client's address as the runtime sees it (default: the Node socket's peer address). */
  clientAddress?: (c: Context<Env>) => string | undefined;
  /** Where rate-limit buckets live (default: in this process's memory). */
  rateLimiter?: (perMinute: number) => RateLimiter;
}

/**
 * The whole HTTP surface: shared middleware (request ids, logs, metrics, security headers, CORS, rate
 * and body limits), then one sub-app per area composed with `app.route`. Every response is JSON except
 * the pages and `/metrics`; every failure uses the error envelope.
 */
export function createApp(deps: AppDeps): OpenAPIHono<Env> {
  const { service, config } = deps;
  const log = deps.log ?? (() => {});
  const app = createOpenApiApp();
  const examples = exampleValues(service);

  const cors = allowOrigins((config.CORS_ORIGINS ?? '*').split(',').map((o) => o.trim()));
  app.use('*', observeRequests(log, deps.metrics, cors));
  const clientKey = createClientKey(config.TRUST_PROXY ?? false);
  const address = deps.clientAddress ?? socketAddress;
  const keyOf = (c: Context<Env>) => clientKey(address(c), requestHeader(c, 'x-forwarded-for'));
  const limiter = deps.rateLimiter ?? ((perMinute: number) => createRateLimiter(perMinute));
  // Probes and scrapes have their own, smaller budget: API traffic cannot starve them, and they are not
  // a way around the API's limit either. A limit of 0 is no limit: nothing is asked of the limiter (in a
  // cluster that would be a round trip to the primary for every request).
  const isOps = (c: Context<Env>) => c.req.path === '/healthz' || c.req.path === '/metrics';
  const opsLimit = config.OPS_RATE_LIMIT_PER_MINUTE ?? 120;
  const apiLimit = config.RATE_LIMIT_PER_MINUTE ?? 600;
  if (opsLimit > 0 || apiLimit > 0) {
    const ops = opsLimit > 0 ? limiter(opsLimit) : undefined;
    const api = apiLimit > 0 ? limiter(apiLimit) : undefined;
    app.use(
      '*',
      rateLimit(keyOf, (c) => (isOps(c) ? ops : c.req.method === 'OPTIONS' ? undefined : api)),
    );
  }
  // Probes take no body and need no time limit: mounted before those layers, a GET never passes through
  // them (other methods on these paths still do, on their way to the 405).
  app.route('/', createOpsRoutes(service, deps.metrics));
  // Every route with a body (the API, /mcp, /bots) gets it read in full first, bounded in size and time,
  // so that the time limit below measures the server's own work only.
  const bodyTimeoutMs = config.BODY_TIMEOUT_MS ?? 10_000;
  const readSmallBody = readBody({ maxBytes: config.MAX_BODY_BYTES, timeoutMs: bodyTimeoutMs });
  // Document uploads may be as large as a corpus file (plus multipart framing); without the admin
  // token they are refused before any of the body is read.
  const readUpload = readBody({
    maxBytes: (config.MAX_DOCUMENT_BYTES ?? 20 * 1024 * 1024) + 64 * 1024,
    timeoutMs: Math.max(bodyTimeoutMs, 120_000),
  });
  const adminToken = config.ADMIN_TOKEN;
  app.use('*', (c, next) => {
    if (adminToken === undefined || c.req.method !== 'POST' || c.req.path !== '/admin/documents') {
      return readSmallBody(c, next);
    }
    if (!constantTimeEqual(requestHeader(c, 'authorization') ?? '', `Bearer ${adminToken}`)) {
      throw new AppError('UNAUTHORIZED', 'Admin endpoints need `Authorization: Bearer <ADMIN_TOKEN>`');
    }
    return readUpload(c, next);
  });
  app.use('/v1/*', timeLimit(config.REQUEST_TIMEOUT_MS ?? 10_000));

  const limits = {
    maxQuestionChars: config.MAX_QUESTION_CHARS,
    maxHistoryTurns: config.MAX_HISTORY_TURNS ?? DEFAULT_MAX_HISTORY_TURNS,
    maxTopK: config.MAX_TOP_K ?? DEFAULT_MAX_TOP_K,
  };
  app.route('/', createApiRoutes(service, limits, examples));
  app.route('/', createCiteRoutes(service, examples));
  if (deps.feedback) app.route('/', createFeedbackRoutes(deps.feedback.store));
  if (deps.admin && config.ADMIN_TOKEN)
    app.route('/admin', createAdminRoutes(deps.admin, config.ADMIN_TOKEN));
  if (deps.feedback && config.ADMIN_TOKEN)
    app.route('/admin', createAnalyticsRoutes({ ...deps.feedback, service, token: config.ADMIN_TOKEN }));
  if (deps.bots) app.route('/bots', deps.bots);
  if (deps.assets) app.route('/', createPageRoutes(service, deps.assets, examples));
  app.route('/mcp', createMcpRoutes(service, limits));

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    responses: {
      200: {
        description: 'OpenAPI 3.1',
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
      ...errorResponses(429),
    },
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'kz-retrieval-qa',
      version: '0.1.0',
      description: 'Retrieval-only question answering: ranked verbatim passages with exact citations.',
    },
  });

  answerUnsupportedMethods(app);
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `No route ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c: Context<Env>) => respondWithError(error, c, log));
  return app;
}

/**
 * Known paths with an unsupported method get 405 with an `Allow` header listing the methods that are
 * supported, derived from the routes registered so far (so a new sub-app needs no list to keep up).
 * Hono answers HEAD with the GET handler, so GET routes allow both.
 */
function answerUnsupportedMethods(app: Hono<Env>): void {
  const methods = new Map<string, Set<string>>();
  for (const route of app.routes) {
    // `use` middleware is registered under the method ALL; it handles nothing by itself.
    if (route.method === 'ALL') continue;
    const set = methods.get(route.path) ?? new Set<string>();
    set.add(route.method);
    if (route.method === 'GET') set.add('HEAD');
    methods.set(route.path, set);
  }
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
  for (const [path, set] of methods) {
    const allow = [...set].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(', ');
    app.all(path, (c) => {
      c.header('Allow', allow);
      return c.json(
        errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not supported on ${c.req.path}; use ${allow}`),
        405,
      );
    });
  }
}

/** The socket's peer address on Node (`@hono/node-server` passes the IncomingMessage as `incoming`). */
function socketAddress(c: Context<Env>): string | undefined {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
    ?.remoteAddress;
}
