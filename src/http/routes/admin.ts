import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { constantTimeEqual } from '../../core/compare.ts';
import { AppError } from '../../core/errors.ts';
import type { AdminControl, DocumentStore, ReindexStatus } from '../../index/types.ts';
import { createOpenApiApp, documented, type Env, errorResponses, registerAdminAuth } from '../openapi.ts';
import { DocumentChangeSchema, IdParamSchema, ReindexStatusSchema } from '../schemas.ts';

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
    async (c) => {
      authorize(c);
      return c.json(await admin.reindex(), 202);
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
    async (c) => {
      authorize(c);
      return c.json(await admin.status(), 200);
    },
  );
  if (admin.documents) addDocumentRoutes(app, admin.documents, authorize);
  return app;
}

/** `POST /admin/documents` (multipart upload) and `DELETE /admin/documents/{id}`. */
function addDocumentRoutes(
  app: ReturnType<typeof createOpenApiApp>,
  store: DocumentStore,
  authorize: (c: Context<Env>) => void,
) {
  const change = { content: { 'application/json': { schema: DocumentChangeSchema } } };
  documented(
    app,
    {
      method: 'post',
      path: '/documents',
      operationId: 'addDocument',
      summary: 'Add or replace a corpus file (PDF, DOCX, HTML, Markdown, text) and rebuild incrementally',
      security: [{ bearer: [] }],
      request: {
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({
                file: z.string().openapi({
                  type: 'string',
                  format: 'binary',
                  description: 'The document; its name is kept',
                }),
              }),
            },
          },
        },
      },
      responses: {
        202: { description: 'Stored; rebuild started or queued', ...change },
        ...errorResponses(400, 401, 408, 413, 415, 422, 429),
      },
    },
    async (c) => {
      authorize(c);
      const type = c.req.header('content-type') ?? '';
      if (!/^multipart\/form-data/i.test(type)) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Send the file as multipart/form-data in a field named "file"',
        );
      }
      let form: Record<string, unknown>;
      try {
        form = await c.req.parseBody();
      } catch (cause) {
        throw new AppError('INVALID_REQUEST', 'The multipart body cannot be parsed', { cause });
      }
      const file = form.file;
      if (!(file instanceof File)) {
        throw new AppError('INVALID_REQUEST', 'file: required, a file part named "file"', {
          details: [{ field: 'file', message: 'required file part' }],
        });
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      return c.json(await store.add(file.name, bytes), 202);
    },
  );
  documented(
    app,
    {
      method: 'delete',
      path: '/documents/{id}',
      operationId: 'removeDocument',
      summary: 'Remove the corpus file holding a document (or a skipped file by name) and rebuild',
      security: [{ bearer: [] }],
      request: { params: IdParamSchema },
      responses: {
        202: { description: 'Removed; rebuild started or queued', ...change },
        ...errorResponses(400, 401, 404, 409, 429),
      },
    },
    async (c) => {
      authorize(c);
      const parsed = IdParamSchema.safeParse({ id: c.req.param('id') });
      if (!parsed.success) {
        throw new AppError('INVALID_REQUEST', 'id: letters, digits, ".", "_" and "-" only', {
          details: [{ field: 'id', message: 'invalid id' }],
        });
      }
      const removed = await store.remove(parsed.data.id);
      if (!removed) throw new AppError('NOT_FOUND', `No document or corpus file "${parsed.data.id}"`);
      return c.json(removed, 202);
    },
  );
}
