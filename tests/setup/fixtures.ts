import type { DocumentInfo } from '../../src/core/types.ts';
import type { ConfidenceSignals } from '../../src/retrieve/confidence.ts';

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

/** Signals of a well-supported answer, for tests that fake the search service; override what a test varies. */
export const confidentSignals: ConfidenceSignals = {
  coverage: 1,
  support: 1,
  agreement: true,
  missingNames: [],
  asksAboutNow: false,
  similarity: 0.9,
  otherLanguage: false,
};
