import { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { STATUS_BY_CODE, toErrorReply, validationErrorBody } from '../../src/http/errors.ts';

function collect() {
  const entries: Array<Record<string, unknown>> = [];
  return { entries, log: (entry: Record<string, unknown>) => entries.push(entry) };
}

describe('STATUS_BY_CODE', () => {
  it('answers client mistakes with 4xx and server trouble with 5xx', () => {
    const clientCodes = new Set([
      'INVALID_REQUEST',
      'INVALID_JSON',
      'UNKNOWN_FILTER_VALUE',
      'UNAUTHORIZED',
      'REPLAYED',
    ]);
    for (const [code, status] of Object.entries(STATUS_BY_CODE)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      if (clientCodes.has(code)) expect(status, code).toBeLessThan(500);
      if (code.startsWith('INDEX_') || code === 'NOT_READY') expect(status, code).toBe(503);
    }
    // A slow search is the server giving up on its own engine, kept apart from "not ready" in metrics.
    expect(STATUS_BY_CODE.TIMEOUT).toBe(504);
    expect(STATUS_BY_CODE.RATE_LIMITED).toBe(429);
  });
});

describe('toErrorReply', () => {
  it('keeps the message and details of a client error', () => {
    const { entries, log } = collect();
    const error = new AppError('UNKNOWN_FILTER_VALUE', 'filters.documentIds: unknown x', {
      details: [{ path: 'filters.documentIds', values: ['x'] }],
    });
    expect(toErrorReply(error, 'r1', log)).toEqual({
      status: 400,
      body: {
        error: {
          code: 'UNKNOWN_FILTER_VALUE',
          message: 'filters.documentIds: unknown x',
          details: [{ path: 'filters.documentIds', values: ['x'] }],
        },
      },
      headers: {},
    });
    expect(entries).toEqual([]);
  });

  it('sets Retry-After on RATE_LIMITED', () => {
    const error = new AppError('RATE_LIMITED', 'slow down', { details: { retryAfter: 3 } });
    expect(toErrorReply(error, 'r1', () => {}).headers).toEqual({ 'Retry-After': '3' });
  });

  it('keeps the message of NOT_READY and TIMEOUT, which are written for clients', () => {
    expect(toErrorReply(new AppError('NOT_READY', 'index loading'), 'r', () => {}).body.error.message).toBe(
      'index loading',
    );
    expect(toErrorReply(new AppError('TIMEOUT', 'took 10 s'), 'r', () => {}).status).toBe(504);
  });

  it('hides a server error behind the code and request id and logs its cause', () => {
    const { entries, log } = collect();
    const cause = new Error('EACCES /srv/index/vectors.bin');
    const reply = toErrorReply(new AppError('INDEX_CORRUPT', 'bad header', { cause }), 'r9', log);
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('INDEX_CORRUPT');
    expect(reply.body.error.message).toContain('r9');
    expect(JSON.stringify(reply.body)).not.toMatch(/EACCES|bad header/);
    expect(entries[0]).toMatchObject({ level: 'error', requestId: 'r9', code: 'INDEX_CORRUPT' });
    expect(String(entries[0]?.cause)).toContain('EACCES');
  });

  it('maps a Hono HTTPException by its status', () => {
    const reply = toErrorReply(new HTTPException(413, { message: 'too big' }), 'r', () => {});
    expect(reply).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'too big' } },
    });
  });

  it.each([
    ['an Error', new Error('secret')],
    ['a string', 'secret'],
    ['undefined', undefined],
    ['a 5xx HTTPException', new HTTPException(502, { message: 'secret' })],
  ])('answers 500 INTERNAL for %s without leaking it', (_name, thrown) => {
    const { entries, log } = collect();
    const reply = toErrorReply(thrown, 'r2', log);
    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe('INTERNAL');
    expect(reply.body.error.message).toBe('Internal error; see the server log for request id r2');
    expect(entries).toHaveLength(1);
  });
});

describe('validationErrorBody', () => {
  const schema = z.strictObject({
    question: z.string(),
    filters: z.strictObject({ kinds: z.array(z.enum(['body'])) }).optional(),
  });

  it('lists one detail per problem with a dotted path and names them in the message', () => {
    const result = schema.safeParse({ question: 1, filters: { kinds: ['poem'], tags: [], x: 1 } });
    expect(result.success).toBe(false);
    if (result.success) return;
    const body = validationErrorBody(result.error);
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.details).toEqual([
      { path: 'question', message: expect.any(String) },
      { path: 'filters.kinds.0', message: expect.any(String) },
      { path: 'filters.tags', message: 'unknown field' },
      { path: 'filters.x', message: 'unknown field' },
    ]);
    expect(body.error.message).toMatch(
      /^question: .*; filters\.kinds\.0: .*; filters\.tags: unknown field; filters\.x/,
    );
  });

  it('calls a problem with the whole body "(body)"', () => {
    const result = schema.safeParse([1]);
    if (result.success) throw new Error('expected a failure');
    expect(validationErrorBody(result.error).error.details).toEqual([
      { path: '(body)', message: expect.any(String) },
    ]);
  });
});
