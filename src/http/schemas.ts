import { z } from '@hono/zod-openapi';
import { PASSAGE_KINDS, type PassageKind } from '../core/types.ts';

/**
 * Request and response schemas of the HTTP API. They validate requests and generate `/openapi.json`.
 */

const Kind = z.enum(PASSAGE_KINDS as unknown as [PassageKind, ...PassageKind[]]);
const Id = z.string().min(1).max(200);

/** Passages returned when a request gives no `topK`; the same as the search engine's default. */
export const DEFAULT_TOP_K = 5;
/** Most passages one request may ask for unless the configuration says otherwise (MAX_TOP_K). */
export const DEFAULT_MAX_TOP_K = 50;
/** Earlier turns accepted in `history` unless the configuration says otherwise (MAX_HISTORY_TURNS). */
export const DEFAULT_MAX_HISTORY_TURNS = 20;

/** Optional parts of each ranked passage that an ask request may `include`. */
export const ANSWER_PARTS = ['text', 'why'] as const;
export type AnswerPart = (typeof ANSWER_PARTS)[number];
/**
 * The parts an ask answer includes when the request names none: the passage text, which answers always
 * carried, but not the ranking explanation, which only debugging and evaluation read.
 */
export const DEFAULT_INCLUDE: readonly AnswerPart[] = ['text'];

/**
 * The ask request. Objects are strict, so a misspelt field is an error naming it rather than a
 * silently ignored option. Texts are trimmed, then must be non-empty and at most
 * `maxQuestionChars` long; the limits come from the configuration.
 */
export function createAskRequestSchema(
  maxQuestionChars: number,
  maxHistoryTurns = DEFAULT_MAX_HISTORY_TURNS,
  maxTopK = DEFAULT_MAX_TOP_K,
) {
  const text = z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(maxQuestionChars, `must be at most ${maxQuestionChars} characters`);
  return z
    .strictObject({
      question: text.openapi({ example: 'What is political modernization?' }),
      history: z
        .array(z.strictObject({ role: z.enum(['user', 'assistant']), content: text }))
        .max(maxHistoryTurns, `at most ${maxHistoryTurns} earlier turns`)
        .optional()
        .openapi({
          description: 'Earlier turns, oldest first; user turns give follow-up questions their context.',
        }),
      topK: z
        .number()
        .int()
        .min(1)
        .max(maxTopK)
        .default(DEFAULT_TOP_K)
        .openapi({ description: 'Passages to return.' }),
      filters: z
        .strictObject({
          documentIds: z
            .array(Id)
            .max(100)
            .optional()
            .openapi({ description: 'Search only these documents (ids from GET /v1/documents).' }),
          languages: z
            .array(z.string().min(2).max(8))
            .max(10)
            .optional()
            .openapi({ description: 'ISO 639-1 codes, e.g. `en`, `ru`, `kk`.' }),
          kinds: z
            .array(Kind)
            .max(PASSAGE_KINDS.length)
            .optional()
            .openapi({ description: 'Passage kinds; by default every kind but `references`.' }),
        })
        .optional()
        .openapi({ description: 'Every value must exist in the corpus, or the request is rejected.' }),
      include: z
        .array(z.enum(ANSWER_PARTS))
        .max(ANSWER_PARTS.length)
        .refine((parts) => new Set(parts).size === parts.length, 'must not repeat a part')
        .default([...DEFAULT_INCLUDE])
        .openapi({
          description:
            'Optional parts of each passage to send: `text` (the whole passage, about 1.2 KB each) and `why` ' +
            '(ranks and scores from each retriever, the fused score, the matched terms). Default `["text"]`; ' +
            '`[]` sends the quote and citation only (what the widget shows), `["text", "why"]` everything.',
          example: ['text'],
        }),
    })
    .openapi('AskRequest');
}

const BibliographySchema = z
  .object({
    year: z.number().int().optional(),
    genre: z.string().optional(),
    journal: z.string().optional(),
    volume: z.string().optional(),
    issue: z.string().optional(),
    firstPage: z.number().int().optional(),
    lastPage: z.number().int().optional(),
    publisher: z.string().optional(),
    place: z.string().optional(),
    issn: z.string().optional(),
    affiliations: z.array(z.string()).optional(),
  })
  .openapi('Bibliography');

const Span = { start: z.number().int(), end: z.number().int() };

export const CitationSchema = z
  .object({
    source: z.string().openapi({ description: 'File name in the corpus directory.' }),
    documentId: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    section: z.string(),
    ...Span,
    pages: z.string().optional().openapi({ description: 'Page or page range (`3`, `3–4`) for PDF sources.' }),
    label: z.string().openapi({ description: 'Ready-to-paste reference.' }),
  })
  .openapi('Citation');

export const RankedPassageSchema = z
  .object({
    id: z.string(),
    rank: z.number().int(),
    score: z.number(),
    text: z.string().optional().openapi({
      description: 'The whole passage; present unless the request’s `include` leaves `text` out.',
    }),
    language: z.string(),
    kind: Kind,
    quote: z.object({
      text: z.string(),
      ...Span,
      highlights: z.array(z.object(Span)),
      marks: z.array(z.object(Span)),
    }),
    citation: CitationSchema,
    why: z
      .object({
        dense: z.object({ rank: z.number(), score: z.number() }).optional(),
        lexical: z.object({ rank: z.number(), score: z.number() }).optional(),
        sentence: z.object({ rank: z.number(), score: z.number() }).optional(),
        fused: z.number(),
        matchedTerms: z.array(z.string()),
      })
      .optional()
      .openapi({
        description: 'Why the passage ranks where it does; only when the request’s `include` has `why`.',
      }),
  })
  .openapi('RankedPassage');

