import type { Confidence } from './types.ts';

/**
 * How sure we are that the corpus answers the question. A top cosine alone does not separate answerable
 * from unanswerable questions here (measured), so several weak signals are combined:
 * - coverage: the share of the question's content terms (idf-weighted) that occur in the corpus at all;
 * - support: the share of that weight found in the best passage;
 * - agreement: whether the dense and lexical legs both rank the best passage near their top.
 */
export interface ConfidenceSignals {
  coverage: number;
  support: number;
  agreement: boolean;
}

export interface ConfidenceOptions {
  /** Below this coverage the question is mostly about things the corpus never mentions. */
  minCoverage: number;
  /** Support at or above which (with agreement) the answer is `high`. */
  highSupport: number;
  /** Support below which (without agreement) the answer is `low`. */
  lowSupport: number;
}

export const DEFAULT_CONFIDENCE_OPTIONS: ConfidenceOptions = {
  minCoverage: 0.6,
  highSupport: 0.5,
  lowSupport: 0.3,
};

export function rateConfidence(
  signals: ConfidenceSignals,
  options: Partial<ConfidenceOptions> = {},
): Confidence {
  const opts = { ...DEFAULT_CONFIDENCE_OPTIONS, ...options };
  if (signals.coverage < opts.minCoverage) return 'low';
  if (signals.support >= opts.highSupport && signals.agreement) return 'high';
  if (signals.support < opts.lowSupport && !signals.agreement) return 'low';
  return 'medium';
}
