import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import type { RequestLimits } from '../../core/types.ts';
import type { QaService } from '../../retrieve/types.ts';
import type { ExampleValues } from '../examples.ts';
import { createOpenApiApp, errorResponses, serverErrors } from '../openapi.ts';
import {
  AskResponseSchema,
  createAskRequestSchema,
  DocumentListSchema,
  DocumentSchema,
  DocumentTextSchema,
  IdParamSchema,
  PassageContextSchema,
} from '../schemas.ts';

/** The same test `@hono/zod-openapi` applies, so a body we accept is never refused by the validator. */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/** Links from one response to the operations its ids feed (used by stateful schema fuzzing). */
const passageLink = (from: string) => ({
  GetPassage: { operationId: 'getPassage', parameters: { id: from } },
});

export type ApiLimits = RequestLimits;

/** `/v1/*`: asking, and reading documents and passages. */
export function createApiRoutes(service: QaService, limits: ApiLimits, examples: ExampleValues) {
  const app = createOpenApiApp();

  // A wrong content type or broken JSON gets its own code instead of a generic validation failure.
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

  const AskRequestSchema = createAskRequestSchema(
    limits.maxQuestionChars,
    limits.maxHistoryTurns,
    limits.maxTopK,
  );
  const askExample = {
    question: examples.question,
    topK: 3,
    filters: { documentIds: [examples.documentId], kinds: ['body', 'abstract'] },
  };
  const IdParam = (example: string) =>
    z.object({ id: IdParamSchema.shape.id.openapi({ param: { name: 'id', in: 'path' }, example }) });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/ask',
      operationId: 'ask',
      summary: 'Ranked verbatim passages with citations for a question',
      request: {
        body: {
          content: { 'application/json': { schema: AskRequestSchema, example: askExample } },
          required: true,
        },
      },
      responses: {
        200: {
          description: 'Ranked passages',
          content: { 'application/json': { schema: AskResponseSchema } },
          links: passageLink('$response.body#/passages/0/id'),
        },
        ...errorResponses(400, 408, 413, 415),
        ...serverErrors,
      },
    }),
    async (c) => c.json(await service.ask(c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/documents',
      operationId: 'listDocuments',
      summary: 'Every citable document',
      responses: {
        200: {
          description: 'Documents',
          content: { 'application/json': { schema: DocumentListSchema } },
          links: {
            GetDocument: { operationId: 'getDocument', parameters: { id: '$response.body#/documents/0/id' } },
          },
        },
        ...serverErrors,
      },
    }),
    (c) => c.json({ documents: service.listDocuments(), skipped: service.listSkipped() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/documents/{id}',
      operationId: 'getDocument',
      summary: 'One document',
      request: { params: IdParam(examples.documentId) },
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
      path: '/v1/documents/{id}/text',
      operationId: 'getDocumentText',
      summary: 'The text citation offsets index into (extracted text for PDF, DOCX and HTML)',
      request: { params: IdParam(examples.documentId) },
      responses: {
        200: {
          description: 'Document text',
          content: { 'application/json': { schema: DocumentTextSchema } },
        },
        ...errorResponses(400, 404),
        ...serverErrors,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const text = service.getDocumentText(id);
      if (!text) throw new AppError('NOT_FOUND', `No document with id "${id}"; see GET /v1/documents`);
      return c.json(text, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/passages/{id}',
      operationId: 'getPassage',
      summary: 'One passage with its document and neighbours',
      request: { params: IdParam(examples.passageId) },
      responses: {
        200: {
          description: 'Passage in context',
          content: { 'application/json': { schema: PassageContextSchema } },
          links: passageLink('$response.body#/nextId'),
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

  return app;
}
