import type { Confidence } from './types.ts';

/**
 * How sure we are that the corpus answers the question. A top cosine alone does not separate answerable
 * from unanswerable questions here (measured), so several signals are combined:
 * - coverage: the idf-weighted share of the question's content terms that occur in the corpus at all;
 *   a question mostly about words the corpus never uses is not answered by it;
 * - missingNames: names in the question (capitalised words such as "Uzbekistan") that the best passage
 *   never mentions; a passage about a neighbouring country does not answer a question about this one.
 *   Names the corpus uses everywhere ("Kazakhstan", "President" in this one) are left out: they say what
 *   the whole corpus is about, not what one passage must contain;
 * - support: the idf-weighted share of the question's terms found in the best passage;
 * - agreement: whether the dense and lexical rankings both put the best passage near their top;
 * - asksAboutNow: the question wants the present state of things ("who is the current chairman"), which a
 *   corpus written at one time cannot confirm even when it names who held the post then.
 */
export interface ConfidenceSignals {
  coverage: number;
  support: number;
  agreement: boolean;
  missingNames: string[];
  /** The question asks about the present ("who is the current …"); a dated corpus cannot answer it. */
  asksAboutNow: boolean;
}

export interface ConfidenceOptions {
  /** Below this coverage the question is mostly about things the corpus never mentions. */
  minCoverage: number;
  /** Support at or above which (with agreement) the answer is `high`. */
  highSupport: number;
  /** A name found in at least this share of passages is the corpus's own subject, not checked as missing. */
  commonNameShare: number;
}

/** Thresholds calibrated on eval/dev.jsonl (see README, "How confidence works"). */
export const DEFAULT_CONFIDENCE_OPTIONS: ConfidenceOptions = {
  minCoverage: 0.5,
  highSupport: 0.5,
  commonNameShare: 0.2,
};

/** The question's names that the best passage lacks, leaving out names most of the corpus uses. */
export function missingNames(
  names: readonly string[],
  inBest: ReadonlySet<string>,
  passageShare: (term: string) => number,
  options: Partial<ConfidenceOptions> = {},
): string[] {
  const { commonNameShare } = { ...DEFAULT_CONFIDENCE_OPTIONS, ...options };
  return names.filter((name) => !inBest.has(name) && passageShare(name) < commonNameShare);
}

/**
 * One sentence telling a reader why an answer is rated low, from its signals; shown by the widget and the
 * bots above the passages (which are still the closest the corpus has).
 */
export function lowConfidenceNote(signals: Pick<ConfidenceSignals, 'asksAboutNow' | 'missingNames'>): string {
  if (signals.asksAboutNow)
    return 'The documents were written at one time and cannot say what is current; this is what they say.';
  if (signals.missingNames.length > 0)
    return `The closest passages do not mention ${signals.missingNames.join(', ')}; the documents may not cover this.`;
  return 'The documents do not seem to cover this; these are the closest passages.';
}

export function rateConfidence(
  signals: ConfidenceSignals,
  options: Partial<ConfidenceOptions> = {},
): Confidence {
  const opts = { ...DEFAULT_CONFIDENCE_OPTIONS, ...options };
  if (signals.coverage < opts.minCoverage || signals.missingNames.length > 0 || signals.asksAboutNow)
    return 'low';
  if (signals.support >= opts.highSupport && signals.agreement) return 'high';
  return 'medium';
}
