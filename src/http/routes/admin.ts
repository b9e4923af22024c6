import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { constantTimeEqual } from '../../core/compare.ts';
import { AppError } from '../../core/errors.ts';
import type { AdminControl, ReindexStatus } from '../../index/types.ts';
import { createOpenApiApp, type Env, errorResponses, registerAdminAuth } from '../openapi.ts';
import { ReindexStatusSchema } from '../schemas.ts';

export type { AdminControl, ReindexStatus };

/** `/admin/*`, behind `Authorization: Bearer <ADMIN_TOKEN>`. Mounted only when a token is configured. */
export function createAdminRoutes(admin: AdminControl, token: string) {
  const app = createOpenApiApp();
  registerAdminAuth(app);
  const authorize = (c: Context<Env>) => {
    if (!constantTimeEqual(c.req.header('authorization') ?? '', `Bearer ${token}`)) {
      throw new AppError('UNAUTHORIZED', 'Admin endpoints need `Authorization: Bearer <ADMIN_TOKEN>`');
    }
  };
  const status = { content: { 'application/json': { schema: ReindexStatusSchema } } };
  const guarded = { path: '/reindex', security: [{ bearer: [] }] };
  app.openapi(
    createRoute({
      ...guarded,
      method: 'post',
      operationId: 'reindex',
      summary: 'Rebuild the index in the background and swap it in when done',
      responses: {
        202: { description: 'Rebuild started (or already running)', ...status },
        ...errorResponses(401, 429),
      },
    }),
    (c) => {
      authorize(c);
      return c.json(admin.reindex(), 202);
    },
  );
  app.openapi(
    createRoute({
      ...guarded,
      method: 'get',
      operationId: 'reindexStatus',
      summary: 'Status of the last rebuild',
      responses: { 200: { description: 'Rebuild status', ...status }, ...errorResponses(401, 429) },
    }),
    (c) => {
      authorize(c);
      return c.json(admin.status(), 200);
    },
  );
  return app;
}
