import type { z } from 'zod';
import { AppError } from './errors.ts';

/** A detail of a validation failure: the dotted path of the field and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** One `{ path, message }` per problem of a zod error, one per unknown field. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: at.join('.') || '(body)', message: issue.message }];
  });
}

/** Problems named in one validation error; the rest are counted, so an error never outgrows its request. */
export const MAX_LISTED_ISSUES = 20;

/**
 * INVALID_REQUEST naming each bad field, e.g. `question: must not be empty`, with the issues as details;
 * past MAX_LISTED_ISSUES the message says how many more there are.
 */
export function invalidRequest(error: z.ZodError): AppError {
  const issues = fieldIssues(error);
  const details = issues.slice(0, MAX_LISTED_ISSUES);
  const more = issues.length - details.length;
  const message =
    details.map((d) => `${d.path}: ${d.message}`).join('; ') + (more ? `; and ${more} more problems` : '');
  return new AppError('INVALID_REQUEST', message, { details });
}

/** Parses `value` with `schema`, throwing INVALID_REQUEST that names each bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(result.error);
  return result.data;
}

/** Parses a JSON text, throwing INVALID_JSON when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('INVALID_JSON', 'The request body is not valid JSON');
  }
}
