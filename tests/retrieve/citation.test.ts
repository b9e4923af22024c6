import { describe, expect, it } from 'vitest';
import type { DocumentInfo, Passage } from '../../src/core/types.ts';
import { buildCatalog } from '../../src/ingest/catalog.ts';
import { loadCorpus } from '../../src/ingest/load-corpus.node.ts';
import {
  citationKey,
  citePassage,
  cslItem,
  formatAuthors,
  formatLabel,
  formatQuotation,
  formatReference,
  sectionName,
  shortAuthor,
} from '../../src/retrieve/citation.ts';

const doc: DocumentInfo = {
  id: 'a3',
  source: 'x.txt',
  title: 'Prospects for Party Field Reform in Kazakhstan',
  authors: ['Elena Nechaeva'],
  languages: ['en'],
  type: 'article',
  collection: 'Kazakhstan Journal of Foreign Studies',
  bibliography: {
    year: 2022,
    journal: 'Kazakhstan Journal of Foreign Studies',
    issue: '3–4',
    firstPage: 38,
    lastPage: 47,
  },
  start: 0,
  end: 100,
};
const lecture: DocumentInfo = {
  ...doc,
  id: 'pm',
  title: 'Political Modernization',
  authors: [],
  bibliography: { genre: 'Lecture' },
};

describe('citation', () => {
  it('abbreviates given names', () => {
    expect(shortAuthor('Elena Nechaeva')).toBe('Nechaeva, E.');
    expect(shortAuthor('Nechaeva, E.')).toBe('Nechaeva, E.');
  });

  it('lists authors as APA does', () => {
    expect(formatAuthors(['Lyazat Nurkatova', 'Elina Vanhemping', 'Medet Kudabekov'])).toBe(
      'Nurkatova, L., Vanhemping, E., & Kudabekov, M.',
    );
    expect(formatAuthors(['Sharip Ishmukhamedov', 'Farkhad Kassenov'])).toBe(
      'Ishmukhamedov, S., & Kassenov, F.',
    );
  });

  it('formats a pasteable label with author, year, title, journal, pages and section', () => {
    expect(formatLabel(doc, ['Findings of the Study'])).toBe(
      'Nechaeva, E. (2022). Prospects for Party Field Reform in Kazakhstan. Kazakhstan Journal of Foreign Studies, no. 3–4, pp. 38–47. § Findings of the Study',
    );
  });

  it('puts the title first and says n.d. when the corpus gives no author or year', () => {
    expect(formatReference(lecture)).toBe('Political Modernization [Lecture]. (n.d.).');
  });

  it('never doubles a full stop, and writes capitalised headings as titles', () => {
    expect(sectionName(['Conclusion.'])).toBe('Conclusion');
    expect(sectionName('FINDINGS OF THE STUDY')).toBe('Findings of the Study');
    const label = formatLabel(doc, ['Intro', 'Conclusion.']);
    expect(label.endsWith('§ Conclusion')).toBe(true);
    const quotation = formatQuotation(
      { text: 'Parties matter.', start: 5, end: 20 },
      { label, source: 'x.txt' },
    );
    expect(quotation).toBe(
      '“Parties matter.” — Nechaeva, E. (2022). Prospects for Party Field Reform in Kazakhstan. Kazakhstan Journal of Foreign Studies, no. 3–4, pp. 38–47. § Conclusion, characters 5–20 of x.txt.',
    );
    expect(quotation).not.toMatch(/\.\./);
    const noSection = formatQuotation(
      { text: 'q', start: 1, end: 2 },
      { label: formatLabel(lecture, []), source: 'x.txt' },
    );
    expect(noSection).toBe('“q” — Political Modernization [Lecture]. (n.d.). Characters 1–2 of x.txt.');
  });

  it('cites the passage span and section path', () => {
    const passage = {
      id: 'a3.p1',
      ordinal: 0,
      documentId: 'a3',
      source: 'x.txt',
      section: ['Findings', 'Parties'],
      language: 'en',
      kind: 'body',
      text: 't',
      sentences: [],
      start: 10,
      end: 20,
    } satisfies Passage;
    expect(citePassage(passage, doc)).toMatchObject({
      start: 10,
      end: 20,
      section: 'Findings › Parties',
      source: 'x.txt',
    });
  });

  it('builds a CSL item and a conventional BibTeX key', () => {
    expect(cslItem(doc)).toMatchObject({
      type: 'article-journal',
      author: [{ family: 'Nechaeva', given: 'Elena' }],
      issued: { 'date-parts': [[2022]] },
      'container-title': 'Kazakhstan Journal of Foreign Studies',
      page: '38-47',
    });
    expect(cslItem(lecture)).toMatchObject({ type: 'speech', genre: 'Lecture' });
    expect(cslItem(lecture).author).toBeUndefined();
    expect(cslItem({ ...doc, bibliography: { year: 2022, journal: 'J', firstPage: 88 } }).page).toBe('88ff.');
    expect(citationKey(doc)).toBe('nechaeva2022prospects');
    expect(citationKey(lecture)).toBe('politicalmodernization');
  });
});

describe('citations of the shipped corpus', () => {
  it('carry the authors, year and journal the corpus gives', async () => {
    const { files, sidecar } = await loadCorpus('corpus');
    const documents = buildCatalog(files, sidecar);
    const byId = new Map(documents.map((d) => [d.id, d]));
    const label = (id: string) => formatReference(byId.get(id) as DocumentInfo);
    // The journal issue: authors, 2022, journal, issue and the pages of the table of contents.
    expect(label('002-a3-party-field-reform')).toBe(
      'Nechaeva, E. (2022). Prospects for Party Field Reform in Kazakhstan. Kazakhstan Journal of Foreign Studies, no. 3–4, pp. 38–47.',
    );
    for (const d of documents.filter((x) => x.source.startsWith('002') && x.type === 'article')) {
      expect(label(d.id)).toMatch(/\(2022\)\. .* Kazakhstan Journal of Foreign Studies, no\. 3–4, pp\. \d+/);
      expect(d.authors.length).toBeGreaterThan(0);
    }
    // 003 and 004 name their authors but no venue or year; 000 is a lecture with neither.
    expect(label('003-philosophy-of-power')).toBe(
      'Dinmammed, S. (n.d.). The Philosophy of Power in the Modern Society of Kazakhstan.',
    );
    expect(label('004-digitalization')).toMatch(/^Ishmukhamedov, S., & Kassenov, F\. \(n\.d\.\)\. Features/);
    expect(byId.get('004-digitalization')?.bibliography?.affiliations).toHaveLength(2);
    expect(label('000-political-modernization')).toBe('Political Modernization [Lecture]. (n.d.).');
  });
});
