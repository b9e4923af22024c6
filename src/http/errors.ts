import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../core/errors.ts';

/** The one place where error codes become HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  UNKNOWN_FILTER_VALUE: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  // The server gave up on a slow request: a gateway-style timeout, not the client's fault.
  TIMEOUT: 503,
  NOT_READY: 503,
  CONFIG_INVALID: 500,
  CORPUS_EMPTY: 500,
  CORPUS_INVALID: 500,
  MODEL_NOT_FOUND: 500,
  MODEL_INVALID: 500,
  INDEX_MISSING: 503,
  INDEX_STALE: 503,
  INDEX_CORRUPT: 503,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}
