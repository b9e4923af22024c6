import { BUILTIN_MODEL_ID } from '../core/config.ts';
import type { RetrieveOptions } from './engine.ts';

/**
 * Retrieval settings that depend on the embedding model, measured on the question files (README,
 * "Retrieval quality"):
 * - a pretrained sentence encoder matches a question to the one sentence that answers it, so passages are
 *   also ranked by their best sentence (a third RRF leg: +0.07 hit@5 on dev, heldout-a and heldout-b
 *   together with multilingual-e5-small); the built-in static model gains hit@5 but loses MRR that way,
 *   so it keeps two legs;
 * - with a strong ranking the answer is usually among the first three passages, so a name counts as
 *   missing only when none of them mentions it;
 * - a Russian or Kazakh question's words can only match the few passages in its own language (parallel
 *   abstracts), which then outrank the English sentence that answers it; with a cross-lingual model such a
 *   question is ranked by the dense legs alone (hit@5 on the 43 such questions of the question files
 *   0.837 → 0.953, the other questions unchanged but one rank on heldout-a);
 * - a Russian or Kazakh question about English text shares no words with it, so it is judged by how close
 *   its closest sentence is (e5's cosines crowd into 0.80–0.95; 0.845 separated the answerable from the
 *   unanswerable such questions of dev, heldout-a, -b and -c but for 2 of 44).
 */
export function retrievalProfile(modelId: string): Partial<RetrieveOptions> {
  if (modelId === BUILTIN_MODEL_ID) return {};
  const crossLingual = /multilingual-e5/i.test(modelId);
  return {
    sentenceLeg: true,
    ...(crossLingual ? { otherLanguageLexicalWeight: 0 } : {}),
    confidence: {
      namePassages: 3,
      ...(crossLingual ? { crossLingualSimilarity: 0.845 } : {}),
    },
  };
}
