import { describe, expect, it } from 'vitest';
import { buildCatalog, CatalogSidecarSchema, deriveTitle, slugify } from '../../src/ingest/catalog.ts';
import { loadCorpus } from '../../src/ingest/load-corpus.node.ts';

describe('buildCatalog', () => {
  it('splits the journal issue into seven articles with authors plus front and back matter', async () => {
    const { files, sidecar } = await loadCorpus('corpus');
    const catalog = buildCatalog(files, sidecar);
    const issue = catalog.filter((d) => d.source === '002_65d38c5c6c547e1f.txt');
    expect(issue.filter((d) => d.type === 'article')).toHaveLength(7);
    expect(issue.filter((d) => d.type === 'matter')).toHaveLength(2);
    expect(issue.find((d) => d.id === '002-a3-party-field-reform')?.authors).toEqual(['Elena Nechaeva']);
    const text = files.find((f) => f.name === '002_65d38c5c6c547e1f.txt')?.text ?? '';
    expect(text.slice(issue[3]?.start ?? 0).startsWith('PROSPECTS FOR PARTY FIELD REFORM')).toBe(true);
    // Units tile the file without gaps or overlaps.
    expect(issue.slice(1).map((d) => d.start)).toEqual(issue.slice(0, -1).map((d) => d.end));
    expect(issue.at(-1)?.end).toBe(text.length);
  });

  it('derives languages from the text', async () => {
    const { files, sidecar } = await loadCorpus('corpus');
    const doc = buildCatalog(files, sidecar).find((d) => d.id === '003-philosophy-of-power');
    expect(doc?.languages).toEqual(['en', 'kk', 'ru']);
  });

  it('gives a file without a sidecar entry a default entry', () => {
    const [doc] = buildCatalog([{ name: 'My Notes (v2).md', text: '\n# Akims and Elections\n\nText.' }]);
    expect(doc).toMatchObject({ id: 'my-notes-v2', title: 'Akims and Elections', authors: [], start: 0 });
  });

  it('rejects an anchor that is not in the file', () => {
    const sidecar = {
      documents: [
        {
          file: 'a.txt',
          units: [{ id: 'x', title: 'X', authors: [], type: 'article' as const, anchor: 'NOWHERE' }],
        },
      ],
    };
    expect(() => buildCatalog([{ name: 'a.txt', text: 'hello' }], sidecar)).toThrow(
      /CORPUS_INVALID.*NOWHERE/,
    );
  });

  it("gives each unit the issue's bibliography with its own pages over it", async () => {
    const { files, sidecar } = await loadCorpus('corpus');
    const a7 = buildCatalog(files, sidecar).find((d) => d.id === '002-a7-legal-interpretation');
    expect(a7?.bibliography).toMatchObject({ year: 2022, issn: '2791-2000', firstPage: 88 });
    expect(a7?.bibliography?.lastPage).toBeUndefined();
  });

  it('rejects a last page without a first page, and a malformed ISSN', () => {
    const entry = (bibliography: unknown) => ({ documents: [{ file: 'a.txt', bibliography }] });
    expect(CatalogSidecarSchema.safeParse(entry({ lastPage: 4 })).success).toBe(false);
    expect(CatalogSidecarSchema.safeParse(entry({ firstPage: 5, lastPage: 4 })).success).toBe(false);
    expect(CatalogSidecarSchema.safeParse(entry({ issn: '123' })).success).toBe(false);
    expect(CatalogSidecarSchema.safeParse(entry({ firstPage: 4, lastPage: 9, year: 2020 })).success).toBe(
      true,
    );
  });

  it('rejects duplicate ids', () => {
    const sidecar = { documents: [{ file: 'b.txt', id: 'a' }] };
    expect(() =>
      buildCatalog(
        [
          { name: 'a.txt', text: 'x' },
          { name: 'b.txt', text: 'y' },
        ],
        sidecar,
      ),
    ).toThrow(/CORPUS_INVALID/);
  });
});

describe('deriveTitle and slugify', () => {
  it('falls back to the first line, then the file name', () => {
    expect(deriveTitle('\n\nFirst line here\nmore', 'x.txt')).toBe('First line here');
    expect(deriveTitle('   ', 'empty.txt')).toBe('empty');
    expect(slugify('Қазақ.txt')).toMatch(/^[a-z0-9._-]+$/);
  });
});
