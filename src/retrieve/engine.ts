import type { Passage } from '../core/types.ts';
import { languageIndexes, searchDense } from '../index/language-partitions.ts';
import type { SearchIndex } from '../index/search-index.ts';
import type { VectorHit } from '../index/types.ts';
import { createCatalog } from './catalog.ts';
import type { CognateOptions } from './cognates.ts';
import { type ConfidenceOptions, rateConfidence } from './confidence.ts';
import { createCorpusStats } from './corpus-stats.ts';
import { type DiversityOptions, diversify } from './diversity.ts';
import { acceptFor, checkFilters, passageFilter } from './filters.ts';
import { type FusedHit, type FuseOptions, fuseRankings } from './fuse.ts';
import { createLexicalLeg, type LexicalLegOptions } from './lexical-leg.ts';
import { createPresenter } from './present.ts';
import { retrievalProfile } from './profiles.ts';
import { buildQuery, type QueryOptions } from './query.ts';
import { createQueryVectors, type QueryVectorOptions } from './query-vector.ts';
import type { QuoteOptions } from './quote.ts';
import { bestSentences } from './sentence-leg.ts';
import { measureSignals } from './signals.ts';
import { createEnglishFor } from './translate.ts';
import type { AskRequest, AskResult, QaService } from './types.ts';

/** How the engine searches; the query vector's and the lexical leg's options are declared beside them. */
export interface RetrieveOptions extends QueryVectorOptions, LexicalLegOptions {
  /** Candidates taken from each leg before fusion. */
  candidates: number;
  /** A leg counts as agreeing when it ranks the best passage within this many places. */
  agreementRank: number;
  query: Partial<QueryOptions>;
  fuse: Partial<FuseOptions>;
  quote: Partial<QuoteOptions>;
  diversity: Partial<DiversityOptions>;
  confidence: Partial<ConfidenceOptions>;
  /** Which legs to use; `dense` or `lexical` alone exist for evaluation. */
  mode: 'hybrid' | 'dense' | 'lexical';
  /** English cognates of Russian and Kazakh question words (names, international words); `false` turns it off. */
  cognates: Partial<CognateOptions> | false;
  /** Rank passages also by their best sentence's cosine with the question (a third RRF leg). */
  sentenceLeg: boolean;
  /**
   * Weight of the lexical leg for a question in a language most passages are not in (its words can only
   * match the few passages in its own language, such as parallel abstracts); unset keeps the fuse weight.
   */
  otherLanguageLexicalWeight?: number;

  /** The configured model and why it is not in use, when the service fell back to another. */
  modelStatus?: { requested: string; fallbackReason?: string };
  /** Receives the time spent per stage of each search (for benchmarks). */
  onTimings?: (timings: Record<StageName, number>) => void;
}

