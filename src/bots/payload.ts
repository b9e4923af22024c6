import type { Context } from 'hono';
import { AppError } from '../core/errors.ts';
import type { SignedHeaders } from './verify.ts';

/** Remembers ids already handled so a re-delivered update is not answered twice. */
export function createSeenSet(limit = 10_000) {
  const seen = new Set<string>();
  return (id: string): boolean => {
    if (seen.has(id)) return true;
    seen.add(id);
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
    return false;
  };
}

/**
 * Reads the raw body of a signed request and checks it before anything else looks at it: a request that
 * fails `verify` is a 401 and changes nothing.
 */
export async function readVerified(
  c: Context,
  names: { timestamp: string; signature: string },
  verify: (headers: SignedHeaders, body: string) => Promise<boolean>,
  platform: string,
): Promise<string> {
  const body = await c.req.text();
  const headers = { timestamp: c.req.header(names.timestamp), signature: c.req.header(names.signature) };
  if (!(await verify(headers, body)))
    throw new AppError('UNAUTHORIZED', `Bad or expired ${platform} signature`);
  return body;
}
