import type { StoredAsk, TimeRange } from './types.ts';

/**
 * The analytics a site owner reads: how much is asked, how often the corpus cannot answer, what readers
 * ask most, which answers they disliked and which documents answer most. Computed from the asks of a
 * range, so every store gives the same report.
 */

export interface DayStats {
  /** UTC date, `YYYY-MM-DD`. */
  date: string;
  questions: number;
  low: number;
  up: number;
  down: number;
}

export interface QuestionStats {
  /** The question as last asked. */
  question: string;
  count: number;
  /** How many of those answers were rated low confidence. */
  low: number;
  up: number;
  down: number;
  /** Reasons readers gave with negative feedback, newest first. */
  reasons: string[];
  lastAsked: string;
}

export interface DocumentStats {
  documentId: string;
  title: string;
  /** Answers that showed at least one passage of the document. */
  answers: number;
  /** Answers whose best passage came from it. */
  top: number;
}

export interface AnalyticsReport {
  range: { from: string; to: string; days: number };
  totals: {
    questions: number;
    lowConfidence: number;
    /** Share of questions answered with low confidence, 0–1. */
    lowShare: number;
    up: number;
    down: number;
  };
  perDay: DayStats[];
  /** Most-asked questions (normalised: case, spacing and final punctuation ignored). */
  topQuestions: QuestionStats[];
  /** Most-asked questions answered with low confidence: what the corpus seems to lack. */
  unanswered: QuestionStats[];
  /** Questions with most negative feedback. */
  disliked: QuestionStats[];
  topDocuments: DocumentStats[];
}

export interface ReportOptions {
  /** Rows in each top list. */
  top: number;
  /** Document titles by id, for the documents list. */
  titleOf: (documentId: string) => string | undefined;
}

const DAY_MS = 86_400_000;

/** Two questions that differ only in case, spacing or final punctuation count as one. */
export function questionKey(question: string): string {
  return question
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s"'“”«»]+|[\s?!.。？"'“”«»]+$/gu, '');
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Builds the report of `asks` (all inside `range`). */
export function summarize(
  asks: readonly StoredAsk[],
  range: TimeRange,
  options: ReportOptions,
): AnalyticsReport {
  const days = new Map<string, DayStats>();
  const firstDay = Math.floor(range.from / DAY_MS) * DAY_MS;
  for (let t = firstDay; t < range.to; t += DAY_MS) {
    const date = isoDate(t);
    days.set(date, { date, questions: 0, low: 0, up: 0, down: 0 });
  }
  const questions = new Map<string, QuestionStats>();
  const documents = new Map<string, DocumentStats>();
  let low = 0;
  let up = 0;
  let down = 0;
  for (const ask of asks) {
    const isLow = ask.confidence === 'low';
    const rating = ask.feedback?.rating;
    if (isLow) low++;
    if (rating === 'up') up++;
    if (rating === 'down') down++;
    const day = days.get(isoDate(ask.at));
    if (day) {
      day.questions++;
      if (isLow) day.low++;
      if (rating === 'up') day.up++;
      if (rating === 'down') day.down++;
    }
    const key = questionKey(ask.question);
    const q = questions.get(key) ?? {
      question: ask.question,
      count: 0,
      low: 0,
      up: 0,
      down: 0,
      reasons: [],
      lastAsked: '',
    };
    q.question = ask.question.trim();
    q.count++;
    q.lastAsked = new Date(ask.at).toISOString();
    if (isLow) q.low++;
    if (rating === 'up') q.up++;
    if (rating === 'down') {
      q.down++;
      if (ask.feedback?.reason) q.reasons.unshift(ask.feedback.reason);
    }
    questions.set(key, q);
    new Set(ask.documentIds).forEach((documentId) => {
      const d = documents.get(documentId) ?? {
        documentId,
        title: options.titleOf(documentId) ?? documentId,
        answers: 0,
        top: 0,
      };
      d.answers++;
      if (ask.documentIds[0] === documentId) d.top++;
      documents.set(documentId, d);
    });
  }
  const all = [...questions.values()];
  const byCount = (a: QuestionStats, b: QuestionStats) =>
    b.count - a.count || b.lastAsked.localeCompare(a.lastAsked);
  const total = asks.length;
  return {
    range: {
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      days: days.size,
    },
    totals: {
      questions: total,
      lowConfidence: low,
      lowShare: total ? Math.round((low / total) * 1000) / 1000 : 0,
      up,
      down,
    },
    perDay: [...days.values()],
    topQuestions: [...all].sort(byCount).slice(0, options.top),
    unanswered: all
      .filter((q) => q.low > 0)
      .sort((a, b) => b.low - a.low || byCount(a, b))
      .slice(0, options.top),
    disliked: all
      .filter((q) => q.down > 0)
      .sort((a, b) => b.down - a.down || a.up - b.up || byCount(a, b))
      .slice(0, options.top),
    topDocuments: [...documents.values()]
      .sort((a, b) => b.answers - a.answers || b.top - a.top || a.documentId.localeCompare(b.documentId))
      .slice(0, options.top),
  };
}
