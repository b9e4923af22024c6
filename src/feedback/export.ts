import { stringify } from 'csv-stringify/sync';
import type { StoredAsk } from './types.ts';

const COLUMNS = [
  'ask_id',
  'asked_at',
  'channel',
  'question',
  'confidence',
  'passage_ids',
  'document_ids',
  'rating',
  'reason',
  'rated_at',
];

/**
 * One CSV row per question with its feedback. Cells a spreadsheet would run as a formula (a reader may
 * type `=HYPERLINK(…)`) are prefixed with a quote by csv-stringify's `escape_formulas`.
 */
export function asksToCsv(asks: readonly StoredAsk[]): string {
  const rows = asks.map((a) => [
    a.id,
    new Date(a.at).toISOString(),
    a.channel,
    a.question,
    a.confidence,
    a.passageIds.join(' '),
    a.documentIds.join(' '),
    a.feedback?.rating ?? '',
    a.feedback?.reason ?? '',
    a.feedback ? new Date(a.feedback.at).toISOString() : '',
  ]);
  return stringify([COLUMNS, ...rows], { escape_formulas: true, record_delimiter: 'windows' });
}