export const AskResponseSchema = z
  .object({
    query: z.object({
      text: z.string(),
      language: z.string(),
      usedHistory: z.boolean(),
      model: z.string(),
      modelFallback: z.string().optional(),
    }),
    confidence: z.enum(['high', 'medium', 'low']),
    signals: z
      .object({
        coverage: z.number(),
        support: z.number(),
        agreement: z.boolean(),
        missingNames: z.array(z.string()),
        asksAboutNow: z.boolean(),
        missingAnswer: z.enum(['share', 'amount', 'year', 'count']).optional(),
        similarity: z.number(),
        otherLanguage: z.boolean(),
      })
      .openapi({
        description:
          'What the confidence is based on: share of question terms known to the corpus, share found in the best passage, whether both rankings agree on it, names the best passage lacks, and whether the question asks about the present.',
      }),
    passages: z.array(RankedPassageSchema),
    tookMs: z.number(),
    askId: z.string().optional().openapi({
      description: 'Id of this answer for `POST /v1/feedback`; absent when analytics is off.',
    }),
  })
  .openapi('AskResponse');

export const DocumentSchema = z
  .object({
    id: z.string(),
    source: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    languages: z.array(z.string()),
    type: z.enum(['article', 'matter']),
    collection: z.string().optional(),
    bibliography: BibliographySchema.optional().openapi({
      description: 'Year, journal, issue, pages, publisher, ISSN, affiliations: what the corpus gives.',
    }),
    format: z.enum(['text', 'markdown', 'pdf', 'docx', 'html']).optional(),
    ...Span,
    passageCount: z.number().int(),
  })
  .openapi('Document');

export const SkippedFileSchema = z
  .object({
    file: z.string(),
    reason: z.string().openapi({
      description: 'encrypted, no-text, truncated, corrupt, mislabelled, too-large, unsupported or empty',
    }),
    message: z.string(),
  })
  .openapi('SkippedFile');

export const DocumentListSchema = z
  .object({
    documents: z.array(DocumentSchema),
    skipped: z.array(SkippedFileSchema).openapi({ description: 'Corpus files left out, with the reason.' }),
  })
  .openapi('DocumentList');

export const PageSpanSchema = z.object({ page: z.number().int(), label: z.string(), ...Span });

export const DocumentTextSchema = z
  .object({
    documentId: z.string(),
    source: z.string(),
    format: z.enum(['text', 'markdown', 'pdf', 'docx', 'html']),
    ...Span,
    text: z
      .string()
      .openapi({ description: 'The whole source file as indexed; citation offsets index into it.' }),
    pages: z.array(PageSpanSchema).optional(),
  })
  .openapi('DocumentText');

export const PassageSchema = z
  .object({
    id: z.string(),
    ordinal: z.number().int(),
    documentId: z.string(),
    source: z.string(),
    section: z.array(z.string()),
    language: z.string(),
    kind: Kind,
    text: z.string(),
    sentences: z.array(z.object({ text: z.string(), ...Span })),
    ...Span,
  })
  .openapi('Passage');

export const PassageContextSchema = z
  .object({
    passage: PassageSchema,
    document: DocumentSchema.omit({ passageCount: true }),
    previousId: z.string().nullable(),
    nextId: z.string().nullable(),
  })
  .openapi('PassageContext');

export const HealthSchema = z
  .object({
    status: z.literal('ok'),
    documents: z.number().int(),
    passages: z.number().int(),
    model: z.object({
      id: z.string(),
      dims: z.number().int(),
      requested: z.string().optional(),
      fallbackReason: z.string().optional(),
    }),
    indexBuiltAt: z.string(),
    skipped: z.array(SkippedFileSchema),
    index: z
      .object({
        backend: z.enum(['files', 'postgres']),
        version: z.number().int().optional(),
        database: z
          .object({
            status: z.enum(['ok', 'unavailable']),
            checkedAt: z.string(),
            error: z.string().optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .openapi('Health');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'INVALID_REQUEST' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export const ReindexStatusSchema = z
  .object({
    state: z.enum(['idle', 'running', 'failed']),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    error: z.string().optional(),
    indexBuiltAt: z.string().optional(),
  })
  .openapi('ReindexStatus');

export const DocumentChangeSchema = z
  .object({
    file: z.string().openapi({ description: 'The corpus file added, replaced or removed.' }),
    replaced: z.boolean().optional(),
    removed: z.array(z.string()).optional().openapi({ description: 'Ids of the documents the file held.' }),
    reindex: ReindexStatusSchema,
  })
  .openapi('DocumentChange');

export const IdParamSchema = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' } }) });

/** The `{id}` path parameter with an example that exists in the served corpus. */
export function idParam(example: string) {
  return z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' }, example }) });
}

/** A validated ask request body (trimmed texts, `topK` filled in). */
export type AskRequestBody = z.infer<ReturnType<typeof createAskRequestSchema>>;
export type AskResponse = z.infer<typeof AskResponseSchema>;
export type DocumentResponse = z.infer<typeof DocumentSchema>;
export type DocumentList = z.infer<typeof DocumentListSchema>;
export type PassageContextResponse = z.infer<typeof PassageContextSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type ErrorResponse = z.infer<typeof ErrorSchema>;
export type ReindexStatusResponse = z.infer<typeof ReindexStatusSchema>;
