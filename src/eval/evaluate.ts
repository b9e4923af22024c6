import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { Span, Turn } from '../core/types.ts';
import type { AskRequest, AskResult } from '../retrieve/types.ts';

/**
 * Retrieval evaluation over a question file: hit@k, MRR@10, abstention, quote quality.
 * A passage is a hit when its cited span overlaps an evidence span by at least half the evidence's length.
 */

export const EvalQuestionSchema = z.object({
  id: z.string(),
  kind: z.string().default('single'),
  lang: z.string().default('en'),
  /** The conversation; the last turn is the question, earlier ones are user history. */
  turns: z.array(z.string().min(1)).min(1),
  source: z.string().nullable().default(null),
  /** Verbatim substrings of `source`; empty for unanswerable questions. */
  evidence: z.array(z.string().min(1)).default([]),
  note: z.string().optional(),
});

export type EvalQuestion = z.infer<typeof EvalQuestionSchema>;

/** Parses a JSONL question file; a bad line is reported with its line number. */
export function parseQuestions(jsonl: string, name = 'questions'): EvalQuestion[] {
  const out: EvalQuestion[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new AppError('INVALID_REQUEST', `${name}:${i + 1} is not valid JSON`);
    }
    const parsed = EvalQuestionSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ');
      throw new AppError('INVALID_REQUEST', `${name}:${i + 1}: ${problems}`);
    }
    out.push(parsed.data);
  });
  return out;
}

/**
 * Finds `needle` in `raw`, first verbatim, then ignoring differences in whitespace and inline markup
 * (`*`, `\`), returning the raw span it covers.
 */
export function locate(raw: string, needle: string): Span | undefined {
  const exact = raw.indexOf(needle);
  if (exact >= 0) return { start: exact, end: exact + needle.length };
  const squash = (s: string) => {
    const chars: string[] = [];
    const map: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s[i] as string;
      if (/[\s*\\\u00a0]/u.test(c)) continue;
      chars.push(c);
      map.push(i);
    }
    return { text: chars.join(''), map };
  };
  const hay = squash(raw);
  const pin = squash(needle);
  const at = hay.text.indexOf(pin.text);
  if (at < 0 || pin.text.length === 0) return undefined;
  const start = hay.map[at] ?? 0;
  const end = (hay.map[at + pin.text.length - 1] ?? start) + 1;
  return { start, end };
}

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** True when `cited` covers at least half of some evidence span. */
export function isHit(cited: Span, evidence: readonly Span[]): boolean {
  return evidence.some((e) => overlap(cited, e) * 2 >= e.end - e.start);
}

export interface QuestionOutcome {
  question: EvalQuestion;
  /** 1-based rank of the first hit in the top 10, or undefined. */
  rank?: number;
  confidence: AskResult['confidence'];
  /** Whether the quote of the first hit passage covers the evidence (undefined when no hit). */
  quoteHolds?: boolean;
  top?: string;
}

export type AskFn = (request: AskRequest) => Promise<AskResult>;

export interface EvalRunOptions {
  /** Send only the last turn (ignore history), to measure what history adds. */
  withoutHistory?: boolean;
  k?: number;
}

/** Raw spans of a question's evidence in its source; an unknown source or a string not found is an error. */
export function evidenceSpans(q: EvalQuestion, sources: ReadonlyMap<string, string>): Span[] {
  const raw = q.source ? sources.get(q.source) : undefined;
  if (q.source && raw === undefined) {
    throw new AppError('INVALID_REQUEST', `${q.id}: source ${q.source} is not in the corpus`);
  }
  return q.evidence.map((e) => {
    const span = raw !== undefined ? locate(raw, e) : undefined;
    if (!span)
      throw new AppError(
        'INVALID_REQUEST',
        `${q.id}: evidence not found in ${q.source}: "${e.slice(0, 60)}…"`,
      );
    return span;
  });
}

/** Runs every question through `ask` and records where the first hit landed. */
export async function runQuestions(
  questions: readonly EvalQuestion[],
  sources: ReadonlyMap<string, string>,
  ask: AskFn,
  options: EvalRunOptions = {},
): Promise<QuestionOutcome[]> {
  const outcomes: QuestionOutcome[] = [];
  for (const q of questions) {
    const spans = evidenceSpans(q, sources);
    const question = q.turns[q.turns.length - 1] as string;
    const history: Turn[] = options.withoutHistory
      ? []
      : q.turns.slice(0, -1).map((content) => ({ role: 'user', content }));
    const result = await ask({ question, history, topK: options.k ?? 10 });
    const index = result.passages.findIndex(
      (p) => p.citation.source === q.source && isHit(p.citation, spans),
    );
    const hit = index >= 0 ? result.passages[index] : undefined;
    outcomes.push({
      question: q,
      confidence: result.confidence,
      top: result.passages[0]?.id,
      ...(hit ? { rank: index + 1, quoteHolds: isHit(hit.quote, spans) } : {}),
    });
  }
  return outcomes;
}

