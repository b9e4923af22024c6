import { AppError } from '../core/errors.ts';
import type { SkippedFile, SkipReason } from '../core/types.ts';

/** The error for a file that cannot be indexed; `details` carries the file, reason and advice. */
export function rejectDocument(file: string, reason: SkipReason, message: string, cause?: unknown): AppError {
  const details: SkippedFile = { file, reason, message };
  return new AppError('DOCUMENT_REJECTED', `${file}: ${message}`, { details, cause });
}

/** The skip record of a rejection; any other error becomes `corrupt` with its message. */
export function skippedFrom(file: string, error: unknown): SkippedFile {
  if (error instanceof AppError && error.code === 'DOCUMENT_REJECTED') return error.details as SkippedFile;
  const message = error instanceof Error ? error.message : String(error);
  return { file, reason: 'corrupt', message: `cannot be read: ${message.slice(0, 300)}` };
}
