/**
 * The one error type of the project. Core code throws it; only the HTTP layer maps `code` to a status.
 */
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'HEADERS_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNKNOWN_FILTER_VALUE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'REPLAYED'
  | 'CONFLICT'
  | 'CONFIG_INVALID'
  | 'CORPUS_EMPTY'
  | 'CORPUS_INVALID'
  | 'DOCUMENT_REJECTED'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'INDEX_MISSING'
  | 'INDEX_STALE'
  | 'INDEX_CORRUPT'
  | 'NOT_READY'
  | 'DATABASE_UNAVAILABLE'
  | 'TIMEOUT'
  | 'REQUEST_TIMEOUT'
  | 'CLIENT_CLOSED'
  | 'INTERNAL';

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The message without the code prefix, for response bodies. */
  get detail(): string {
    return this.message.slice(this.code.length + 2);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
