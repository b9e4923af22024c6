import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import type { RequestLimits } from '../../core/types.ts';
import type { QaService, RankedPassage } from '../../retrieve/types.ts';
import type { ExampleValues } from '../examples.ts';
import { requireJson } from '../middleware.ts';
import { createOpenApiApp, errorResponses, serverErrors } from '../openapi.ts';
import {
  type AnswerPart,
  AskResponseSchema,
  createAskRequestSchema,
  DocumentListSchema,
  DocumentSchema,
  DocumentTextSchema,
  idParam,
  PassageContextSchema,
} from '../schemas.ts';

/** Links from one response to the operations its ids feed (used by stateful schema fuzzing). */
const passageLink = (from: string) => ({
  GetPassage: { operationId: 'getPassage', parameters: { id: from } },
});

export type ApiLimits = RequestLimits;

/** A passage as the API sends it: `text` and `why` only when asked for. */
type SentPassage = Omit<RankedPassage, 'text'> & { text?: string };

/**
 * The answer with only the optional passage parts the request asked for: the engine builds them all (bots,
 * MCP and the evaluation read them in process), the API sends what its client wants.
 */
export function selectParts<T extends { passages: RankedPassage[] }>(
  answer: T,
  include: readonly AnswerPart[],
): Omit<T, 'passages'> & { passages: SentPassage[] } {
  const text = include.includes('text');
  const why = include.includes('why');
  if (text && why) return answer;
  const passages = answer.passages.map(({ text: passageText, why: explanation, ...rest }) => ({
    ...rest,
    ...(text ? { text: passageText } : {}),
    ...(why && explanation ? { why: explanation } : {}),
  }));
  return { ...answer, passages };
}

/** `/v1/*`: asking, and reading documents and passages. */
export function createApiRoutes(service: QaService, limits: ApiLimits, examples: ExampleValues) {
  const app = createOpenApiApp();

  app.use('/v1/ask', requireJson());

  const AskRequestSchema = createAskRequestSchema(
    limits.maxQuestionChars,
    limits.maxHistoryTurns,
    limits.maxTopK,
  );
  const askExample = {
    question: examples.question,
    topK: 3,
    filters: { documentIds: [examples.documentId], kinds: ['body', 'abstract'] },
    include: ['text'],
  };
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
    async (c) => {
      const { include, ...request } = c.req.valid('json');
      return c.json(selectParts(await service.ask(request), include), 200);
    },
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
      request: { params: idParam(examples.documentId) },
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
      request: { params: idParam(examples.documentId) },
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
      request: { params: idParam(examples.passageId) },
      responses: {
        200: {
          description: 'Passage in context',
          content: { 'application/json': { schema: PassageContextSchema } },
          links: {
            ...passageLink('$response.body#/nextId'),
            CitePassage: { operationId: 'citePassage', parameters: { id: '$response.body#/passage/id' } },
          },
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
