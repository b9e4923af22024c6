import { type OpenAPIHono, OpenAPIHono as OpenAPIHonoClass, type RouteConfig, z } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import { validationErrorBody } from './errors.ts';
import { ErrorSchema } from './schemas.ts';

/** Per-request variables every sub-app can read. */
export type Env = {
  Variables: {
    requestId: string;
    /** Set by `respondWithPage`: the response is an HTML page (it gets the document security headers). */
    document?: boolean;
  };
};

/**
 * A sub-app whose `createRoute` definitions validate requests and land in `/openapi.json` when it is
 * mounted with `app.route`. Validation failures use the error envelope, naming each field.
 */
export function createOpenApiApp(): OpenAPIHono<Env> {
  return new OpenAPIHonoClass<Env>({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(validationErrorBody(result.error), 400);
    },
  });
}

/**
 * Registers `route` in the OpenAPI document and serves it with `handler`, without the automatic
 * validation of `app.openapi`: for routes that must check something first (a bot's signature before its
 * payload) or that are not JSON (pages, metrics). The handler validates with the same zod schemas.
 */
export function documented(app: OpenAPIHono<Env>, route: RouteConfig, handler: Handler<Env>): void {
  app.openAPIRegistry.registerPath(route);
  app.on(route.method.toUpperCase(), route.path.replaceAll(/\{([^}]+)\}/g, ':$1'), handler);
}

/** Declares the admin token (`Authorization: Bearer <ADMIN_TOKEN>`) as the `bearer` security scheme. */
export function registerAdminAuth(app: OpenAPIHono<Env>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'ADMIN_TOKEN',
  });
}

const ERROR_DESCRIPTIONS = {
  400: 'Invalid request: malformed JSON, a field failing validation, or an unknown filter value',
  401: 'Missing or wrong credentials',
  404: 'No such id',
  408: 'The body did not arrive within BODY_TIMEOUT_MS',
  409: 'A signed request that was already handled (replay), or a change that conflicts with the corpus',
  413: 'Body larger than MAX_BODY_BYTES',
  415: 'Body not sent in the documented content type',
  422: 'A document that cannot be indexed (encrypted, no text layer, truncated, damaged, mislabelled)',
  429: 'Rate limited (RATE_LIMIT_PER_MINUTE, OPS_RATE_LIMIT_PER_MINUTE or MAX_CONNECTIONS_PER_CLIENT); see Retry-After',
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

/** Errors of every route that takes a body, on top of its own. */
export const bodyErrors = errorResponses(408, 413, 429, 500);

/** A 200 response that is not JSON (pages, scripts, metrics). */
export function textResponse(description: string, mediaType: string) {
  return { 200: { description, content: { [mediaType]: { schema: z.string() } } } };
}
