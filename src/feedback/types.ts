import type { Confidence } from '../retrieve/types.ts';

/**
 * What the site owner learns from readers: every question asked (with what was shown and how sure the
 * service was) and the readers' thumbs up/down on answers. Nothing that identifies a reader is kept: no
 * IP address, cookie, chat or user id.
 */

/** Where a question came from. */
export type Channel = 'web' | 'telegram' | 'slack' | 'discord' | 'webhook';
export const CHANNELS: readonly Channel[] = ['web', 'telegram', 'slack', 'discord', 'webhook'];

export type Rating = 'up' | 'down';

/** Longest reason a reader may give with feedback. */
export const MAX_REASON_CHARS = 500;

/** One question as answered. */
export interface AskRecord {
  /** Random id handed to the reader with the answer; feedback names it. */
  id: string;
  /** Milliseconds since the epoch. */
  at: number;
  channel: Channel;
  question: string;
  confidence: Confidence;
  /** Passages shown, best first. */
  passageIds: string[];
  /** Their documents, in the same order. */
  documentIds: string[];
}

/** A reader's verdict on one answer; a later verdict on the same answer replaces it. */
export interface FeedbackRecord {
  askId: string;
  rating: Rating;
  /** Optional short reason typed by the reader. */
  reason?: string;
  at: number;
}

/** An ask with the feedback it received, if any. */
export interface StoredAsk extends AskRecord {
  feedback?: Omit<FeedbackRecord, 'askId'>;
}

/** A half-open time range `[from, to)` in milliseconds since the epoch. */
export interface TimeRange {
  from: number;
  to: number;
}

/**
 * Where asks and feedback are kept. Implementations: SQLite (`createSqliteFeedbackStore`, the default) and
 * memory (`createMemoryFeedbackStore`); `tests/feedback/store-contract.ts` holds them to the same contract.
 */
export interface FeedbackStore {
  addAsk(ask: AskRecord): Promise<void>;
  /** Records (or replaces) the verdict on an ask; `false` when no such ask is kept (unknown or purged). */
  setFeedback(feedback: FeedbackRecord): Promise<boolean>;
  /** Asks in the range, oldest first, each with its feedback. */
  listAsks(range: TimeRange): Promise<StoredAsk[]>;
  /** Deletes asks older than `before` together with their feedback; returns how many asks went. */
  purge(before: number): Promise<number>;
  close(): Promise<void>;
}
