import { pageRange } from '../chunk/chunk-corpus.ts';
import { AppError } from '../core/errors.ts';
import { memoize } from '../core/memo.ts';
import { terms, tokenize } from '../core/terms.ts';
import { DEFAULT_PASSAGE_KINDS, type DocumentInfo, type Passage, type PassageKind } from '../core/types.ts';
import { languageIndexes, searchDense } from '../index/language-partitions.ts';
import type { LexicalHit } from '../index/lexical.ts';
import type { SearchIndex } from '../index/search-index.ts';
import type { MaybePromise, PassageFilter, VectorHit } from '../index/types.ts';
import { citePassage } from './citation.ts';
import { type Cognate, type CognateOptions, createCognateMatcher } from './cognates.ts';
import {
  type ConfidenceOptions,
  DEFAULT_CONFIDENCE_OPTIONS,
  missingNames,
  rateConfidence,
} from './confidence.ts';
import { type DiversityOptions, diversify } from './diversity.ts';
import { createExpander, type ExpansionOptions } from './expand.ts';
import { type FusedHit, type FuseOptions, fuseRankings } from './fuse.ts';
import { induceLexicon, parallelPhrases } from './lexicon.ts';
import { retrievalProfile } from './profiles.ts';
import { buildQuery, holdsAnswer, type Query, type QueryOptions } from './query.ts';
import { analyseSentences, type QuoteOptions, selectQuote, weighQuery } from './quote.ts';
import type {
  AskRequest,
  AskResult,
  DocumentSummary,
  DocumentText,
  HealthReport,
  PassageContext,
  QaService,
  RankedPassage,
  SearchFilters,
} from './types.ts';

export interface RetrieveOptions {
  /** Candidates taken from each leg before fusion. */
  candidates: number;
  /** Weight of the conversation vector added to the question vector for follow-ups. */
  historyVectorWeight: number;
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
  /** BM25 weight of a cognate relative to the word it translates. */
  cognateWeight: number;
  /** Query expansion through word vectors; `false` turns it off. */
  expansion: Partial<ExpansionOptions> | false;
  /** Rank passages also by their best sentence's cosine with the question (a third RRF leg). */
  sentenceLeg: boolean;
  /**
   * Weight of the lexical leg for a question in a language most passages are not in (its words can only
   * match the few passages in its own language, such as parallel abstracts); unset keeps the fuse weight.
   */
  otherLanguageLexicalWeight?: number;

  /** Append English cognates of Cyrillic words to the text embedded for the dense leg. */
  cognatesInDense: boolean;
  /** Query vectors kept in an LRU cache (0 disables it). */
  cacheSize: number;
  /** The configured model and why it is not in use, when the service fell back to another. */
  modelStatus?: { requested: string; fallbackReason?: string };
  /** Receives the time spent per stage of each search (for benchmarks). */
  onTimings?: (timings: Record<StageName, number>) => void;
}

export type StageName = 'embed' | 'dense' | 'sentences' | 'lexical' | 'fusion' | 'quotes';

function stageClock(enabled: boolean) {
  const laps = { embed: 0, dense: 0, sentences: 0, lexical: 0, fusion: 0, quotes: 0 };
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
/** Sentences fetched per passage wanted from the sentence leg (a passage holds several close matches). */
const SENTENCES_PER_PASSAGE = 4;
/** Quote windows whose tokens are kept (each a few hundred characters). */
const QUOTE_WINDOWS = 4096;
/** Passages whose analysed terms are kept (independent of the query-vector cache, which may be off). */
const ANALYSED_PASSAGES = 100_000;

const round = (x: number) => Math.round(x * 1000) / 1000;

function dot(a: Float32Array, b: Float32Array, offset: number): number {
  let sum = 0;
  const n = b.length;
  // Bounds checked once for the row rather than per element, and four products a turn (this runs for every
  // sentence of every shown passage): the same additions in the same order, so the same sum to the bit.
  if (offset >= 0 && offset + n <= a.length) {
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const at = offset + i;
      sum += (a[at] as number) * (b[i] as number);
      sum += (a[at + 1] as number) * (b[i + 1] as number);
      sum += (a[at + 2] as number) * (b[i + 2] as number);
      sum += (a[at + 3] as number) * (b[i + 3] as number);
    }
    for (; i < n; i++) sum += (a[offset + i] as number) * (b[i] as number);
    return sum;
  }
  for (let i = 0; i < n; i++) sum += (a[offset + i] ?? 0) * (b[i] ?? 0);
  return sum;
}

function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0) return v;
  return v.map((x) => x / norm);
}

