import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import { CITE_STYLES, citeSpan } from '../../retrieve/citation-styles.ts';
import type { QaService } from '../../retrieve/types.ts';
import type { ExampleValues } from '../examples.ts';
import { createOpenApiApp, errorResponses, serverErrors } from '../openapi.ts';
import { idParam } from '../schemas.ts';

const Offset = z.coerce.number().int().min(0);

const CiteQuerySchema = z
  .object({
    start: Offset.optional().openapi({ description: 'Raw offset where the quote starts (`quote.start`).' }),
    end: Offset.optional().openapi({ description: 'Raw offset where the quote ends (`quote.end`).' }),
    style: z
      .enum(CITE_STYLES)
      .optional()
      .openapi({ description: 'Answer with this style alone, as `text/plain`.' }),
  })
  .refine((q) => (q.start === undefined) === (q.end === undefined), {
    message: 'give start and end together',
    path: ['end'],
  })
  .refine((q) => q.start === undefined || q.end === undefined || q.end > q.start, {
    message: 'must be greater than start',
    path: ['end'],
  });

const CitedSpanSchema = z
  .object({
    passageId: z.string(),
    documentId: z.string(),
    source: z.string(),
    section: z.string(),
    span: z.object({ start: z.number().int(), end: z.number().int() }),
    quote: z.string(),
    citations: z
      .object({ plain: z.string(), apa: z.string(), bibtex: z.string() })
      .openapi({ description: 'The quote with its citation, ready to paste, per style.' }),
    html: z.object({ apa: z.string() }),
    csl: z.record(z.string(), z.unknown()).openapi({ description: 'CSL-JSON item of the document.' }),
  })
  .openapi('CitedSpan');

/** `GET /v1/passages/:id/cite`: a quote (or the whole passage) cited in plain text, APA and BibTeX. */
export function createCiteRoutes(service: QaService, examples: ExampleValues) {
  const app = createOpenApiApp();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/passages/{id}/cite',
      operationId: 'citePassage',
      summary: 'Cite a quote from a passage in plain text, APA and BibTeX',
      request: { params: idParam(examples.passageId), query: CiteQuerySchema },
      responses: {
        200: {
          description: 'The quote cited in every style (JSON), or in the style asked for (text)',
          content: {
            'application/json': { schema: CitedSpanSchema },
            'text/plain': { schema: z.string() },
          },
        },
        ...errorResponses(400, 404),
        ...serverErrors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { start, end, style } = c.req.valid('query');
      const context = service.getPassage(id);
      if (!context) throw new AppError('NOT_FOUND', `No passage with id "${id}"`);
      const { passage, document } = context;
      let span: { start: number; end: number } | undefined;
      if (start !== undefined && end !== undefined) {
        if (start < passage.start || end > passage.end) {
          const message = `the quote must lie inside the passage, characters ${passage.start}–${passage.end}`;
          throw new AppError('INVALID_REQUEST', `start, end: ${message}`, {
            details: [
              { path: 'start', message },
              { path: 'end', message },
            ],
          });
        }
        span = { start, end };
      }
      const cited = await citeSpan(passage, document, span);
      if (style) return c.text(cited.citations[style], 200);
      return c.json(cited, 200);
    },
  );
  return app;
}
