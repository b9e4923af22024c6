import type { DocumentInfo } from '../../src/core/types.ts';

/** A one-character document for tests that fake the search service. */
export const testDocument: DocumentInfo = {
  id: 'd',
  source: 'd.txt',
  title: 'D',
  authors: [],
  languages: ['en'],
  type: 'article',
  start: 0,
  end: 1,
};
