import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../core/errors.ts';
import type { Confidence } from '../retrieve/types.ts';
import type { Channel, FeedbackStore, Rating, StoredAsk } from './types.ts';

/** Schema version in `PRAGMA user_version`; a database written by a newer version is refused. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS asks (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  question TEXT NOT NULL,
  confidence TEXT NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
  passage_ids TEXT NOT NULL,
  document_ids TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS asks_at ON asks (at);
CREATE TABLE IF NOT EXISTS feedback (
  ask_id TEXT PRIMARY KEY REFERENCES asks (id) ON DELETE CASCADE,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  reason TEXT,
  at INTEGER NOT NULL
);`;

interface Row {
  id: string;
  at: number;
  channel: string;
  question: string;
  confidence: string;
  passage_ids: string;
  document_ids: string;
  rating: string | null;
  reason: string | null;
  feedback_at: number | null;
}

/**
 * The feedback store in an embedded SQLite database (better-sqlite3): one file, WAL journal so the
 * analytics page can read while answers are recorded, foreign keys so purging an ask drops its feedback.
 * `path` may be `:memory:`.
 */
export function createSqliteFeedbackStore(path: string): FeedbackStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new AppError('CONFIG_INVALID', `ANALYTICS_DB: cannot open ${path}: ${String(error)}`, {
      cause: error,
    });
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new AppError(
      'CONFIG_INVALID',
      `ANALYTICS_DB: ${path} has schema version ${version}, newer than this service's ${SCHEMA_VERSION}`,
    );
  }
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL never corrupts the file; a power cut may lose the last few records, which analytics
  // can afford, and no answer waits for an fsync (measured: FULL cost ~20 % of /v1/ask throughput).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);

  const insertAsk = db.prepare(
    'INSERT INTO asks (id, at, channel, question, confidence, passage_ids, document_ids) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const upsertFeedback = db.prepare(
    `INSERT INTO feedback (ask_id, rating, reason, at) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM asks WHERE id = ?)
     ON CONFLICT (ask_id) DO UPDATE SET rating = excluded.rating, reason = excluded.reason, at = excluded.at`,
  );
  const selectRange = db.prepare(
    `SELECT a.*, f.rating, f.reason, f.at AS feedback_at FROM asks a LEFT JOIN feedback f ON f.ask_id = a.id
     WHERE a.at >= ? AND a.at < ? ORDER BY a.at, a.id`,
  );
  const deleteBefore = db.prepare('DELETE FROM asks WHERE at < ?');

  const toAsk = (row: Row): StoredAsk => ({
    id: row.id,
    at: row.at,
    channel: row.channel as Channel,
    question: row.question,
    confidence: row.confidence as Confidence,
    passageIds: JSON.parse(row.passage_ids) as string[],
    documentIds: JSON.parse(row.document_ids) as string[],
    ...(row.rating && row.feedback_at !== null
      ? {
          feedback: {
            rating: row.rating as Rating,
            at: row.feedback_at,
            ...(row.reason ? { reason: row.reason } : {}),
          },
        }
      : {}),
  });

  return {
    async addAsk(ask) {
      insertAsk.run(
        ask.id,
        ask.at,
        ask.channel,
        ask.question,
        ask.confidence,
        JSON.stringify(ask.passageIds),
        JSON.stringify(ask.documentIds),
      );
    },
    async setFeedback({ askId, rating, reason, at }) {
      return upsertFeedback.run(askId, rating, reason || null, at, askId).changes > 0;
    },
    async listAsks({ from, to }) {
      return (selectRange.all(from, to) as Row[]).map(toAsk);
    },
    async purge(before) {
      return deleteBefore.run(before).changes;
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
