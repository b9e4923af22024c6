import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.ts';
import { createQaService } from '../../../src/retrieve/engine.ts';
import type { QaService } from '../../../src/retrieve/types.ts';
import { openTestIndex } from '../../setup/test-index.ts';

describe('GET /v1/passages/:id/cite', () => {
  let service: QaService;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    service = createQaService((await openTestIndex()).index);
    app = createApp({ service, config: { MAX_BODY_BYTES: 65536, MAX_QUESTION_CHARS: 2000 } });
  });

  const cite = async (path: string) => {
    const res = await app.request(path);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  it('cites the quote of an answer with its own offsets in plain text, APA and BibTeX', async () => {
    const answer = await service.ask({ question: 'What role do political parties play in reform?' });
    const hit = answer.passages.find((p) => p.citation.documentId === '002-a3-party-field-reform');
    expect(hit).toBeDefined();
    if (!hit) return;
    const { quote } = hit;
    const { status, body } = await cite(`/v1/passages/${hit.id}/cite?start=${quote.start}&end=${quote.end}`);
    expect(status).toBe(200);
    const cited = JSON.parse(body);
    expect(cited.span).toEqual({ start: quote.start, end: quote.end });
    expect(cited.quote).toBe(quote.text);
    expect(cited.citations.plain).toContain(
      `characters ${quote.start}–${quote.end} of 002_65d38c5c6c547e1f.txt`,
    );
    expect(cited.citations.plain).toContain(
      'Nechaeva, E. (2022). Prospects for Party Field Reform in Kazakhstan.',
    );
    expect(cited.citations.apa).toMatch(
      /\(Nechaeva, 2022(, Section “[^”]+”)?\)\.\n\nNechaeva, E\. \(2022\)\./,
    );
    expect(cited.citations.apa).toContain('Kazakhstan Journal of Foreign Studies, (3–4), 38–47.');
    expect(cited.html.apa).toContain('<i>Kazakhstan Journal of Foreign Studies</i>');
    expect(cited.citations.bibtex).toMatch(/@article\{nechaeva2022prospects,/);
    expect(cited.citations.bibtex).toContain('year = {2022}');
    expect(cited.citations.bibtex).toContain('pages = {38--47}');
    expect(cited.citations.bibtex).toContain(
      `characters ${quote.start}--${quote.end} of 002\\textunderscore{}`,
    );
    expect(cited.csl).toMatchObject({ type: 'article-journal', ISSN: '2791-2000' });
  });

  it('cites the whole passage when no offsets are given, and one style as text', async () => {
    const context = service.getPassage('000-political-modernization.p3');
    expect(context).toBeDefined();
    const json = JSON.parse((await cite('/v1/passages/000-political-modernization.p3/cite')).body);
    expect(json.span).toEqual({ start: context?.passage.start, end: context?.passage.end });
    expect(json.citations.apa).toContain('Political Modernization. (n.d.). [Lecture].');
    const bib = await cite('/v1/passages/000-political-modernization.p3/cite?style=bibtex');
    expect(bib.type).toMatch(/^text\/plain/);
    expect(bib.body).toMatch(/^% “[\s\S]+\n@misc\{politicalmodernization,/);
  });

  it('rejects offsets outside the passage, half a range and unknown styles, naming the field', async () => {
    const context = service.getPassage('001-political-parties.p2');
    const end = (context?.passage.end ?? 0) + 50;
    const outside = await cite(
      `/v1/passages/001-political-parties.p2/cite?start=${context?.passage.start}&end=${end}`,
    );
    expect(outside.status).toBe(400);
    expect(JSON.parse(outside.body).error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: /inside the passage/,
    });
    const half = await cite('/v1/passages/001-political-parties.p2/cite?start=3');
    expect(half.status).toBe(400);
    expect(JSON.parse(half.body).error.details).toEqual([
      { path: 'end', message: 'give start and end together' },
    ]);
    const reversed = await cite('/v1/passages/001-political-parties.p2/cite?start=30&end=10');
    expect(JSON.parse(reversed.body).error.message).toMatch(/end: must be greater than start/);
    const style = await cite('/v1/passages/001-political-parties.p2/cite?style=mla');
    expect(style.status).toBe(400);
    expect(JSON.parse(style.body).error.details[0].path).toBe('style');
    const negative = await cite('/v1/passages/001-political-parties.p2/cite?start=-1&end=4');
    expect(JSON.parse(negative.body).error.details[0].path).toBe('start');
  });

  it('answers 404 for an unknown passage and 405 for other methods', async () => {
    expect((await cite('/v1/passages/nope.p1/cite')).status).toBe(404);
    const post = await app.request('/v1/passages/001-political-parties.p2/cite', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await (await app.request('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toContain('/v1/passages/{id}/cite');
  });
});