/**
 * English words for a Russian or Kazakh word: its translation in the corpus's parallel titles and
 * keywords when there is one, else its cognates among the English words of the searchable passages.
 */
function createTranslator(
  index: SearchIndex,
  options: Partial<CognateOptions>,
): (token: { word: string; term: string }) => Cognate[] {
  const vocabulary = new Map<string, number>();
  for (const p of index.passages) {
    if (p.language !== 'en' || !DEFAULT_PASSAGE_KINDS.includes(p.kind)) continue;
    for (const t of tokenize(p.text))
      if (t.term !== '') vocabulary.set(t.word, (vocabulary.get(t.word) ?? 0) + 1);
  }
  const cognates = createCognateMatcher(vocabulary, options);
  const titles = new Map(index.documents.map((d) => [d.id, d.title]));
  const lexicon = induceLexicon(
    parallelPhrases(index.passages, (id) => titles.get(id)),
    cognates,
  );
  return (token) => {
    const known = lexicon.get(token.term);
    return known ? [known] : cognates.cognatesOf(token.word);
  };
}

/** True when `quote` (from a passage of `source`) overlaps or repeats the quote of an earlier result. */
function sameQuote(earlier: RankedPassage, source: string, quote: RankedPassage['quote']): boolean {
  if (earlier.quote.text === quote.text) return true;
  return (
    earlier.citation.source === source && earlier.quote.start < quote.end && quote.start < earlier.quote.end
  );
}

