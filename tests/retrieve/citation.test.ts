import { describe, expect, it } from 'vitest';
import type { DocumentInfo, Passage } from '../../src/core/types.ts';
import { citePassage, formatLabel, shortAuthor } from '../../src/retrieve/citation.ts';

const doc: DocumentInfo = {
  id: 'a3',
  source: 'x.txt',
  title: 'Prospects for Party Field Reform in Kazakhstan',
  authors: ['Elena Nechaeva'],
  languages: ['en'],
  type: 'article',
  collection: 'Kazakhstan Journal of Foreign Studies',
  start: 0,
  end: 100,
};

describe('citation', () => {
  it('abbreviates given names', () => {
    expect(shortAuthor('Elena Nechaeva')).toBe('Nechaeva, E.');
    expect(shortAuthor('Nechaeva, E.')).toBe('Nechaeva, E.');
  });

  it('formats a pasteable label with the innermost section', () => {
    expect(formatLabel(doc, ['Findings of the Study'])).toBe(
      'Nechaeva, E., “Prospects for Party Field Reform in Kazakhstan”, Kazakhstan Journal of Foreign Studies, § Findings of the Study',
    );
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
});
