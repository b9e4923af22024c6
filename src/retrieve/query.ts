import { detectLanguage } from '../core/language.ts';
import { type Token, terms, tokenize } from '../core/terms.ts';
import type { Language, Turn } from '../core/types.ts';

/**
 * Turns a question and the conversation before it into what is searched. Deterministic and model-free:
 * a follow-up ("and who criticised it?") borrows the content words of the earlier user turns at a lower
 * weight; a question that stands on its own ignores the history, so history can never hurt it.
 */

/** One piece of text searched, with its weight relative to the question (1). */
export interface QueryPart {
  text: string;
  weight: number;
}

export interface Query {
  /** The question as asked. */
  question: string;
  /** Earlier user turns carried into the search (empty for a standalone question). */
  context: QueryPart[];
  /** Stemmed terms with weights, for BM25 and quote highlighting. */
  terms: Map<string, number>;
  /** Terms of the question alone (no history), for confidence. */
  questionTerms: string[];
  /** Tokens of the question, analysed once: expansion and cognates read them again. */
  tokens: Token[];
  /** Stems of the names in the question (capitalised words not opening a sentence), for confidence. */
  names: string[];
  language: Language;
  usedHistory: boolean;
  /** Human-readable description of what was searched, returned as `query.text`. */
  text: string;
  /** The question asks who or what holds a role now ("who is the current …"), see `asksAboutNow`. */
  asksAboutNow: boolean;
  /** The kind of answer the question asks for (a share, an amount, a year, a count, a person), if any. */
  expects?: AnswerKind;
}

export interface QueryOptions {
  /** Weight of the most recent earlier user turn; older turns get geometrically less. */
  historyWeight: number;
  /** Factor applied per step back in the conversation. */
  historyDecay: number;
  /** How many earlier user turns are considered at most. */
  maxHistoryTurns: number;
  /** A question with at most this many content terms is treated as a follow-up. */
  shortQuestionTerms: number;
}

export const DEFAULT_QUERY_OPTIONS: QueryOptions = {
  historyWeight: 0.5,
  historyDecay: 0.5,
  maxHistoryTurns: 3,
  shortQuestionTerms: 2,
};

// Openings and references that only make sense against an earlier turn (English, Russian, Kazakh).
const FOLLOW_UP_OPENING =
  /^\s*(?:and|but|or|also|so|then|what about|how about|what else|and what|same|а|и|но|также|тогда|ал|және|сонымен)(?![\p{L}])/iu;
// Pronouns that point at a person or work named earlier; they make a question depend on the conversation.
const ANAPHORA =
  /(?<![\p{L}])(?:he|she|him|his|her|hers|they|them|their|theirs|former|latter|the author|the authors|the article|the paper|the same|он|она|они|его|её|ее|их|ол|олар|оның|олардың)(?![\p{L}])/iu;
// Pronouns that also occur in standalone questions ("its own office"); they count only in short questions.
const WEAK_ANAPHORA =
  /(?<![\p{L}])(?:it|its|this|that|these|those|such|этот|эта|это|эти|тот|та|те|бұл|сол)(?![\p{L}])/iu;

/** True when the question cannot be understood without the turns before it. */
export function isFollowUp(question: string, options: QueryOptions = DEFAULT_QUERY_OPTIONS): boolean {
  if (FOLLOW_UP_OPENING.test(question) || ANAPHORA.test(question)) return true;
  const size = new Set(terms(question)).size;
  return (
    size <= options.shortQuestionTerms ||
    (size <= options.shortQuestionTerms + 1 && WEAK_ANAPHORA.test(question))
  );
}

