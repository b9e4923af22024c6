import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import { type FeedbackStore, MAX_REASON_CHARS } from '../../feedback/types.ts';
import { requireJson } from '../middleware.ts';
import { createOpenApiApp, errorResponses, serverErrors } from '../openapi.ts';

export const FeedbackRequestSchema = z
  .strictObject({
    askId: z.uuid().openapi({
      description: 'The `askId` of the answer, from `POST /v1/ask` (or the bots’ webhook).',
    }),
    rating: z.enum(['up', 'down']),
    reason: z
      .string()
      .trim()
      .max(MAX_REASON_CHARS, `at most ${MAX_REASON_CHARS} characters`)
      .optional()
      .openapi({ description: 'Optional short reason, shown to the site owner.' }),
  })
  .openapi('FeedbackRequest');

const FeedbackResponseSchema = z
  .object({ askId: z.string(), rating: z.enum(['up', 'down']), reason: z.string().optional() })
  .openapi('Feedback');

const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

/**
 * `POST /v1/feedback`: a reader's thumbs up or down on an answer, with an optional reason. A second
 * verdict on the same answer replaces the first (a reader who changes their mind is not counted twice).
 */
export function createFeedbackRoutes(store: FeedbackStore, now: () => number = Date.now) {
  const app = createOpenApiApp();
  app.use('/v1/feedback', requireJson());
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/feedback',
      operationId: 'feedback',
      summary: 'Thumbs up or down on an answer, with an optional reason',
      request: {
        body: {
          content: {
            'application/json': {
              schema: FeedbackRequestSchema,
              example: {
                // An id the server issued: take it from an answer of `POST /v1/ask`.
                askId: '3f1c2a9e-8d4b-4c6f-9a1e-2b7d5e0c4f18',
                rating: 'down',
                reason: 'I wanted the figures for 2021',
              },
            },
          },
          required: true,
        },
      },
      responses: {
        200: { description: 'Recorded', content: json(FeedbackResponseSchema) },
        ...errorResponses(400, 408, 413, 415),
        404: {
          ...errorResponses(404)[404],
          description: 'No answer with this askId (unknown, or older than the retention)',
        },
        ...serverErrors,
      },
    }),
    async (c) => {
      const { askId, rating, reason } = c.req.valid('json');
      const kept = await store.setFeedback({ askId, rating, ...(reason ? { reason } : {}), at: now() });
      if (!kept)
        throw new AppError(
          'NOT_FOUND',
          `No answer with askId "${askId}"; it may be older than the retention period`,
        );
      return c.json({ askId, rating, ...(reason ? { reason } : {}) }, 200);
    },
  );
  return app;
}
