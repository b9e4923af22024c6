import { OpenAPIHono } from '@hono/zod-openapi';
import { validationErrorBody } from './errors.ts';
import { ErrorSchema } from './schemas.ts';

/** Per-request variables every sub-app can read. */
export type Env = { Variables: { requestId: string } };

/**
 * A sub-app whose `createRoute` definitions validate requests and land in `/openapi.json` when it is
 * mounted with `app.route`. Validation failures use the error envelope, naming each field.
 */
export function createOpenApiApp(): OpenAPIHono<Env> {
  return new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(validationErrorBody(result.error), 400);
    },
  });
}

const ERROR_DESCRIPTIONS = {
  400: 'Invalid request: malformed JSON, a field failing validation, or an unknown filter value',
  401: 'Missing or wrong credentials',
  404: 'No such id',
  413: 'Body larger than MAX_BODY_BYTES',
  415: 'Body not sent as application/json',
  429: 'Rate limited; see Retry-After',
  500: 'Internal error; the server log has the cause under the request id',
  503: 'Index not ready (loading, missing or stale)',
  504: 'The request took longer than REQUEST_TIMEOUT_MS',
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;
const errorContent = { 'application/json': { schema: ErrorSchema } };

/** The documented error responses of a route; all share the error envelope. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  const responses = {} as Record<S, { description: string; content: typeof errorContent }>;
  for (const status of statuses)
    responses[status] = { description: ERROR_DESCRIPTIONS[status], content: errorContent };
  return responses;
}

/** Errors any route may answer whatever its input: rate limiting and server trouble. */
export const serverErrors = errorResponses(429, 500, 503, 504);
