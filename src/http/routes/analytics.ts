import { type RouteConfig, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { constantTimeEqual } from '../../core/compare.ts';
import { AppError } from '../../core/errors.ts';
import { parseWith } from '../../core/validate.ts';
import { type AnalyticsReport, summarize } from '../../feedback/report.ts';
import { CHANNELS, type FeedbackStore, type StoredAsk } from '../../feedback/types.ts';
import type { QaService } from '../../retrieve/types.ts';
import { respondWithPage } from '../middleware.ts';
import { createOpenApiApp, documented, type Env, errorResponses, registerAdminAuth } from '../openapi.ts';
import { ErrorSchema } from '../schemas.ts';

/**
 * The pages (their charts use d3) and the CSV export (csv-stringify) are imported on first use: only an
 * administrator opens them, and every server would otherwise load those packages at start.
 */
const pages = () => import('../analytics-page.ts');

export interface AnalyticsRoutesOptions {
  store: FeedbackStore;
  service: Pick<QaService, 'listDocuments'>;
  /** ADMIN_TOKEN: a bearer token for scripts, or a browser session opened with it. */
  token: string;
  retentionDays: number;
  now?: () => number;
}

const SESSION_COOKIE = 'kzqa_admin';
const SESSION_HOURS = 8;
const DAY_MS = 86_400_000;
const TOP = 10;
const HTML = 'text/html';

/** Which browser paths a successful sign-in may return to (never another site). */
const NEXT = /^\/admin\/analytics(\?[\w=&%.-]*)?$/;

const QuestionStatsSchema = z.object({
  question: z.string(),
  count: z.number().int(),
  low: z.number().int(),
  up: z.number().int(),
  down: z.number().int(),
  reasons: z.array(z.string()),
  lastAsked: z.string(),
});

export const AnalyticsReportSchema = z
  .object({
    range: z.object({ from: z.string(), to: z.string(), days: z.number().int() }),
    totals: z.object({
      questions: z.number().int(),
      lowConfidence: z.number().int(),
      lowShare: z.number().min(0).max(1),
      up: z.number().int(),
      down: z.number().int(),
    }),
    perDay: z.array(
      z.object({
        date: z.string(),
        questions: z.number().int(),
        low: z.number().int(),
        up: z.number().int(),
        down: z.number().int(),
      }),
    ),
    topQuestions: z.array(QuestionStatsSchema),
    unanswered: z.array(QuestionStatsSchema),
    disliked: z.array(QuestionStatsSchema),
    topDocuments: z.array(
      z.object({
        documentId: z.string(),
        title: z.string(),
        answers: z.number().int(),
        top: z.number().int(),
      }),
    ),
  })
  .openapi('AnalyticsReport');

const StoredAskSchema = z.object({
  id: z.string(),
  at: z.number(),
  channel: z.enum(CHANNELS),
  question: z.string(),
  confidence: z.enum(['high', 'medium', 'low']),
  passageIds: z.array(z.string()),
  documentIds: z.array(z.string()),
  feedback: z
    .object({ rating: z.enum(['up', 'down']), reason: z.string().optional(), at: z.number() })
    .optional(),
});

export const AnalyticsExportSchema = z
  .object({ range: z.object({ from: z.string(), to: z.string() }), asks: z.array(StoredAskSchema) })
  .openapi('AnalyticsExport');

/**
 * `/admin/analytics` (a page with charts, or JSON), `/admin/analytics/export` (CSV or JSON rows), and a
 * cookie session for browsers: `POST /admin/login` with the admin token, `POST /admin/logout`. Scripts
 * send `Authorization: Bearer <ADMIN_TOKEN>` instead. Mounted at `/admin` when a token is configured.
 */
export function createAnalyticsRoutes(options: AnalyticsRoutesOptions) {
  const { store, token, retentionDays } = options;
  const now = options.now ?? Date.now;
  const app = createOpenApiApp();
  registerAdminAuth(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminSession', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Browser session opened by POST /admin/login',
  });

  const days = z.coerce
    .number()
    .int()
    .min(1)
    .max(retentionDays, `at most ${retentionDays} (ANALYTICS_RETENTION_DAYS)`)
    .default(Math.min(30, retentionDays))
    .openapi({ description: 'Whole UTC days up to today', example: 7 });
  const ReportQuerySchema = z.object({
    days,
    format: z
      .enum(['html', 'json'])
      .optional()
      .openapi({ description: 'Default: html when the Accept header asks for it, else json' }),
  });
  const ExportQuerySchema = z.object({
    days,
    format: z.enum(['csv', 'json']).default('csv').openapi({ description: 'CSV file or JSON rows' }),
  });

  /** Whole UTC days: today plus the days before it. */
  const rangeOf = (days: number) => {
    const to = Math.floor(now() / DAY_MS) * DAY_MS + DAY_MS;
    return { from: to - days * DAY_MS, to };
  };
  const wantsHtml = (c: Context, format?: string) =>
    format ? format === 'html' : (c.req.header('accept') ?? '').includes(HTML);

  const authorized = async (c: Context): Promise<boolean> => {
    const header = c.req.header('authorization');
    if (header !== undefined) return constantTimeEqual(header, `Bearer ${token}`);
    const session = await getSignedCookie(c, token, SESSION_COOKIE);
    return typeof session === 'string' && Number(session) > now();
  };
  const requireAdmin: MiddlewareHandler<Env> = async (c, next) => {
    if (await authorized(c)) return next();
    if (c.req.method === 'GET' && wantsHtml(c, c.req.query('format'))) {
      const next = `${c.req.path}${new URL(c.req.url).search}`;
      return respondWithPage(c, (await pages()).loginPage(NEXT.test(next) ? next : '/admin/analytics'), 401);
    }
    throw new AppError(
      'UNAUTHORIZED',
      'Analytics needs `Authorization: Bearer <ADMIN_TOKEN>` or a session from POST /admin/login',
    );
  };
  app.use('/analytics', requireAdmin);
  app.use('/analytics/*', requireAdmin);

  const guarded = (route: Omit<RouteConfig, 'method'>): RouteConfig => ({
    ...route,
    method: 'get',
    tags: ['analytics'],
    security: [{ bearer: [] }, { adminSession: [] }],
  });
  const guardedErrors = {
    ...errorResponses(400, 429),
    401: {
      description: 'Missing or wrong credentials (a browser asking for HTML gets the sign-in page)',
      content: { 'application/json': { schema: ErrorSchema }, [HTML]: { schema: z.string() } },
    },
  };

  documented(
    app,
    guarded({
      path: '/analytics',
      operationId: 'analytics',
      summary: 'Questions per day, low-confidence share, top and disliked questions, most cited documents',
      request: { query: ReportQuerySchema },
      responses: {
        200: {
          description: 'The report, as JSON or as a page with charts',
          content: { 'application/json': { schema: AnalyticsReportSchema }, [HTML]: { schema: z.string() } },
        },
        ...guardedErrors,
      },
    }),
    async (c) => {
      const query = parseWith(ReportQuerySchema, c.req.query());
      const range = rangeOf(query.days);
      const titles = new Map(options.service.listDocuments().map((d) => [d.id, d.title]));
      const report: AnalyticsReport = summarize(await store.listAsks(range), range, {
        top: TOP,
        titleOf: (id) => titles.get(id),
      });
      c.header('cache-control', 'no-store');
      if (wantsHtml(c, query.format))
        return respondWithPage(c, (await pages()).analyticsPage(report, { days: query.days, retentionDays }));
      return c.json(report satisfies z.infer<typeof AnalyticsReportSchema>, 200);
    },
  );

  documented(
    app,
    guarded({
      path: '/analytics/export',
      operationId: 'analyticsExport',
      summary: 'Every question of the period with its feedback, as CSV (formulas escaped) or JSON',
      request: { query: ExportQuerySchema },
      responses: {
        200: {
          description: 'One row per question',
          content: {
            'text/csv': { schema: z.string() },
            'application/json': { schema: AnalyticsExportSchema },
          },
        },
        ...guardedErrors,
      },
    }),
    async (c) => {
      const query = parseWith(ExportQuerySchema, c.req.query());
      const range = rangeOf(query.days);
      const asks: StoredAsk[] = await store.listAsks(range);
      c.header('cache-control', 'no-store');
      if (query.format === 'json') {
        const from = new Date(range.from).toISOString();
        const to = new Date(range.to).toISOString();
        return c.json({ range: { from, to }, asks } satisfies z.infer<typeof AnalyticsExportSchema>, 200);
      }
      const name = `questions-${new Date(range.from).toISOString().slice(0, 10)}-${query.days}d.csv`;
      const { asksToCsv } = await import('../../feedback/export.ts');
      return c.body(asksToCsv(asks), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name}"`,
      });
    },
  );

  const LoginFormSchema = z
    .object({
      token: z.string().max(1000).openapi({ description: 'ADMIN_TOKEN', example: 'ADMIN_TOKEN' }),
      next: z
        .string()
        .max(1000)
        .optional()
        .openapi({ description: 'Where to go after signing in (an analytics page)' }),
    })
    .openapi('AdminLogin');
  const redirect = (description: string) => ({
    303: { description, headers: z.object({ location: z.string() }) },
  });

  documented(
    app,
    {
      method: 'post',
      path: '/login',
      operationId: 'adminLogin',
      summary: 'Open a browser session for the analytics pages with the admin token',
      tags: ['analytics'],
      request: {
        body: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: LoginFormSchema,
              example: { token: 'ADMIN_TOKEN', next: '/admin/analytics?days=7' },
            },
          },
        },
      },
      responses: {
        ...redirect('Signed in: a session cookie (8 hours), and on to `next`'),
        401: {
          description: 'Wrong token: the sign-in page again',
          content: { [HTML]: { schema: z.string() } },
        },
        ...errorResponses(408, 413, 429),
      },
    },
    async (c) => {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const given = typeof form.token === 'string' ? form.token : '';
      const next = typeof form.next === 'string' && NEXT.test(form.next) ? form.next : '/admin/analytics';
      if (!constantTimeEqual(given, token))
        return respondWithPage(c, (await pages()).loginPage(next, 'That is not the admin token.'), 401);
      const expires = now() + SESSION_HOURS * 3_600_000;
      await setSignedCookie(c, SESSION_COOKIE, String(expires), token, {
        path: '/admin',
        httpOnly: true,
        sameSite: 'Strict',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: SESSION_HOURS * 3600,
      });
      return c.redirect(next, 303);
    },
  );

  documented(
    app,
    {
      method: 'post',
      path: '/logout',
      operationId: 'adminLogout',
      summary: 'End the browser session',
      tags: ['analytics'],
      responses: { ...redirect('Signed out; on to the sign-in page'), ...errorResponses(429) },
    },
    (c) => {
      deleteCookie(c, SESSION_COOKIE, { path: '/admin' });
      return c.redirect('/admin/analytics', 303);
    },
  );
  return app;
}
