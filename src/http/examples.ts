import type { QaService } from '../retrieve/types.ts';

/** Values that exist in the loaded corpus, for examples in `/openapi.json` that succeed when tried. */
export interface ExampleValues {
  question: string;
  documentId: string;
  passageId: string;
}

/**
 * Picks a real document (the one with most passages) and its first passage, so that "Try it out" in
 * `/docs` and the schema fuzzing in CI start from requests that work on whatever corpus is served.
 */
export function exampleValues(service: QaService): ExampleValues {
  const documents = [...service.listDocuments()].sort((a, b) => b.passageCount - a.passageCount);
  const documentId = documents[0]?.id ?? 'document-id';
  // Passage ids are `<document id>.p<n>` (src/chunk/chunk-corpus.ts).
  const first = `${documentId}.p1`;
  return {
    question: 'What is political modernization?',
    documentId,
    passageId: service.getPassage(first) ? first : 'passage-id',
  };
}
