import type { Sentence, Span } from './types.ts';

/**
 * Neighbouring passages share a sentence (the chunker overlaps them by one), so a passage shown with its
 * neighbours would repeat it. These are the sentences of a neighbour that lie outside `span`.
 */
export function sentencesOutside(sentences: readonly Sentence[], span: Span): Sentence[] {
  return sentences.filter((s) => s.end <= span.start || s.start >= span.end);
}

/** The clean text of a neighbour without the sentences it shares with `span`. */
export function textOutside(sentences: readonly Sentence[], span: Span): string {
  return sentencesOutside(sentences, span)
    .map((s) => s.text)
    .join(' ');
}