/** Creates the search service over a loaded index. */
export function createQaService(index: SearchIndex, options: Partial<RetrieveOptions> = {}): QaService {
  const profile = retrievalProfile(index.embedder.id);
  const opts = {
    ...DEFAULT_RETRIEVE_OPTIONS,
    ...profile,
    ...options,
    confidence: { ...profile.confidence, ...options.confidence },
  };
  const fallbackReason = opts.modelStatus?.fallbackReason;
  const documentsById = new Map(index.documents.map((d) => [d.id, d]));
  const passagesById = new Map(index.passages.map((p) => [p.id, p]));
  const documentTermCache = new Map<string, string[]>();
  const documentTerms = (id: string): string[] => {
    let cached = documentTermCache.get(id);
    if (!cached) {
      const d = documentsById.get(id);
      cached = d ? terms([d.title, ...d.authors].join(' ')) : [];
      documentTermCache.set(id, cached);
    }
    return cached;
  };
  const passageCounts = new Map<string, number>();
  for (const p of index.passages) passageCounts.set(p.documentId, (passageCounts.get(p.documentId) ?? 0) + 1);
  const languages = new Set(index.passages.map((p) => p.language));
  const languageShare = new Map<string, number>();
  for (const p of index.passages)
    languageShare.set(p.language, (languageShare.get(p.language) ?? 0) + 1 / index.passages.length);
  const passageTotal = index.passages.length;
  const byLanguage = languageIndexes(
    index.vectorsByLanguage,
    index.passages.map((p) => p.language),
  );
  const idf = (term: string): number => {
    const df = index.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (passageTotal - df + 0.5) / (df + 0.5));
  };
  const passageShare = (term: string): number => (index.documentFrequency.get(term) ?? 0) / passageTotal;

  const expander =
    index.wordVectors && opts.expansion !== false
      ? createExpander(index.wordVectors, (t) => index.documentFrequency.has(t), opts.expansion)
      : undefined;

  // Built on the first Cyrillic question: cognates over the English words of the searchable passages,
  // and the lexicon of the corpus's parallel titles and keywords.
  let translator: ((token: { word: string; term: string }) => Cognate[]) | undefined;
  /** English words for the question's Cyrillic words: all of them, and by the term they translate. */
  function englishFor(query: Query): { all: Cognate[]; byTerm: Map<string, Cognate[]> } {
    const byTerm = new Map<string, Cognate[]>();
    if (opts.cognates === false || !/[\u0400-\u04FF]/u.test(query.question)) return { all: [], byTerm };
    if (!translator) translator = createTranslator(index, opts.cognates);
    const all: Cognate[] = [];
    for (const token of query.tokens) {
      if (token.term === '') continue;
      const found = translator(token);
      if (found.length > 0) byTerm.set(token.term, found);
      for (const c of found) if (!all.some((o) => o.term === c.term)) all.push(c);
    }
    return { all, byTerm };
  }

  /**
   * The query's BM25 terms plus English cognates of Cyrillic words and word-vector neighbours of the
   * question's words, at lower weights.
   */
  function lexicalTerms(query: Query, cognates: ReadonlyArray<{ term: string }>): Map<string, number> {
    if (!expander && cognates.length === 0) return query.terms;
    const terms = new Map(query.terms);
    for (const c of cognates) if (!terms.has(c.term)) terms.set(c.term, opts.cognateWeight);
    if (!expander) return terms;
    for (const token of query.tokens) {
      if (token.term === '') continue;
      const base = query.terms.get(token.term) ?? 1;
      for (const n of expander.neighboursOf(token.word)) {
        if (!terms.has(n.term)) terms.set(n.term, base * n.weight);
      }
    }
    return terms;
  }

  /** Starts the lexical leg; the returned function finishes it (`LexicalSearch.begin`). */
  function beginLexical(
    query: Query,
    cognates: ReadonlyArray<{ term: string }>,
    k: number,
    accept: ((label: number) => boolean) | undefined,
    filter: PassageFilter,
  ): () => MaybePromise<LexicalHit[]> {
    const terms = lexicalTerms(query, cognates);
    const { lexical } = index;
    return lexical.begin
      ? lexical.begin(terms, k, accept, filter)
      : () => lexical.search(terms, k, accept, filter);
  }

  const summarize = (d: DocumentInfo): DocumentSummary => ({
    ...d,
    passageCount: passageCounts.get(d.id) ?? 0,
  });

  const kindsPresent = new Set(index.passages.map((p) => p.kind));
  /**
   * The filter as a predicate, or undefined when it can drop no passage (no document or language filter, and
   * no passage of a kind left out): every leg then searches unfiltered, which for HNSW saves a native→JS
   * call per visited node and the over-fetch.
   */
  function acceptFor(filters: SearchFilters | undefined): ((label: number) => boolean) | undefined {
    const docs = filters?.documentIds?.length ? new Set(filters.documentIds) : undefined;
    const langs = filters?.languages?.length ? new Set<string>(filters.languages) : undefined;
    const kinds = new Set<PassageKind>(filters?.kinds?.length ? filters.kinds : DEFAULT_PASSAGE_KINDS);
    if (!docs && !langs && [...kindsPresent].every((k) => kinds.has(k))) return undefined;
    return (label) => {
      const p = index.passages[label];
      if (!p) return false;
      return kinds.has(p.kind) && (!docs || docs.has(p.documentId)) && (!langs || langs.has(p.language));
    };
  }

  /** The same filters for backends that apply them inside a database query. */
  function passageFilter(filters: SearchFilters | undefined): PassageFilter {
    return {
      kinds: filters?.kinds?.length ? filters.kinds : DEFAULT_PASSAGE_KINDS,
      ...(filters?.documentIds?.length ? { documentIds: filters.documentIds } : {}),
      ...(filters?.languages?.length ? { languages: filters.languages } : {}),
    };
  }

  function checkFilters(filters: SearchFilters | undefined): void {
    const unknownDocs = (filters?.documentIds ?? []).filter((id) => !documentsById.has(id));
    if (unknownDocs.length > 0) {
      throw new AppError(
        'UNKNOWN_FILTER_VALUE',
        `filters.documentIds: unknown document id(s) ${unknownDocs.join(', ')}`,
        {
          details: [{ path: 'filters.documentIds', message: 'unknown document id', values: unknownDocs }],
        },
      );
    }
    const unknownLangs = (filters?.languages ?? []).filter((l) => !languages.has(l));
    if (unknownLangs.length > 0) {
      throw new AppError(
        'UNKNOWN_FILTER_VALUE',
        `filters.languages: no passages in ${unknownLangs.join(', ')} (available: ${[...languages].join(', ')})`,
        {
          details: [
            { path: 'filters.languages', message: 'no passages in this language', values: unknownLangs },
          ],
        },
      );
    }
  }

  // Questions repeat (FAQ traffic, bots re-asking, history turns re-embedded on each follow-up).
  const vectorCache = new Map<string, Float32Array>();
  async function embedCached(text: string): Promise<Float32Array> {
    const hit = vectorCache.get(text);
    if (hit) {
      vectorCache.delete(text);
      vectorCache.set(text, hit);
      return hit;
    }
    const v = await index.embedder.embedQuery(text);
    if (opts.cacheSize > 0) {
      if (vectorCache.size >= opts.cacheSize) vectorCache.delete(vectorCache.keys().next().value as string);
      vectorCache.set(text, v);
    }
    return v;
  }

  async function queryVector(query: Query, cognates: ReadonlyArray<{ word: string }>): Promise<Float32Array> {
    const base = await embedCached(
      cognates.length > 0 && opts.cognatesInDense
        ? `${query.question} ${cognates.map((c) => c.word).join(' ')}`
        : query.question,
    );
    if (query.context.length === 0) return base;
    const mixed = Float32Array.from(base);
    for (const part of query.context) {
      const v = await embedCached(part.text);
      const w = opts.historyVectorWeight * part.weight * 2;
      for (let i = 0; i < mixed.length; i++) mixed[i] = (mixed[i] ?? 0) + w * (v[i] ?? 0);
    }
    return normalize(mixed);
  }

  function support(query: Query, passage: Passage): number {
    const inPassage = passageTerms(passage);
    let total = 0;
    let found = 0;
    for (const term of new Set(query.questionTerms)) {
      const w = idf(term);
      total += w;
      if (inPassage.has(term)) found += w;
    }
    return total > 0 ? found / total : 0;
  }

  // Analysed forms of passages, computed on first use: the same passages come back across searches.
  const analysed = memoize(
    ANALYSED_PASSAGES,
    (passage: Passage) => {
      const sentences = analyseSentences(passage);
      return { passage: new Set(sentences.terms.flatMap((s) => [...s])), sentences };
    },
    (passage) => passage.ordinal,
  );
  const passageTerms = (passage: Passage) => analysed(passage).passage;

  /**
   * Content tokens of quote windows (raw and clean text), by text: the windows of popular passages recur.
   * Stopwords are dropped once here, as highlighting would drop them on every use.
   */
  const windowTokens = memoize(QUOTE_WINDOWS, (text: string) => tokenize(text).filter((t) => t.term !== ''));

  function coverage(query: Query): number {
    let total = 0;
    let known = 0;
    // A follow-up ("and who opposed it?") is about its conversation: the earlier turns' words count too.
    const asked = query.usedHistory ? [...query.questionTerms, ...query.terms.keys()] : query.questionTerms;
    for (const term of new Set(asked)) {
      // Unknown terms get the idf of a term seen once, so rare words weigh what they would if present.
      const w = index.documentFrequency.has(term) ? idf(term) : Math.log(1 + passageTotal / 1.5);
      total += w;
      if (index.documentFrequency.has(term)) known += w;
    }
    return total > 0 ? known / total : 0;
  }

  /**
   * Passages ranked by the cosine of their best sentence with `qv`. A question usually matches one
   * sentence of the passage that answers it; a whole-passage vector dilutes that sentence among the rest.
   */
  async function bestSentences(
    qv: Float32Array,
    k: number,
    accept: ((label: number) => boolean) | undefined,
    filter: PassageFilter,
  ) {
    const hits = await index.sentences.search(
      qv,
      k * SENTENCES_PER_PASSAGE,
      accept && ((row) => accept(index.sentencePassage[row] ?? -1)),
      filter,
    );
    const seen = new Set<number>();
    const out: Array<{ label: number; score: number }> = [];
    for (const hit of hits) {
      const label = index.sentencePassage[hit.label] ?? -1;
      if (seen.has(label)) continue;
      seen.add(label);
      out.push({ label, score: hit.score });
      if (out.length >= k) break;
    }
    return out;
  }

  async function ask(request: AskRequest): Promise<AskResult> {
    const started = performance.now();
    checkFilters(request.filters);
    const topK = request.topK ?? DEFAULT_TOP_K;
    const query = buildQuery(request.question, request.history ?? [], opts.query);
    const accept = acceptFor(request.filters);
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
    const otherLanguage = (languageShare.get(query.language) ?? 0) < 0.5;
    const lexical = await finishLexical();
    clock.lap('lexical');
    const sentenceHits = qv && opts.sentenceLeg ? await bestSentences(qv, depth, accept, filter) : [];
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
      passageTerms,
    );
    clock.lap('fusion');
    const picked: FusedHit[] = [];
    const passages: RankedPassage[] = [];
    const weighed = weighQuery(query.terms, idf);
    for (const hit of candidates) {
      if (passages.length >= topK) break;
      const passage = index.passages[hit.label] as Passage;
      const first = index.sentenceOffsets[hit.label] ?? 0;
      const sentenceScores = qv
        ? passage.sentences.map((_, j) => dot(index.sentenceVectors, qv, (first + j) * qv.length))
        : undefined;
      const quote = selectQuote(
        {
          passage,
          raw: index.sources.get(passage.source) ?? '',
          query: query.terms,
          idf,
          sentenceScores,
          sentences: analysed(passage).sentences,
          weighed,
          tokenize: windowTokens,
        },
        opts.quote,
      );
      // Neighbouring passages share a sentence, and a text may be printed twice (an abstract repeated in
      // the conclusion): the same supporting quote is shown once, with the better-ranked passage.
      if (passages.some((p) => sameQuote(p, passage.source, quote))) continue;
      picked.push(hit);
      passages.push({
        id: passage.id,
        rank: passages.length + 1,
        score: Number(hit.fused.toFixed(6)),
        text: passage.text,
        language: passage.language,
        kind: passage.kind,
        quote,
        citation: citePassage(
          passage,
          documentsById.get(passage.documentId) as DocumentInfo,
          pageRange(index.sourceLayout?.get(passage.source)?.pages, quote.start, quote.end) ?? passage.pages,
        ),
        why: {
          ...(hit.dense ? { dense: hit.dense } : {}),
          ...(hit.lexical ? { lexical: hit.lexical } : {}),
          ...(hit.sentence ? { sentence: hit.sentence } : {}),
          fused: hit.fused,
          // The leg's rank locates its hit; its terms are looked up only for passages shown (see Bm25Index).
          matchedTerms: (hit.lexical && lexical[hit.lexical.rank - 1]?.matched) ?? [],
        },
      });
    }

    clock.lap('quotes');
    if (opts.onTimings) opts.onTimings(clock.laps);
    const top = picked[0];
    const topPassage = top ? index.passages[top.label] : undefined;
    const agreement =
      !!top &&
      (top.dense?.rank ?? Infinity) <= opts.agreementRank &&
      (top.lexical?.rank ?? Infinity) <= opts.agreementRank;
    const nameWindow = opts.confidence.namePassages ?? DEFAULT_CONFIDENCE_OPTIONS.namePassages;
    // A name is also "in" a passage when it names the document's authors or title: "in Nechaeva's study"
    // is answered by a passage of Nechaeva's article, which never repeats her name.
    // (Gathered only when the question names something: most do not, and the set is a few hundred terms.)
    const inTop = new Set(
      query.names.length === 0
        ? []
        : picked.slice(0, nameWindow).flatMap((h) => {
            const passage = index.passages[h.label] as Passage;
            return [...passageTerms(passage), ...documentTerms(passage.documentId)];
          }),
    );
    const signals = {
      coverage: round(coverage(query)),
      support: topPassage ? round(support(query, topPassage)) : 0,
      agreement,
      missingNames: missingNames(query.names, inTop, passageShare, opts.confidence, (name) =>
        (english.byTerm.get(name) ?? []).map((c) => c.term),
      ),
      asksAboutNow: query.asksAboutNow,
      ...(query.expects !== undefined &&
      passages[0] !== undefined &&
      !holdsAnswer(passages[0].quote.text, query.expects)
        ? { missingAnswer: query.expects }
        : {}),
      similarity: round(sentenceHits[0]?.score ?? 0),
      otherLanguage,
    };
    const confidence = topPassage ? rateConfidence(signals, opts.confidence) : 'low';

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

  return {
    ask,
    listDocuments: () => index.documents.map(summarize),
    getDocument: (id) => {
      const d = documentsById.get(id);
      return d ? summarize(d) : undefined;
    },
    getPassage: (id): PassageContext | undefined => {
      const passage = passagesById.get(id);
      if (!passage) return undefined;
      const prev = index.passages[passage.ordinal - 1];
      const next = index.passages[passage.ordinal + 1];
      return {
        passage,
        document: documentsById.get(passage.documentId) as DocumentInfo,
        previousId: prev && prev.documentId === passage.documentId ? prev.id : null,
        nextId: next && next.documentId === passage.documentId ? next.id : null,
      };
    },
    health: (): HealthReport => ({
      status: 'ok',
      documents: index.documents.length,
      passages: index.passages.length,
      model: {
        id: index.embedder.id,
        dims: index.embedder.dims,
        ...(fallbackReason ? { requested: opts.modelStatus?.requested, fallbackReason } : {}),
      },
      indexBuiltAt: index.builtAt,
      skipped: [...(index.skipped ?? [])],
    }),
    listSkipped: () => [...(index.skipped ?? [])],
    getDocumentText: (id): DocumentText | undefined => {
      const document = documentsById.get(id);
      const text = document ? index.sources.get(document.source) : undefined;
      if (!document || text === undefined) return undefined;
      const layout = index.sourceLayout?.get(document.source);
      return {
        documentId: document.id,
        source: document.source,
        format: layout?.format ?? document.format ?? 'text',
        start: document.start,
        end: document.end,
        text,
        ...(layout?.pages ? { pages: layout.pages } : {}),
      };
    },
  };
}
