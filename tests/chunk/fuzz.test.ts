import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkCorpus } from '../../src/chunk/chunk-corpus.ts';
import { normalizeSpan } from '../../src/core/clean.ts';
import { buildCatalog } from '../../src/ingest/catalog.ts';

/** The chunker's invariants on arbitrary text, including markup, Cyrillic, emoji and control characters. */
describe('chunkCorpus on arbitrary text', () => {
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom(
      '# Heading\n',
      '**Keywords:** a, b\n',
      '\n\n',
      '. ',
      'K.K. Tokayev said. ',
      '«Қазақстан» саяси. ',
      'Политика власти. ',
      '\t12,5 %\t',
      '<sup>1</sup>',
      '[bookmark: x]',
      '(to contents)\n',
      '<https://kisi.kz>',
      '\\*',
      '🇰🇿 ',
      '\u00a0',
      'ABSTRACT\n',
      'REFERENCES\n1. A book.\n',
    ),
  );
  const document = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));

  it('keeps every passage and sentence reproducible from its raw span, inside the document', () => {
    fc.assert(
      fc.property(document, (text) => {
        const files = [{ name: 'f.md', text }];
        const catalog = buildCatalog(files);
        const passages = chunkCorpus(files, catalog);
        for (const p of passages) {
          expect(normalizeSpan(text.slice(p.start, p.end))).toBe(p.text);
          expect(p.sentences.map((s) => s.text).join(' ')).toBe(p.text);
          for (const s of p.sentences) expect(normalizeSpan(text.slice(s.start, s.end))).toBe(s.text);
          expect(p.start).toBeGreaterThanOrEqual(0);
          expect(p.end).toBeLessThanOrEqual(text.length);
          expect(p.text.length).toBeGreaterThan(0);
        }
        expect(new Set(passages.map((p) => p.id)).size).toBe(passages.length);
      }),
      { numRuns: 400, seed: 1 },
    );
  });

  it('handles a huge single paragraph and an empty file', () => {
    const huge = `# Big\n\n${'word '.repeat(20_000)}`;
    const passages = chunkCorpus(
      [{ name: 'h.md', text: huge }],
      buildCatalog([{ name: 'h.md', text: huge }]),
    );
    expect(passages.length).toBeGreaterThan(50);
    expect(chunkCorpus([{ name: 'e.md', text: '' }], buildCatalog([{ name: 'e.md', text: '' }]))).toEqual([]);
  });
});
