import { type RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../core/errors.ts';
import { errorResponses } from '../http/openapi.ts';
import type { ReplayGuard } from './replay.ts';
import type { SignedHeaders } from './verify.ts';

/** How a platform signs its requests. */
export interface SignedRequest {
  platform: string;
  /** Header names of the signed timestamp (unix seconds) and of the signature. */
  headers: { timestamp: string; signature: string };
  verify: (headers: SignedHeaders, body: string) => Promise<boolean>;
  replays: ReplayGuard;
}

/**
 * Reads the raw body of a signed request and checks it before anything else looks at it: a request that
 * fails verification is a 401 and one already accepted (same signature) a 409; neither changes anything.
 */
export async function readVerified(c: Context, signed: SignedRequest): Promise<string> {
  const body = await c.req.text();
  const headers = {
    timestamp: c.req.header(signed.headers.timestamp),
    signature: c.req.header(signed.headers.signature),
  };
  if (!(await signed.verify(headers, body)))
    throw new AppError('UNAUTHORIZED', `Bad or expired ${signed.platform} signature`);
  if (!(await signed.replays.firstUse(headers.signature ?? '', Number(headers.timestamp)))) {
    throw new AppError(
      'REPLAYED',
      `This ${signed.platform} request was already handled; each request must be signed afresh`,
    );
  }
  return body;
}

/** The OpenAPI description of a signed platform endpoint (always a POST, tagged `bots`). */
export interface SignedRouteSpec {
  path: string;
  operationId: string;
  summary: string;
  /** What the signature header holds, for the reader. */
  signatureExample: string;
  body: { mediaType?: string; schema: z.ZodType; example: unknown };
  reply: { description: string; schema: z.ZodType };
}

export function signedRoute(signed: SignedRequest, spec: SignedRouteSpec): RouteConfig {
  const names = signed.headers;
  return {
    method: 'post',
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    tags: ['bots'],
    request: {
      headers: z.object({
        [names.timestamp]: z
          .string()
          .openapi({ description: 'Unix seconds, within 300 s of now', example: '1790000000' }),
        [names.signature]: z.string().openapi({
          description: 'Signature of the timestamp and raw body',
          example: spec.signatureExample,
        }),
      }),
      body: {
        required: true,
        content: {
          [spec.body.mediaType ?? 'application/json']: {
            schema: spec.body.schema,
            example: spec.body.example,
          },
        },
      },
    },
    responses: {
      200: {
        description: spec.reply.description,
        content: { 'application/json': { schema: spec.reply.schema } },
      },
      ...botErrors,
    },
  };
}

/** Errors every bot endpoint may answer. */
const botErrors = errorResponses(400, 401, 408, 409, 413, 429, 500);
