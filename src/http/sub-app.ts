import { OpenAPIHono } from '@hono/zod-openapi';
import type { Env, Hono } from 'hono';
import { errorBody, validationErrorBody } from './errors.ts';

/**
 * A sub-app for `app.route('/', …)`: zod validation failures use the error envelope, as on the main app,
 * and the routes it documents join the service's OpenAPI document.
 */
export function createSubApp<E extends Env = Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(validationErrorBody(result.error), 400);
    },
  });
}

/** Answers every other method on `path` with 405 and the methods it supports. */
export function allowOnly<E extends Env>(app: Hono<E>, path: string, allow: string): void {
  app.all(path, (c) => {
    c.header('Allow', allow);
    return c.json(
      errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not supported on ${c.req.path}; use ${allow}`),
      405,
    );
  });
}
