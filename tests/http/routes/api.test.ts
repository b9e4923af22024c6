import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.ts';
import { selectParts } from '../../../src/http/routes/api.ts';
import { AskResponseSchema, ErrorSchema } from '../../../src/http/schemas.ts';
import type { AskRequest, AskResult, QaService, RankedPassage } from '../../../src/retrieve/types.ts';
import { confidentSignals } from '../../setup/fixtures.ts';

const ranked = (rank: number): RankedPassage => ({
  id: `doc-1.p${rank}`,
  rank,
  score: 1 / rank,
  text: `Passage ${rank}: akims are elected.`,
  language: 'en',
  kind: 'body',
  quote: { text: 'akims are elected.', start: 11, end: 29, highlights: [{ start: 11, end: 16 }], marks: [] },
  citation: {
    source: 'a.txt',
    documentId: 'doc-1',
    title: 'A Title',
    authors: ['Ann Author'],
    section: 'Intro',
    start: 11,
    end: 29,
    label: 'Author, A., “A Title”',
  },
  why: {
    dense: { rank, score: 0.8 },
    lexical: { rank, score: 3.5 },
    fused: 1 / rank,
    matchedTerms: ['akim'],
  },
});

/** Answers every question with two passages, each with its text and `why`; records what it was asked. */
function fakeService(): QaService & { calls: AskRequest[] } {
  const calls: AskRequest[] = [];
  const unused = () => undefined;
  return {
    calls,
    ask: async (request): Promise<AskResult> => {
      calls.push(request);
      return {
        query: { text: request.question, language: 'en', usedHistory: false, model: 'test-model' },
        confidence: 'high',
        signals: confidentSignals,
        tookMs: 1,
        passages: [ranked(1), ranked(2)],
      };
    },
    listDocuments: () => [],
    getDocument: unused,
    getPassage: unused,
    getDocumentText: unused,
    listSkipped: () => [],
    health: () => ({
      status: 'ok',
      documents: 1,
      passages: 2,
      model: { id: 'm', dims: 4 },
      indexBuiltAt: 'now',
      skipped: [],
    }),
  };
}

const config = { MAX_BODY_BYTES: 4096, MAX_QUESTION_CHARS: 2000 };

async function ask(body: Record<string, unknown>, service = fakeService()) {
  const res = await createApp({ service, config }).request('/v1/ask', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, service };
}

async function answer(body: Record<string, unknown>) {
  const { res } = await ask(body);
  expect(res.status).toBe(200);
  return AskResponseSchema.parse(await res.json());
}

describe('POST /v1/ask include', () => {
  it('sends each passage’s text but not its ranking explanation when the request names no parts', async () => {
    const body = await answer({ question: 'How are akims chosen?' });
    expect(body.passages).toHaveLength(2);
    for (const p of body.passages) {
      expect(p.text).toMatch(/akims are elected/);
      expect(p).not.toHaveProperty('why');
      expect(p.quote.text).toBe('akims are elected.');
      expect(p.citation.label).toBe('Author, A., “A Title”');
    }
  });

  it('sends the ranking explanation when `why` is included', async () => {
    const body = await answer({ question: 'How are akims chosen?', include: ['text', 'why'] });
    expect(body.passages[0]?.text).toBe('Passage 1: akims are elected.');
    expect(body.passages[0]?.why).toEqual({
      dense: { rank: 1, score: 0.8 },
      lexical: { rank: 1, score: 3.5 },
      fused: 1,
      matchedTerms: ['akim'],
    });
  });

  it('leaves the passage text out when `text` is not included', async () => {
    const withWhy = await answer({ question: 'How are akims chosen?', include: ['why'] });
    expect(withWhy.passages[1]).not.toHaveProperty('text');
    expect(withWhy.passages[1]?.why?.fused).toBe(0.5);

    const bare = await answer({ question: 'How are akims chosen?', include: [] });
    for (const p of bare.passages) {
      expect(p).not.toHaveProperty('text');
      expect(p).not.toHaveProperty('why');
      expect(Object.keys(p).sort()).toEqual(['citation', 'id', 'kind', 'language', 'quote', 'rank', 'score']);
    }
  });

  it('makes the full answer no smaller and the bare one smaller than the default', async () => {
    const size = async (include?: string[]) => {
      const { res } = await ask({ question: 'How are akims chosen?', ...(include ? { include } : {}) });
      return (await res.text()).length;
    };
    const [full, byDefault, bare] = [await size(['text', 'why']), await size(), await size([])];
    expect(full).toBeGreaterThan(byDefault);
    expect(byDefault).toBeGreaterThan(bare);
  });

  it('does not pass `include` on to the search', async () => {
    const { res, service } = await ask({ question: 'How are akims chosen?', include: ['why'] });
    expect(res.status).toBe(200);
    expect(service.calls[0]).toEqual({ question: 'How are akims chosen?', topK: 5 });
  });

  it.each([
    ['an unknown part', ['text', 'score']],
    ['a repeated part', ['why', 'why']],
    ['a string instead of a list', 'why'],
    ['too many parts', ['text', 'why', 'text']],
    ['null', null],
  ])('rejects %s with a 400 naming `include`', async (_, include) => {
    const { res, service } = await ask({ question: 'How are akims chosen?', include });
    expect(res.status).toBe(400);
    const body = ErrorSchema.parse(await res.json());
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.message).toContain('include');
    expect(service.calls).toHaveLength(0);
  });

  it('documents the field, its parts and its default in the OpenAPI document', async () => {
    const res = await createApp({ service: fakeService(), config }).request('/openapi.json');
    const doc = (await res.json()) as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    const include = doc.components.schemas.AskRequest?.properties.include as {
      default: unknown;
      items: { enum: string[] };
      description: string;
    };
    expect(include.default).toEqual(['text']);
    expect(include.items.enum).toEqual(['text', 'why']);
    expect(include.description).toMatch(/`why`/);
    const passage = doc.components.schemas.RankedPassage;
    expect(passage?.properties.text?.description).toMatch(/include/);
  });
});

describe('selectParts', () => {
  const result = { passages: [ranked(1)], tookMs: 1 };

  it('returns the answer itself when every part is included', () => {
    expect(selectParts(result, ['text', 'why'])).toBe(result);
  });

  it('leaves the answer it was given unchanged', () => {
    const trimmed = selectParts(result, []);
    expect(trimmed.passages[0]).not.toHaveProperty('text');
    expect(result.passages[0]?.text).toBe('Passage 1: akims are elected.');
    expect(result.passages[0]?.why).toBeDefined();
  });
});
