import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AskRequestBody,
  type AskResponse,
  createAskRequestSchema,
  type DocumentResponse,
  type Health,
  type PassageContextResponse,
} from '../../src/http/schemas.ts';
import type {
  AskRequest,
  AskResult,
  DocumentSummary,
  HealthReport,
  PassageContext,
} from '../../src/retrieve/types.ts';

describe('response schemas', () => {
  it('accept every value of the service types they document', () => {
    expectTypeOf<AskResult>().toExtend<AskResponse>();
    expectTypeOf<DocumentSummary>().toExtend<DocumentResponse>();
    expectTypeOf<PassageContext>().toExtend<PassageContextResponse>();
    expectTypeOf<HealthReport>().toExtend<Health>();
    expectTypeOf<AskRequestBody>().toExtend<AskRequest>();
  });
});

describe('createAskRequestSchema', () => {
  const schema = createAskRequestSchema(50, 3);
  const space = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u00a0'), maxLength: 5 });
  const question = fc
    .tuple(space, fc.string({ maxLength: 60, unit: 'grapheme-composite' }), space)
    .map((parts) => parts.join(''));

  it('accepts a question exactly when its trimmed length is 1..max, and trims it', () => {
    fc.assert(
      fc.property(question, (question) => {
        const result = schema.safeParse({ question });
        const trimmed = question.trim();
        expect(result.success).toBe(trimmed.length >= 1 && trimmed.length <= 50);
        if (result.success) expect(result.data.question).toBe(trimmed);
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  it('accepts topK exactly when it is an integer in 1..50, defaulting to 5', () => {
    expect(schema.parse({ question: 'q' }).topK).toBe(5);
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -10, max: 60 }), fc.double()), (topK) => {
        const ok = Number.isInteger(topK) && topK >= 1 && topK <= 50;
        expect(schema.safeParse({ question: 'q', topK }).success).toBe(ok);
      }),
      { seed: 2, numRuns: 300 },
    );
  });

  it('applies the history limit it was given', () => {
    const turn = { role: 'user', content: 'x' };
    expect(schema.safeParse({ question: 'q', history: [turn, turn, turn] }).success).toBe(true);
    expect(schema.safeParse({ question: 'q', history: [turn, turn, turn, turn] }).success).toBe(false);
  });
});
