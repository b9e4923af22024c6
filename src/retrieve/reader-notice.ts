import { lowConfidenceNote } from './confidence.ts';
import type { AskResult } from './types.ts';

/**
 * What a reader is told above a low-confidence answer. The confidence signals name missing names by their
 * stems (`mazhili`); the reader should see the words they typed (`Mazhilis`). Matching is by shared
 * prefix, so the widget needs no stemmer in its bundle.
 */

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Each stem as the question wrote it: the question's word that shares the longest prefix with it. */
export function namesAsWritten(text: string, stems: readonly string[]): string[] {
  // A possessive is not part of the name: "Uzbekistan's" → "Uzbekistan".
  const words = [...new Set((text.match(WORD) ?? []).map((w) => w.replace(/['’]s$/u, '')))];
  return stems.map((stem) => {
    let best: string | undefined;
    let bestShared = 0;
    for (const word of words) {
      const lower = word.toLowerCase();
      let shared = 0;
      while (shared < Math.min(lower.length, stem.length) && lower[shared] === stem[shared]) shared++;
      // A stem is its word minus an ending (Snowball may also turn a final y into i): nearly all of it is shared.
      if (shared >= Math.max(2, stem.length - 1) && shared > bestShared) {
        best = word;
        bestShared = shared;
      }
    }
    return best ?? stem;
  });
}

/**
 * The question as the reader typed it: `query.text` may carry what the engine added after it, the
 * earlier turns (` [context: …]`) and English cognates of Russian or Kazakh words (` [English: …]`).
 * Names come from the question alone (src/retrieve/query.ts), so only it is searched for them.
 */
function typedQuestion(queryText: string): string {
  return queryText.replace(/ \[(?:context|English): [\s\S]*$/u, '');
}

/**
 * The notice for an answer rated low, or undefined when it is not. Every signal keeps its say (a
 * question about the present, a figure the passages lack, missing names); only names are rewritten.
 */
export function readerNotice(
  result: Pick<AskResult, 'confidence' | 'signals' | 'query'>,
): string | undefined {
  if (result.confidence !== 'low') return undefined;
  return lowConfidenceNote({
    ...result.signals,
    missingNames: namesAsWritten(typedQuestion(result.query.text), result.signals.missingNames),
  });
}
