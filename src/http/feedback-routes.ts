import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../core/errors.ts';
import type { FeedbackStore } from '../feedback/types.ts';
import { ErrorSchema } from './schemas.ts';
import { allowOnly, createSubApp } from './sub-app.ts';

/** Longest reason a reader may give with feedback. */
export const MAX_REASON_CHARS = 500;

export const FeedbackRequestSchema = z
  .strictObject({
    askId: z.uuid().openapi({ description: 'The `askId` of the answer (from `POST /v1/ask`).' }),
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
  const app = createSubApp();
  app.use('/v1/feedback', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(type))
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the feedback as JSON (content-type: application/json)',
      );
    try {
      JSON.parse(await c.req.text());
    } catch {
      throw new AppError('INVALID_JSON', 'The request body is not valid JSON');
    }
    return next();
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/feedback',
      summary: 'Thumbs up or down on an answer, with an optional reason',
      request: { body: { content: json(FeedbackRequestSchema), required: true } },
      responses: {
        200: { description: 'Recorded', content: json(FeedbackResponseSchema) },
        400: { description: 'Malformed JSON or a bad field', content: json(ErrorSchema) },
        404: {
          description: 'No answer with this askId (unknown, or older than the retention)',
          content: json(ErrorSchema),
        },
        415: { description: 'Body not sent as JSON', content: json(ErrorSchema) },
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
  allowOnly(app, '/v1/feedback', 'POST');
  return app;
}
