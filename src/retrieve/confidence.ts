import type { AnswerKind } from './query.ts';
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
 *   corpus written at one time cannot confirm even when it names who held the post then;
 * - missingAnswer: the question asks for an answer of a kind one can see (a share, an amount of money, a
 *   year, a count) and the best quote holds none: the passage is about the topic but not the fact;
 * - similarity: the cosine of the sentence closest to the question (0 without sentence vectors);
 * - otherLanguage: the question is in a language most passages are not in. With a cross-lingual model
 *   such a question cannot be judged by coverage, which counts only words shared with the passages, so it
 *   is judged by similarity instead: measured on the question files, a Russian or Kazakh question that the
 *   English text answers has a sentence closer than 0.845 (with multilingual-e5-small), one it does not
 *   answer, none.
 */
export interface ConfidenceSignals {
  coverage: number;
  support: number;
  agreement: boolean;
  missingNames: string[];
  /** The question asks about the present ("who is the current …"); a dated corpus cannot answer it. */
  asksAboutNow: boolean;
  /** The kind of answer the question asks for when the best quote holds none of it. */
  missingAnswer?: AnswerKind;
  /** Cosine of the sentence closest to the question; 0 without sentence vectors. */
  similarity: number;
  /** The question is in a language most passages are not written in (a Russian question, English text). */
  otherLanguage: boolean;
}

export interface ConfidenceOptions {
  /** Below this coverage the question is mostly about things the corpus never mentions. */
  minCoverage: number;
  /** Support at or above which (with agreement) the answer is `high`. */
  highSupport: number;
  /** A name found in at least this share of passages is the corpus's own subject, not checked as missing. */
  commonNameShare: number;
  /**
   * For a model that matches questions to passages across languages: the least similarity of a question
   * in another language than the passages, judged by it instead of coverage. Model-specific (cosine scales
   * differ); unset for models that cannot match across languages, such as the built-in one.
   */
  crossLingualSimilarity?: number;
  /** Names count as missing when none of the best this-many passages mentions them. */
  namePassages: number;
}

/** Thresholds calibrated on eval/dev.jsonl (see README, "How confidence works"). */
export const DEFAULT_CONFIDENCE_OPTIONS: ConfidenceOptions = {
  minCoverage: 0.5,
  highSupport: 0.5,
  commonNameShare: 0.2,
  namePassages: 1,
};

/**
 * The question's names that the best passages lack, leaving out names most of the corpus uses. A name is
 * compared in the script of the passages: a Cyrillic name against English passages through its English
 * forms (`translations`, e.g. Токаев → tokayev), and not at all when it has none ("Қазақстанда" is not
 * missing from an English passage about Kazakhstan, only written differently).
 */
export function missingNames(
  names: readonly string[],
  inBest: ReadonlySet<string>,
  passageShare: (term: string) => number,
  options: Partial<ConfidenceOptions> = {},
  translations: (name: string) => readonly string[] = () => [],
): string[] {
  const { commonNameShare } = { ...DEFAULT_CONFIDENCE_OPTIONS, ...options };
  const cyrillic = (term: string) => /[\u0400-\u04FF]/u.test(term);
  const hasLatin = [...inBest].some((t) => !cyrillic(t));
  return names.filter((name) => {
    if (passageShare(name) >= commonNameShare || inBest.has(name)) return false;
    if (!cyrillic(name) || !hasLatin) return true;
    // A Cyrillic name among English passages: missing only if none of its English forms is there.
    const english = translations(name);
    if (english.length === 0) return false;
    return !english.some((t) => inBest.has(t) || passageShare(t) >= commonNameShare);
  });
}

const ANSWER_WORDS: Record<AnswerKind, string> = {
  share: 'percentage',
  amount: 'amount of money',
  year: 'year',
  count: 'figure',
};

/**
 * One sentence telling a reader why an answer is rated low, from its signals; shown by the widget and the
 * bots above the passages (which are still the closest the corpus has).
 */
export function lowConfidenceNote(
  signals: Pick<ConfidenceSignals, 'asksAboutNow' | 'missingNames' | 'missingAnswer'>,
): string {
  if (signals.asksAboutNow)
    return 'The documents were written at one time and cannot say what is current; this is what they say.';
  if (signals.missingAnswer)
    return `The closest passages give no ${ANSWER_WORDS[signals.missingAnswer]} for this; the documents may not contain it.`;
  if (signals.missingNames.length > 0)
    return `The closest passages do not mention ${signals.missingNames.join(', ')}; the documents may not cover this.`;
  return 'The documents do not seem to cover this; these are the closest passages.';
}

export function rateConfidence(
  signals: ConfidenceSignals,
  options: Partial<ConfidenceOptions> = {},
): Confidence {
  const opts = { ...DEFAULT_CONFIDENCE_OPTIONS, ...options };
  const uncovered =
    opts.crossLingualSimilarity !== undefined && signals.otherLanguage
      ? signals.similarity < opts.crossLingualSimilarity
      : signals.coverage < opts.minCoverage;
  if (uncovered || signals.missingNames.length > 0 || signals.asksAboutNow || signals.missingAnswer)
    return 'low';
  if (signals.support >= opts.highSupport && signals.agreement) return 'high';
  return 'medium';
}