export interface Metrics {
  n: number;
  hit1: number;
  hit3: number;
  hit5: number;
  hit10: number;
  mrr10: number;
}

export function metricsOf(outcomes: readonly QuestionOutcome[]): Metrics {
  const n = outcomes.length;
  const share = (f: (o: QuestionOutcome) => boolean) => (n ? outcomes.filter(f).length / n : 0);
  const atK = (k: number) => share((o) => o.rank !== undefined && o.rank <= k);
  return {
    n,
    hit1: atK(1),
    hit3: atK(3),
    hit5: atK(5),
    hit10: atK(10),
    mrr10: n
      ? outcomes.reduce((s, o) => s + (o.rank !== undefined && o.rank <= 10 ? 1 / o.rank : 0), 0) / n
      : 0,
  };
}

export interface EvalReport {
  byKind: Record<string, Metrics>;
  /** Single questions by how they are worded (`[paraphrase]`, `[lexical]` … at the start of `note`). */
  byStyle: Record<string, Metrics>;
  answerable: Metrics;
  /** Share of unanswerable questions answered with `low` confidence. */
  abstainedUnanswerable: number;
  unanswerableCount: number;
  /** Share of answerable questions wrongly answered with `low` confidence. */
  abstainedAnswerable: number;
  /** Share of hits whose quote covers the evidence. */
  quoteHolds: number;
  misses: QuestionOutcome[];
}

/** The wording tag a question file gives in `note` ("[paraphrase] …" → `paraphrase`), if any. */
export function styleOf(q: EvalQuestion): string | undefined {
  return /^\[([a-z ]+)\]/u.exec(q.note ?? '')?.[1];
}

export function summarize(outcomes: readonly QuestionOutcome[]): EvalReport {
  const answerable = outcomes.filter((o) => o.question.evidence.length > 0);
  const unanswerable = outcomes.filter((o) => o.question.evidence.length === 0);
  const kinds = [...new Set(answerable.map((o) => o.question.kind))].sort();
  const byKind: Record<string, Metrics> = {};
  for (const kind of kinds) byKind[kind] = metricsOf(answerable.filter((o) => o.question.kind === kind));
  const byStyle: Record<string, Metrics> = {};
  const singles = answerable.filter((o) => o.question.kind === 'single');
  for (const style of [...new Set(singles.map((o) => styleOf(o.question)))].filter(Boolean).sort()) {
    byStyle[style as string] = metricsOf(singles.filter((o) => styleOf(o.question) === style));
  }
  const hits = answerable.filter((o) => o.rank !== undefined);
  return {
    byKind,
    byStyle,
    answerable: metricsOf(answerable),
    abstainedUnanswerable: unanswerable.length
      ? unanswerable.filter((o) => o.confidence === 'low').length / unanswerable.length
      : 0,
    unanswerableCount: unanswerable.length,
    abstainedAnswerable: answerable.length
      ? answerable.filter((o) => o.confidence === 'low').length / answerable.length
      : 0,
    quoteHolds: hits.length ? hits.filter((o) => o.quoteHolds).length / hits.length : 0,
    misses: answerable.filter((o) => o.rank === undefined || o.rank > 5),
  };
}

const f3 = (x: number) => x.toFixed(3);

/** Plain-text table of a report, as printed by `npm run eval`. */
export function formatReport(report: EvalReport, title: string): string {
  const row = (name: string, m: Metrics) =>
    `| ${name.padEnd(22)} | ${String(m.n).padStart(3)} | ${f3(m.hit1)} | ${f3(m.hit3)} | ${f3(m.hit5)} | ${f3(m.hit10)} | ${f3(m.mrr10)} |`;
  const lines = [
    `## ${title}`,
    '| questions              |   n | hit@1 | hit@3 | hit@5 | hit@10 | MRR@10 |',
    '|------------------------|-----|-------|-------|-------|--------|--------|',
    row('all answerable', report.answerable),
    ...Object.entries(report.byKind).flatMap(([kind, m]) => [
      row(kind, m),
      ...(kind === 'single'
        ? Object.entries(report.byStyle).map(([style, sm]) => row(`  ${style}`, sm))
        : []),
    ]),
    '',
    `unanswerable answered with confidence low: ${f3(report.abstainedUnanswerable)} (n=${report.unanswerableCount})`,
    `answerable wrongly answered with confidence low: ${f3(report.abstainedAnswerable)}`,
    `quote covers the evidence (share of hits): ${f3(report.quoteHolds)}`,
  ];
  if (report.misses.length > 0) {
    lines.push('', 'misses (no hit in the top 5):');
    for (const m of report.misses) {
      const q = m.question;
      lines.push(
        `  ${q.id} [${q.kind}/${q.lang}] rank ${m.rank ?? '>10'} top=${m.top ?? '-'}: ${q.turns[q.turns.length - 1]}`,
      );
    }
  }
  return lines.join('\n');
}
