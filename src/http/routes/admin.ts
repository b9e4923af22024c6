import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { constantTimeEqual } from '../../core/compare.ts';
import { AppError } from '../../core/errors.ts';
import { createOpenApiApp, type Env } from '../openapi.ts';
import { ErrorSchema, ReindexStatusSchema } from '../schemas.ts';

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

/** `/admin/*`, behind `Authorization: Bearer <ADMIN_TOKEN>`. Mounted only when a token is configured. */
export function createAdminRoutes(admin: AdminControl, token: string) {
  const app = createOpenApiApp();
  const authorize = (c: Context<Env>) => {
    if (!constantTimeEqual(c.req.header('authorization') ?? '', `Bearer ${token}`)) {
      throw new AppError('UNAUTHORIZED', 'Admin endpoints need `Authorization: Bearer <ADMIN_TOKEN>`');
    }
  };
  const statusRoute = (method: 'get' | 'post', summary: string) =>
    createRoute({
      method,
      path: '/reindex',
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
  return app;
}