// "Who is the current chairman …", "what is the present rate …", "кто сейчас …", "қазір кім …": questions
// about the state of things at the time of asking. A corpus is a snapshot (this one from 2022), so its
// passages can say who held a post then, never who holds it now. Descriptive uses ("during the current
// reform") do not count: the word must qualify what the question asks for.
const ASKS_ABOUT_NOW = [
  /^\s*(?:who|what|which)(?:'s|\s+is|\s+are)\s+(?:the\s+)?(?:current|present|incumbent|sitting|latest)\b/iu,
  /(?<![\p{L}])(?:right now|currently|at the moment|at present|as of (?:now|today))(?![\p{L}])/iu,
  /(?<![\p{L}])(?:сейчас|в настоящее время|на данный момент|нынешн\p{L}*|действующ\p{L}*|текущ\p{L}*)(?![\p{L}])/iu,
  /(?<![\p{L}])(?:қазір|қазіргі уақытта|қазіргі таңда|осы уақытта)(?![\p{L}])/iu,
];

/** True when the question asks about the present state of things, which a dated corpus cannot vouch for. */
export function asksAboutNow(question: string): boolean {
  return ASKS_ABOUT_NOW.some((pattern) => pattern.test(question));
}

/** What kind of answer a question asks for: a share, an amount of money, a year or a count. */
export type AnswerKind = 'share' | 'amount' | 'year' | 'count';

// Questions whose answer is of a kind a passage either holds or not: "what was the turnout" (a share),
// "how much was allocated" (an amount of money), "in what year" (a year), "how many" (a count). A passage whose best quote holds nothing of that kind cannot answer them, however
// close its wording (the corpus discusses the 2022 referendum without ever giving its turnout). Checked in
// order: the more specific kind wins (a share or an amount is also a count). "Who" questions are not
// checked: their answers are as often a body or a role ("public associations") as a name.
const ANSWER_QUESTIONS: ReadonlyArray<readonly [AnswerKind, RegExp]> = [
  [
    'share',
    /(?<![\p{L}])(?:turnout|percentage|per\s*cent|what\s+(?:share|proportion|fraction)|какой\s+процент|процент\p{L}*|как\p{L}*\s+дол\p{L}*|явк\p{L}*|пайыз\p{L}*|қатысу\s+деңгей\p{L}*)(?![\p{L}])/iu,
  ],
  [
    'amount',
    /(?<![\p{L}])(?:how\s+much\s+(?:money|funding|did\s+\p{L}+\s+(?:cost|spend|allocate))|budget|funding|allocated|in\s+(?:tenge|dollars|usd|euros?|rubles|roubles)|сколько\s+(?:денег|средств|стоит|стоил\p{L}*)|бюджет\p{L}*|қанша\s+(?:ақша|қаржы)|теңге)(?![\p{L}])/iu,
  ],
  [
    'year',
    /(?<![\p{L}])(?:in\s+(?:what|which)\s+year|what\s+year|which\s+year|when\s+(?:was|were|did)|в\s+каком\s+году|^\s*когда|қай\s+жылы|нешінші\s+жылы|қашан)(?![\p{L}])/iu,
  ],
  [
    'count',
    /(?<![\p{L}])(?:how\s+(?:many|much)|what\s+(?:number|amount|sum)|сколько|скольк\p{L}*|қанша|неше)(?![\p{L}])/iu,
  ],
];

/** The kind of answer the question asks for, if it is one a passage visibly holds or lacks. */
export function expectedAnswer(question: string): AnswerKind | undefined {
  return ANSWER_QUESTIONS.find(([, pattern]) => pattern.test(question))?.[0];
}

const NUMBER_WORDS =
  /(?<![\p{L}])(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|twice|dozen|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|сто|тысяч\p{L}*|миллион\p{L}*|бір|екі|үш|төрт|бес|алты|жеті|сегіз|тоғыз|жүз|мың|миллион)(?![\p{L}])/iu;
const CURRENCY =
  /[₸$€£]|(?<![\p{L}])(?:tenge|tg|kzt|dollars?|usd|euros?|rubles?|roubles?|тенге|тг|долл\p{L}*|рубл\p{L}*|евро|теңге)(?![\p{L}])/iu;
const ANSWER_IN_TEXT: Record<Exclude<AnswerKind, 'amount'>, RegExp> = {
  share: /%|(?<![\p{L}])(?:per\s*cent|percent|процент\p{L}*|пайыз\p{L}*)(?![\p{L}])/iu,
  year: /(?<![\p{N}])(?:1[6-9]|20)\d\d(?![\p{N}])/u,
  count: /\p{N}/u,
};

/**
 * True when `text` (a quote) holds an answer of the kind asked for: a percentage, a sum with its currency,
 * a year, or digits or number words for a count.
 */
export function holdsAnswer(text: string, kind: AnswerKind): boolean {
  if (kind === 'amount') return CURRENCY.test(text) && (/\p{N}/u.test(text) || NUMBER_WORDS.test(text));
  return ANSWER_IN_TEXT[kind].test(text) || (kind === 'count' && NUMBER_WORDS.test(text));
}

/** Stems of capitalised words that do not open a sentence, and years: the names a question is about. */
export function namesIn(question: string, tokens: readonly Token[] = tokenize(question)): string[] {
  const letters = question.match(/\p{L}/gu) ?? [];
  const upper = letters.filter((c) => c !== c.toLowerCase()).length;
  if (letters.length === 0 || upper / letters.length > 0.6) return []; // shouted text: case says nothing
  const names = new Set<string>();
  for (const token of tokens) {
    // A year the question is about is as specific as a name: a passage about 2011 does not answer 2021.
    if (/^(?:1[6-9]|20)\d\d$/u.test(token.term)) {
      names.add(token.term);
      continue;
    }
    if (token.term === '' || !/^\p{Lu}/u.test(question.slice(token.start, token.end))) continue;
    const before = question.slice(0, token.start).trimEnd();
    if (before === '' || /[.!?…:;]["'”»)]*$/u.test(before)) continue;
    names.add(token.term);
  }
  return [...names];
}

/** Builds the weighted query for `question` given the earlier `history` (oldest first). */
export function buildQuery(
  question: string,
  history: readonly Turn[] = [],
  options: Partial<QueryOptions> = {},
): Query {
  const opts = { ...DEFAULT_QUERY_OPTIONS, ...options };
  const trimmed = question.trim();
  const tokens = tokenize(trimmed);
  const questionTerms = tokens.map((t) => t.term).filter((t) => t !== '');
  const weights = new Map<string, number>();
  for (const term of questionTerms) weights.set(term, 1);

  const earlier = history
    .filter((turn) => turn.role === 'user' && turn.content.trim() !== '' && turn.content.trim() !== trimmed)
    .slice(-opts.maxHistoryTurns)
    .reverse();
  const context: QueryPart[] = [];
  if (earlier.length > 0 && isFollowUp(trimmed, opts)) {
    earlier.forEach((turn, i) => {
      const weight = opts.historyWeight * opts.historyDecay ** i;
      context.push({ text: turn.content.trim(), weight });
      for (const term of terms(turn.content)) {
        if (!weights.has(term) || (weights.get(term) ?? 0) < weight)
          weights.set(term, Math.max(weights.get(term) ?? 0, weight));
      }
    });
  }
  const usedHistory = context.length > 0;
  const text = usedHistory
    ? `${trimmed} [context: ${context
        .slice()
        .reverse()
        .map((part) => part.text)
        .join(' / ')}]`
    : trimmed;
  return {
    question: trimmed,
    context,
    terms: weights,
    questionTerms,
    tokens,
    names: namesIn(trimmed, tokens),
    language: detectLanguage(trimmed),
    usedHistory,
    text,
    asksAboutNow: asksAboutNow(trimmed),
    expects: expectedAnswer(trimmed),
  };
}