/** The stages of one ask, in order: `onTimings` reports the time of each. */
export const STAGE_NAMES = [
  'embed',
  'dense',
  'sentences',
  'lexical',
  'fusion',
  'quotes',
  'confidence',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** An empty list per stage, for callers collecting `onTimings` reports. */
export const stageLists = (): Record<StageName, number[]> =>
  Object.fromEntries(STAGE_NAMES.map((s) => [s, []])) as unknown as Record<StageName, number[]>;

function stageClock(enabled: boolean) {
  const laps = { embed: 0, dense: 0, sentences: 0, lexical: 0, fusion: 0, quotes: 0, confidence: 0 };
  let last = enabled ? performance.now() : 0;
  return {
    laps,
    lap(stage: StageName) {
      if (!enabled) return;
      const now = performance.now();
      laps[stage] = now - last;
      last = now;
    },
  };
}

export const DEFAULT_RETRIEVE_OPTIONS: RetrieveOptions = {
  candidates: 100,
  historyVectorWeight: 0.6,
  agreementRank: 5,
  query: {},
  fuse: {},
  quote: {},
  diversity: {},
  confidence: {},
  mode: 'hybrid',
  expansion: {},
  cognates: {},
  cognateWeight: 0.7,
  cacheSize: 2048,
  sentenceLeg: false,
  cognatesInDense: true,
};

const DEFAULT_TOP_K = 5;
/** Extra candidates kept past `topK` to replace passages whose quote repeats an earlier one. */
const QUOTE_SPARES = 5;
const MIN_DENSE_SCORE = 0.02;

/**
 * Creates the search service over a loaded index: the pipeline of one question (query, the dense and
 * lexical legs, fusion, de-duplication, quotes, confidence) over pieces built once per index.
 */
export function createQaService(index: SearchIndex, options: Partial<RetrieveOptions> = {}): QaService {
  const profile = retrievalProfile(index.embedder.id);
  const opts = {
    ...DEFAULT_RETRIEVE_OPTIONS,
    ...profile,
    ...options,
    confidence: { ...profile.confidence, ...options.confidence },
  };
  const fallbackReason = opts.modelStatus?.fallbackReason;
  const stats = createCorpusStats(index);
  const byLanguage = languageIndexes(
    index.vectorsByLanguage,
    index.passages.map((p) => p.language),
  );
  const englishFor = createEnglishFor(index, opts.cognates);
  const beginLexical = createLexicalLeg(index, opts);
  const queryVector = createQueryVectors(index.embedder, opts);
  const present = createPresenter(index, stats, opts.quote);

  async function ask(request: AskRequest): Promise<AskResult> {
    const started = performance.now();
    checkFilters(stats, request.filters);
    const topK = request.topK ?? DEFAULT_TOP_K;
    const query = buildQuery(request.question, request.history ?? [], opts.query);
    const accept = acceptFor(index.passages, stats.kindsPresent, request.filters);
    const filter = passageFilter(request.filters);
    const depth = Math.max(opts.candidates, topK * 4);

    const clock = stageClock(opts.onTimings !== undefined);
    const english = englishFor(query);
    const cognates = english.all;
    const qv = opts.mode === 'lexical' ? undefined : await queryVector(query, cognates);
    clock.lap('embed');
    // The lexical leg starts first: an index with a helper thread runs part of it during the dense leg.
    const finishLexical =
      opts.mode === 'dense' ? () => [] : beginLexical(query, cognates, depth, accept, filter);
    let dense: VectorHit[];
    try {
      // Near-zero cosines (a question of unknown words) are no evidence; their order would be arbitrary.
      dense = qv
        ? (
            await searchDense(index.vectors, byLanguage, {
              vector: qv,
              k: depth,
              language: query.language,
              accept,
              filter,
            })
          ).filter((h) => h.score > MIN_DENSE_SCORE)
        : [];
    } catch (error) {
      // A started search is always finished: the helper thread takes no other one until then.
      await Promise.resolve(finishLexical()).catch(() => undefined);
      throw error;
    }
    clock.lap('dense');
    const otherLanguage = stats.languageShare(query.language) < 0.5;
    const lexical = await finishLexical();
    clock.lap('lexical');
    const sentenceHits = qv && opts.sentenceLeg ? await bestSentences(index, qv, depth, accept, filter) : [];
    clock.lap('sentences');
    const fuse =
      otherLanguage && opts.mode === 'hybrid' && opts.otherLanguageLexicalWeight !== undefined
        ? { ...opts.fuse, lexicalWeight: opts.otherLanguageLexicalWeight }
        : opts.fuse;
    const fused = fuseRankings(dense, lexical, fuse, sentenceHits);

    // A few spare candidates: a passage whose quote repeats one already shown is skipped below.
    const candidates = diversify(
      fused,
      (hit: FusedHit) => index.passages[hit.label] as Passage,
      topK + QUOTE_SPARES,
      opts.diversity,
      stats.passageTerms,
    );
    clock.lap('fusion');
    const { picked, passages } = present(candidates, { query, qv, lexical, topK });
    clock.lap('quotes');

    const signals = measureSignals(
      stats,
      index.passages,
      {
        query,
        picked,
        passages,
        englishByTerm: english.byTerm,
        similarity: sentenceHits[0]?.score ?? 0,
        otherLanguage,
      },
      opts,
    );
    const confidence = picked.length > 0 ? rateConfidence(signals, opts.confidence) : 'low';
    clock.lap('confidence');
    if (opts.onTimings) opts.onTimings(clock.laps);
    return {
      query: {
        text:
          cognates.length > 0
            ? `${query.text} [English: ${cognates.map((c) => c.word).join(', ')}]`
            : query.text,
        language: query.language,
        usedHistory: query.usedHistory,
        model: index.embedder.id,
        ...(fallbackReason ? { modelFallback: fallbackReason } : {}),
      },
      signals,
      confidence,
      passages,
      tookMs: Number((performance.now() - started).toFixed(3)),
    };
  }

  return { ask, ...createCatalog(index, stats, opts.modelStatus) };
}
