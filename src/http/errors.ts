import type { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, isAppError } from '../core/errors.ts';
import { invalidRequest } from '../core/validate.ts';

export type { FieldIssue } from '../core/validate.ts';

/**
 * The one place where error codes become HTTP statuses and error envelopes. Core code throws
 * `AppError`; `app.onError` hands whatever was thrown to {@link toErrorReply}.
 */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  UNKNOWN_FILTER_VALUE: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  // A signed request seen before: answering it again would repeat its effect (history, messages).
  REPLAYED: 409,
  // The request contradicts the current state (removing the corpus' last document).
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  // A document that cannot be indexed (encrypted, no text layer, truncated, mislabelled): details say why.
  DOCUMENT_REJECTED: 422,
  // The client stopped sending its body: its fault, and retrying on a better connection helps.
  REQUEST_TIMEOUT: 408,
  // The client hung up mid-request; no one reads the answer. nginx's code keeps these out of the
  // 4xx a client saw and, above all, out of the 5xx that alert an operator.
  CLIENT_CLOSED: 499 as ContentfulStatusCode,
  // The server gave up waiting for its own search engine, as a gateway gives up on an upstream.
  // 408 would blame the client for sending its request too slowly; 504 also keeps timeouts apart
  // from "not ready" (503) in metrics, and clients and proxies treat both as retryable.
  TIMEOUT: 504,
  // Temporary: the index is loading or being swapped; retrying later helps.
  NOT_READY: 503,
  // The index database is unreachable; the pool reconnects on the next request.
  DATABASE_UNAVAILABLE: 503,
  INDEX_MISSING: 503,
  INDEX_STALE: 503,
  INDEX_CORRUPT: 503,
  // A broken deployment: retrying does not help until an operator acts.
  CONFIG_INVALID: 500,
  CORPUS_EMPTY: 500,
  CORPUS_INVALID: 500,
  MODEL_NOT_FOUND: 500,
  MODEL_INVALID: 500,
  INTERNAL: 500,
};

/** 5xx codes whose message is written for clients; every other 5xx message stays in the log. */
const PUBLIC_5XX: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'NOT_READY',
  'TIMEOUT',
  'DATABASE_UNAVAILABLE',
]);

/** Codes for the statuses Hono's own middleware may throw as `HTTPException`. */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  431: 'HEADERS_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** What `app.onError` sends: status, envelope and extra headers. */
export interface ErrorReply {
  status: ContentfulStatusCode;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** The HTTP status of an error code. */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS_BY_CODE[code];
}

/**
 * Largest error body in bytes. Error bodies echo parts of the request (field names, unknown ids, paths);
 * bounding them here, where every envelope is built, keeps any error from amplifying its request.
 */
export const MAX_ERROR_BODY_BYTES = 8192;
const MAX_MESSAGE_CHARS = 1000;
const MAX_DETAILS_BYTES = 4096;
/** Within details: longest string, most items of an array or keys of an object, deepest nesting. */
const DETAIL_LIMITS = { chars: 200, items: 20, depth: 4 };

/** Builds the error envelope `{ error: { code, message, details? } }`, bounded to MAX_ERROR_BODY_BYTES. */
export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  const bounded = boundDetails(details);
  return {
    error: {
      code,
      message: clipText(message, MAX_MESSAGE_CHARS),
      ...(bounded === undefined ? {} : { details: bounded }),
    },
  };
}

function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Shrinks every string, array and object of `value`; what is cut is marked with `…`. */
function clipJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clipText(value, DETAIL_LIMITS.chars);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= DETAIL_LIMITS.depth) return '…';
  if (Array.isArray(value)) {
    const kept = value.slice(0, DETAIL_LIMITS.items).map((v) => clipJson(v, depth + 1));
    return value.length > kept.length ? [...kept, '…'] : kept;
  }
  const entries = Object.entries(value).slice(0, DETAIL_LIMITS.items);
  return Object.fromEntries(
    entries.map(([k, v]) => [clipText(k, DETAIL_LIMITS.chars), clipJson(v, depth + 1)]),
  );
}

/** Details within MAX_DETAILS_BYTES: the leading items of a list that fit, or nothing. */
function boundDetails(details: unknown): unknown {
  if (details === undefined) return undefined;
  const clipped = clipJson(details);
  const size = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;
  if (!Array.isArray(clipped)) return size(clipped) <= MAX_DETAILS_BYTES ? clipped : undefined;
  const kept: unknown[] = [];
  let total = 2;
  for (const item of clipped) {
    total += size(item) + 1;
    if (total > MAX_DETAILS_BYTES) break;
    kept.push(item);
  }
  return kept;
}

/**
 * Turns zod issues into an INVALID_REQUEST envelope: one `{ path, message }` per problem (one per
 * unknown field) and a message naming every field, e.g. `question: must not be empty`.
 */
export function validationErrorBody(error: z.ZodError): ErrorBody {
  const invalid = invalidRequest(error);
  return errorBody(invalid.code, invalid.detail, invalid.details);
}

/**
 * Maps anything thrown while handling a request to a reply. Client errors keep their message;
 * server errors say only the code and the request id, and their cause goes to `log`.
 */
export function toErrorReply(
  error: unknown,
  requestId: string,
  log: (entry: Record<string, unknown>) => void,
): ErrorReply {
  const headers: Record<string, string> = {};
  if (isAppError(error)) {
    const status = statusOf(error.code);
    if (error.code === 'RATE_LIMITED') {
      const wait = (error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
      if (typeof wait === 'number' && wait > 0) headers['Retry-After'] = String(Math.ceil(wait));
    }
    if (status < 500 || PUBLIC_5XX.has(error.code)) {
      return { status, body: errorBody(error.code, error.detail, error.details), headers };
    }
    log({ level: 'error', requestId, code: error.code, msg: error.message, cause: describe(error.cause) });
    const message =
      status === 503
        ? `Service unavailable (${error.code}); retry later or see the server log for request id ${requestId}`
        : `Internal error (${error.code}); see the server log for request id ${requestId}`;
    return { status, body: errorBody(error.code, message), headers };
  }
  if (error instanceof HTTPException && error.status < 500) {
    const code = CODE_BY_STATUS[error.status] ?? 'INVALID_REQUEST';
    const status = error.status as ContentfulStatusCode;
    return { status, body: errorBody(code, error.message || `Request failed with ${status}`), headers };
  }
  log({ level: 'error', requestId, code: 'INTERNAL', msg: 'unhandled error', error: describe(error) });
  return {
    status: 500,
    body: errorBody('INTERNAL', `Internal error; see the server log for request id ${requestId}`),
    headers,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return error === undefined ? '' : String(error);
}
