import { readdir, readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import { DEFAULT_PASSAGE_KINDS } from '../../src/core/types.ts';
import { type EvalQuestion, parseQuestions } from '../../src/eval/evaluate.ts';
import { contextHeader } from '../../src/index/build-index.node.ts';
import { LexicalIndex } from '../../src/index/lexical.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { isStoredVectorIndex, type PassageFilter } from '../../src/index/types.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import type { AskRequest, QaService } from '../../src/retrieve/types.ts';

/** Every question of every eval file, as the eval CLI asks them (last turn, earlier turns as history). */
export async function evalRequests(): Promise<Array<{ id: string; request: AskRequest }>> {
  const out: Array<{ id: string; request: AskRequest }> = [];
  for (const file of (await readdir('eval')).filter((f) => f.endsWith('.jsonl')).sort()) {
    const questions: EvalQuestion[] = parseQuestions(await readFile(`eval/${file}`, 'utf8'), file);
    for (const q of questions) {
      out.push({
        id: `${file}:${q.id}`,
        request: {
          question: q.turns[q.turns.length - 1] as string,
          history: q.turns.slice(0, -1).map((content) => ({ role: 'user' as const, content })),
          topK: 5,
        },
      });
    }
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

const close = (a: number, b: number, tolerance: number) =>
  Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

/** A backend's index of a corpus, and the file backend's index of the same corpus and model. */
export interface ContractSubject {
  index: SearchIndex;
  reference: SearchIndex;
}

/**
 * The behaviour every index backend owes the retrieval engine, checked against the build it was loaded
 * from (`reference`, the file backend's index of the same corpus and model): the same catalogue; lexical
 * hits with the embedded BM25 engine's scores, order and matched terms; exact-enough nearest neighbours;
 * filters applied before the cut to k; and, end to end, the same answers to every eval question. `mixed`
 * is the same backend holding the mixed-format test corpus (a PDF, a web page, a file the build skipped):
 * the same document texts, formats, page spans, cited pages and skipped files.
 */
export function indexBackendContract(open: () => ContractSubject & { mixed: ContractSubject }): void {
  const sampleQueries = (reference: SearchIndex) =>
    reference.passages
      .filter((_, i) => i % 23 === 0)
      .map(
        (p) =>
          new Map(
            terms(p.text)
              .slice(0, 6)
              .map((t, i) => [t, i === 0 ? 1 : 0.6] as const),
          ),
      );

  it('holds the documents, passages, sources, sentence vectors and term statistics of the build', () => {
    const { index, reference } = open();
    expect(index.documents).toEqual(reference.documents);
    expect(index.passages).toEqual(reference.passages);
    expect([...index.sources].sort()).toEqual([...reference.sources].sort());
    expect(index.sentenceOffsets).toEqual(reference.sentenceOffsets);
    expect(index.sentencePassage).toEqual(reference.sentencePassage);
    expect(index.sentenceVectors).toEqual(reference.sentenceVectors);
    expect(new Map([...index.documentFrequency].sort())).toEqual(
      new Map([...reference.documentFrequency].sort()),
    );
    expect(index.lexical.size).toBe(reference.passages.length);
  });

  it('scores lexical hits as the embedded BM25 engine does, in the same order, with the same matched terms', async () => {
    const { index, reference } = open();
    const documents = new Map(reference.documents.map((d) => [d.id, d]));
    // Built afresh from the passages: the reference is the engine's arithmetic, not a stored artefact.
    const engine = LexicalIndex.build(
      reference.passages.map((p) => ({
        ordinal: p.ordinal,
        text: p.text,
        context: contextHeader(p, documents.get(p.documentId)),
      })),
    );
    let compared = 0;
    for (const query of sampleQueries(reference)) {
      const expected = engine.search(query, 30);
      const actual = await index.lexical.search(query, 30);
      expect(actual.map((h) => h.label)).toEqual(expected.map((h) => h.label));
      expect(actual.map((h) => h.matched)).toEqual(expected.map((h) => h.matched));
      actual.forEach((h, i) => {
        expect(close(h.score, expected[i]?.score ?? Number.NaN, 1e-12)).toBe(true);
      });
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('applies filters inside the lexical search, before the cut to k', async () => {
    const { index, reference } = open();
    const documentId = reference.documents[1]?.id as string;
    const filters: PassageFilter[] = [
      { kinds: DEFAULT_PASSAGE_KINDS },
      { kinds: ['abstract', 'keywords'] },
      { kinds: DEFAULT_PASSAGE_KINDS, documentIds: [documentId] },
      { kinds: DEFAULT_PASSAGE_KINDS, languages: ['ru', 'kk'] },
    ];
    for (const query of sampleQueries(reference).slice(0, 6)) {
      const all = await index.lexical.search(query, reference.passages.length);
      for (const filter of filters) {
        const accept = (label: number) => {
          const p = reference.passages[label];
          return (
            !!p &&
            filter.kinds.includes(p.kind) &&
            (!filter.documentIds || filter.documentIds.includes(p.documentId)) &&
            (!filter.languages || filter.languages.includes(p.language))
          );
        };
        const filtered = await index.lexical.search(query, 8, accept, filter);
        expect(filtered.map((h) => h.label)).toEqual(
          all
            .filter((h) => accept(h.label))
            .slice(0, 8)
            .map((h) => h.label),
        );
      }
    }
  });

  it('returns the exact nearest passages by inner product, best first, within the filter', async () => {
    const { index, reference } = open();
    const vectors = reference.vectors;
    if (!isStoredVectorIndex(vectors)) throw new Error('the reference is a file-backend index');
    const stored = reference.passages.map((_, i) => vectors.vector(i));
    const filter: PassageFilter = { kinds: ['body', 'table'] };
    for (const p of reference.passages.filter((_, i) => i % 41 === 0)) {
      const query = await reference.embedder.embedQuery(p.text.slice(0, 200));
      for (const f of [undefined, filter]) {
        const expected = stored
          .map((v, label) => ({ label, score: dot(v, query) }))
          .filter((h) => !f || f.kinds.includes(reference.passages[h.label]?.kind as never))
          .sort((a, b) => b.score - a.score)
          .slice(0, 10);
        const accept = f
          ? (label: number) => f.kinds.includes(reference.passages[label]?.kind as never)
          : undefined;
        const actual = await index.vectors.search(query, 10, accept, f);
        expect(actual.map((h) => h.label)).toEqual(expected.map((h) => h.label));
        actual.forEach((h, i) => {
          expect(close(h.score, expected[i]?.score ?? Number.NaN, 1e-5)).toBe(true);
        });
      }
    }
  });

  it('returns the exact nearest sentences by inner product', async () => {
    const { index, reference } = open();
    const dims = reference.embedder.dims;
    const rows = reference.sentencePassage.length;
    const row = (r: number) => reference.sentenceVectors.subarray(r * dims, (r + 1) * dims);
    for (let r = 0; r < rows; r += Math.ceil(rows / 20)) {
      const expected = Array.from({ length: rows }, (_, label) => ({ label, score: dot(row(label), row(r)) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 5);
      const actual = await index.sentences.search(row(r), 5);
      // Identical sentences (a title printed twice) tie exactly; compare scores, and labels where no tie.
      actual.forEach((h, i) => {
        expect(close(h.score, expected[i]?.score ?? Number.NaN, 1e-5)).toBe(true);
        expect(close(dot(row(h.label), row(r)), h.score, 1e-5)).toBe(true);
      });
    }
  });

  it('serves the same document texts, formats, page spans and skipped files as the file backend', () => {
    const { index, reference } = open().mixed;
    const [service, expected] = [createQaService(index), createQaService(reference)];
    const texts = (s: QaService) => reference.documents.map((d) => s.getDocumentText(d.id));
    expect(texts(service)).toEqual(texts(expected));
    expect(service.listSkipped()).toEqual(expected.listSkipped());
    expect(service.health().skipped).toEqual(expected.health().skipped);
    // What makes the comparison worth making: a paginated source and a skipped file are there to carry.
    expect(texts(expected)).toContainEqual(
      expect.objectContaining({
        format: 'pdf',
        pages: [expect.objectContaining({ page: 1 }), expect.anything()],
      }),
    );
    expect(expected.listSkipped()).toEqual([
      expect.objectContaining({ file: 'truncated.pdf', reason: 'truncated' }),
    ]);
  });

  it('cites the same pages as the file backend, from the page spans of the source', async () => {
    const { index, reference } = open().mixed;
    const [service, expected] = [createQaService(index), createQaService(reference)];
    const pdf = reference.documents.find((d) => d.format === 'pdf');
    const questions = reference.passages
      .filter((p) => p.documentId === pdf?.id)
      .map((p) => p.text.split(/\s+/).slice(0, 12).join(' '));
    expect(questions.length).toBeGreaterThan(1);
    const pages = new Set<string>();
    for (const question of questions) {
      const [a, b] = [await service.ask({ question }), await expected.ask({ question })];
      expect(a.passages.map((p) => p.citation)).toEqual(b.passages.map((p) => p.citation));
      for (const p of b.passages) if (p.citation.documentId === pdf?.id) pages.add(p.citation.pages ?? '');
    }
    expect(pages.size).toBeGreaterThan(1);
  });

  it('answers every eval question with the same top-5 passages as the file backend', async () => {
    const { index, reference } = open();
    const service = createQaService(index);
    const expected = createQaService(reference);
    const differ: string[] = [];
    const requests = await evalRequests();
    for (const { id, request } of requests) {
      const [a, b] = [await service.ask(request), await expected.ask(request)];
      const ids = (r: typeof a) => r.passages.map((p) => p.id).join(' ');
      if (ids(a) !== ids(b)) differ.push(`${id}: ${ids(a)} ≠ ${ids(b)}`);
    }
    expect(requests.length).toBeGreaterThan(300);
    expect(differ).toEqual([]);
  }, 600_000);
}
