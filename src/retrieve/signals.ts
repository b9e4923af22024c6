import type { Passage } from '../core/types.ts';
import type { Cognate } from './cognates.ts';
import {
  type ConfidenceOptions,
  type ConfidenceSignals,
  DEFAULT_CONFIDENCE_OPTIONS,
  missingNames,
} from './confidence.ts';
import type { CorpusStats } from './corpus-stats.ts';
import type { FusedHit } from './fuse.ts';
import { holdsAnswer, type Query } from './query.ts';
import type { RankedPassage } from './types.ts';

const round = (x: number) => Math.round(x * 1000) / 1000;

/** What one search found, as the confidence signals read it. */
export interface SearchOutcome {
  query: Query;
  /** The shown passages' fused hits, best first. */
  picked: readonly FusedHit[];
  passages: readonly RankedPassage[];
  /** English words of the question's Cyrillic words, by the term they translate. */
  englishByTerm: ReadonlyMap<string, Cognate[]>;
  /** Cosine of the sentence closest to the question (0 without a sentence leg). */
  similarity: number;
  otherLanguage: boolean;
}

/** The idf-weighted share of the question's terms found in `passage`. */
function support(stats: CorpusStats, query: Query, passage: Passage): number {
  const inPassage = stats.passageTerms(passage);
  let total = 0;
  let found = 0;
  for (const term of new Set(query.questionTerms)) {
    const w = stats.idf(term);
    total += w;
    if (inPassage.has(term)) found += w;
  }
  return total > 0 ? found / total : 0;
}

/** The idf-weighted share of the question's terms that the corpus holds at all. */
function coverage(stats: CorpusStats, passageTotal: number, query: Query): number {
  let total = 0;
  let known = 0;
  // A follow-up ("and who opposed it?") is about its conversation: the earlier turns' words count too.
  const asked = query.usedHistory ? [...query.questionTerms, ...query.terms.keys()] : query.questionTerms;
  for (const term of new Set(asked)) {
    // Unknown terms get the idf of a term seen once, so rare words weigh what they would if present.
    const w = stats.knows(term) ? stats.idf(term) : Math.log(1 + passageTotal / 1.5);
    total += w;
    if (stats.knows(term)) known += w;
  }
  return total > 0 ? known / total : 0;
}

/** The signals {@link rateConfidence} combines, for one search over `passages`. */
export function measureSignals(
  stats: CorpusStats,
  passages: readonly Passage[],
  outcome: SearchOutcome,
  options: { agreementRank: number; confidence: Partial<ConfidenceOptions> },
): ConfidenceSignals {
  const { query, picked } = outcome;
  const top = picked[0];
  const topPassage = top ? passages[top.label] : undefined;
  const agreement =
    !!top &&
    (top.dense?.rank ?? Infinity) <= options.agreementRank &&
    (top.lexical?.rank ?? Infinity) <= options.agreementRank;
  const nameWindow = options.confidence.namePassages ?? DEFAULT_CONFIDENCE_OPTIONS.namePassages;
  // A name is also "in" a passage when it names the document's authors or title: "in Nechaeva's study"
  // is answered by a passage of Nechaeva's article, which never repeats her name.
  // (Gathered only when the question names something: most do not, and the set is a few hundred terms.)
  const inTop = new Set(
    query.names.length === 0
      ? []
      : picked.slice(0, nameWindow).flatMap((h) => {
          const passage = passages[h.label] as Passage;
          return [...stats.passageTerms(passage), ...stats.documentTerms(passage.documentId)];
        }),
  );
  const best = outcome.passages[0];
  return {
    coverage: round(coverage(stats, passages.length, query)),
    support: topPassage ? round(support(stats, query, topPassage)) : 0,
    agreement,
    missingNames: missingNames(query.names, inTop, stats.passageShare, options.confidence, (name) =>
      (outcome.englishByTerm.get(name) ?? []).map((c) => c.term),
    ),
    asksAboutNow: query.asksAboutNow,
    ...(query.expects !== undefined && best !== undefined && !holdsAnswer(best.quote.text, query.expects)
      ? { missingAnswer: query.expects }
      : {}),
    similarity: round(outcome.similarity),
    otherLanguage: outcome.otherLanguage,
  };
}
