import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkCorpus, DEFAULT_CHUNK_OPTIONS } from '../../src/chunk/chunk-corpus.ts';
import { normalizeSpan } from '../../src/core/clean.ts';
import type { DocumentInfo, Passage, SourceFile } from '../../src/core/types.ts';
import { locate } from '../../src/eval/evaluate.ts';
import { buildCatalog } from '../../src/ingest/catalog.ts';
import { loadCorpus } from '../../src/ingest/load-corpus.node.ts';

/** Invariants of the chunker over the whole shipped corpus. */
describe('chunkCorpus on the shipped corpus', () => {
  let files: SourceFile[];
  let catalog: DocumentInfo[];
  let passages: Passage[];
  const raw = (p: { source: string }) => files.find((f) => f.name === p.source)?.text ?? '';

  beforeAll(async () => {
    const snapshot = await loadCorpus('corpus');
    files = snapshot.files;
    catalog = buildCatalog(files, snapshot.sidecar);
    passages = chunkCorpus(files, catalog);
  });

  it('keeps raw offsets whose slice, cleaned, equals the passage text', () => {
    const bad = passages
      .filter((p) => normalizeSpan(raw(p).slice(p.start, p.end)) !== p.text)
      .map((p) => p.id);
    expect(bad).toEqual([]);
    expect(passages.length).toBeGreaterThan(300);
  });

  it('keeps raw offsets for every sentence, and the text is its sentences joined', () => {
    for (const p of passages) {
      expect(p.sentences.map((s) => s.text).join(' ')).toBe(p.text);
      for (const s of p.sentences) expect(normalizeSpan(raw(p).slice(s.start, s.end))).toBe(s.text);
    }
  });

  it('never crosses a document boundary', () => {
    const byId = new Map(catalog.map((d) => [d.id, d]));
    for (const p of passages) {
      const d = byId.get(p.documentId);
      expect(d?.source).toBe(p.source);
      expect(p.start).toBeGreaterThanOrEqual(d?.start ?? Infinity);
      expect(p.end).toBeLessThanOrEqual(d?.end ?? -1);
    }
  });

  it('ends every passage at a sentence or clause boundary, or where its line ends', () => {
    // A passage that stops mid-sentence gives a quote nobody can paste ("…threshold for parties" / "to be
    // reduced by 4 times…"): the cut must fall after terminal punctuation, or at a structural end (a line
    // break after any trailing markup such as `*`, `\\*<sup>1</sup>` or a table cell).
    const midSentence = passages
      .filter((p) => {
        if (/[.!?…;:]["'”’»)\]]*$/u.test(p.text)) return false;
        const after = raw(p)
          .slice(p.end)
          .replace(/^(?:[*_\\]+|<sup>[^<]*<\/sup>|<\/?[a-z][^>]*>)+/iu, '');
        return !/^[ \t]*(?:\n|$|\|)/u.test(after);
      })
      .map((p) => `${p.id}: …${p.text.slice(-40)}`);
    expect(midSentence).toEqual([]);
  });

  it('has unique ids and dense ordinals', () => {
    expect(new Set(passages.map((p) => p.id)).size).toBe(passages.length);
    expect(passages.map((p) => p.ordinal)).toEqual(passages.map((_, i) => i));
  });

  it('sizes body passages for retrieval and never over the token limit', () => {
    const body = passages.filter((p) => p.kind === 'body').map((p) => p.text.split(' ').length);
    const inRange = body.filter((w) => w >= 30 && w <= 240).length / body.length;
    expect(inRange).toBeGreaterThan(0.85);
    for (const p of passages) expect(DEFAULT_CHUNK_OPTIONS.countTokens(p.text)).toBeLessThanOrEqual(480);
  });

  it('strips markup from the text', () => {
    for (const p of passages) expect(p.text).not.toMatch(/\*\*|<sup>|\[bookmark:|\(to contents\)/);
  });

  it('tags abstracts, keywords and references, in three languages', () => {
    const kinds = new Set(passages.map((p) => `${p.kind}/${p.language}`));
    for (const k of [
      'abstract/en',
      'abstract/ru',
      'abstract/kk',
      'keywords/en',
      'references/en',
      'body/en',
      'table/en',
    ]) {
      expect(kinds).toContain(k);
    }
  });

  it('puts every dev evidence string inside some passage of its source', async () => {
    const lines = (await readFile('eval/dev.jsonl', 'utf8')).split('\n').filter(Boolean);
    const missing: string[] = [];
    for (const line of lines) {
      const q = JSON.parse(line) as { id: string; source: string | null; evidence: string[] };
      for (const e of q.evidence) {
        const span = locate(raw({ source: q.source ?? '' }), e);
        const covered = passages.some(
          (p) =>
            p.source === q.source &&
            span &&
            (Math.min(p.end, span.end) - Math.max(p.start, span.start)) * 2 >= span.end - span.start,
        );
        if (!covered) missing.push(q.id);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('chunkCorpus on small documents', () => {
  const chunk = (text: string, name = 'n.md') => {
    const files = [{ name, text }];
    return chunkCorpus(files, buildCatalog(files));
  };

  it('re-joins a sentence broken across a blank line', () => {
    const [p] = chunk(
      '# Notes\n\nThe reform brought a qualitative\n\nchange in the political system. Next sentence here.\n',
    );
    expect(p?.sentences[0]?.text).toBe('The reform brought a qualitative change in the political system.');
  });

  it('carries headings as the section path and run-in keywords as their own passage', () => {
    const ps = chunk(
      '# Title\n\n**Keywords:** parties, reform\n\n## Methods\n\nWe read the laws. We counted the seats.\n\n### Data\n\nTables were used.\n',
    );
    expect(ps.find((p) => p.kind === 'keywords')?.text).toBe('parties, reform');
    expect(ps.find((p) => p.text.startsWith('Tables'))?.section).toEqual(['Methods', 'Data']);
  });

  it('marks tab-separated rows as a table', () => {
    const ps = chunk('# T\n\nCountry\t2019\t2020\nKazakhstan\t10\t12\n');
    expect(ps[0]?.kind).toBe('table');
  });

  it('splits long sections with a sentence of overlap', () => {
    const sentence = (i: number) =>
      `Sentence number ${i} talks about akims and maslikhats in some detail here.`;
    const text = `# Long\n\n${Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ')}\n`;
    const ps = chunk(text);
    expect(ps.length).toBeGreaterThan(2);
    const lastOfFirst = ps[0]?.sentences.at(-1)?.text;
    expect(ps[1]?.sentences[0]?.text).toBe(lastOfFirst);
    for (const p of ps) expect(p.text.split(' ').length).toBeLessThanOrEqual(DEFAULT_CHUNK_OPTIONS.maxWords);
  });

  it('drops a repeated paragraph', () => {
    const para = 'The same paragraph is printed twice by the layout of the journal issue.';
    const ps = chunk(`# T\n\n${para}\n\nSomething else entirely, said once.\n\n${para}\n`);
    expect(
      ps
        .map((p) => p.text)
        .join(' ')
        .split(para).length - 1,
    ).toBe(1);
  });
});
