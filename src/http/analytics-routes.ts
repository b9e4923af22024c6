import { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { timingSafeEqual } from 'hono/utils/buffer';
import { AppError } from '../core/errors.ts';
import { asksToCsv } from '../feedback/export.ts';
import { summarize } from '../feedback/report.ts';
import type { FeedbackStore } from '../feedback/types.ts';
import type { QaService } from '../retrieve/types.ts';
import { analyticsPage, loginPage } from './analytics-page.ts';
import { validationErrorBody } from './errors.ts';
import { allowOnly, createSubApp } from './sub-app.ts';

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

/** Which browser paths a successful sign-in may return to (never another site). */
const NEXT = /^\/admin\/analytics(\?[\w=&%.-]*)?$/;

const wantsHtml = (c: Context, format?: string) =>
  format ? format === 'html' : (c.req.header('accept') ?? '').includes('text/html');

/**
 * `GET /admin/analytics` (page with charts, or JSON), `GET /admin/analytics/export` (CSV or JSON rows),
 * and a cookie session for browsers: `POST /admin/login` with the admin token, `POST /admin/logout`.
 * Scripts send `Authorization: Bearer <ADMIN_TOKEN>` instead.
 */
export function createAnalyticsRoutes(options: AnalyticsRoutesOptions) {
  const { store, token, retentionDays } = options;
  const now = options.now ?? Date.now;
  const app = createSubApp();

  const RangeSchema = z.object({
    days: z.coerce
      .number()
      .int()
      .min(1)
      .max(retentionDays, `at most ${retentionDays} (ANALYTICS_RETENTION_DAYS)`)
      .default(Math.min(30, retentionDays)),
    format: z.enum(['html', 'json', 'csv']).optional(),
  });

  const parseRange = (c: Context) => {
    const parsed = RangeSchema.safeParse(c.req.query());
    if (!parsed.success) {
      const body = validationErrorBody(parsed.error);
      throw new AppError('INVALID_REQUEST', body.error.message, { details: body.error.details });
    }
    const { days, format } = parsed.data;
    // Whole UTC days: today plus the days before it.
    const to = Math.floor(now() / DAY_MS) * DAY_MS + DAY_MS;
    return { days, format, range: { from: to - days * DAY_MS, to } };
  };

  const authorized = async (c: Context): Promise<boolean> => {
    const header = c.req.header('authorization');
    if (header !== undefined) return timingSafeEqual(header, `Bearer ${token}`);
    const session = await getSignedCookie(c, token, SESSION_COOKIE);
    return typeof session === 'string' && Number(session) > now();
  };

  const requireAdmin: MiddlewareHandler = async (c, next) => {
    if (await authorized(c)) return next();
    if (c.req.method === 'GET' && wantsHtml(c, c.req.query('format'))) {
      const next = `${c.req.path}${new URL(c.req.url).search}`;
      return c.html(loginPage(NEXT.test(next) ? next : '/admin/analytics'), 401);
    }
    throw new AppError(
      'UNAUTHORIZED',
      'Analytics needs `Authorization: Bearer <ADMIN_TOKEN>` or a session from POST /admin/login',
    );
  };
  app.use('/admin/analytics', requireAdmin);
  app.use('/admin/analytics/*', requireAdmin);

  const titles = () => new Map(options.service.listDocuments().map((d) => [d.id, d.title]));

  app.get('/admin/analytics', async (c) => {
    const { days, format, range } = parseRange(c);
    const byId = titles();
    const report = summarize(await store.listAsks(range), range, { top: TOP, titleOf: (id) => byId.get(id) });
    c.header('cache-control', 'no-store');
    if (wantsHtml(c, format)) return c.html(analyticsPage(report, { days, retentionDays }));
    return c.json(report);
  });

  app.get('/admin/analytics/export', async (c) => {
    const { days, format, range } = parseRange(c);
    const asks = await store.listAsks(range);
    c.header('cache-control', 'no-store');
    if (format === 'json')
      return c.json({
        range: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
        asks,
      });
    const name = `questions-${new Date(range.from).toISOString().slice(0, 10)}-${days}d.csv`;
    return c.body(asksToCsv(asks), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
    });
  });

  app.post('/admin/login', async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const given = typeof form.token === 'string' ? form.token : '';
    const next = typeof form.next === 'string' && NEXT.test(form.next) ? form.next : '/admin/analytics';
    if (!(await timingSafeEqual(given, token)))
      return c.html(loginPage(next, 'That is not the admin token.'), 401);
    const expires = now() + SESSION_HOURS * 3_600_000;
    await setSignedCookie(c, SESSION_COOKIE, String(expires), token, {
      path: '/admin',
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: SESSION_HOURS * 3600,
    });
    return c.redirect(next, 303);
  });

  app.post('/admin/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/admin' });
    return c.redirect('/admin/analytics', 303);
  });

  allowOnly(app, '/admin/analytics', 'GET, HEAD');
  allowOnly(app, '/admin/analytics/export', 'GET, HEAD');
  allowOnly(app, '/admin/login', 'POST');
  allowOnly(app, '/admin/logout', 'POST');
  return app;
}
