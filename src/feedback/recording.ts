import type { AskRequest, AskResult, QaService } from '../retrieve/types.ts';
import type { Channel, FeedbackStore } from './types.ts';

/** An answer with the id under which it was recorded; feedback names that id. */
export type RecordedAskResult = AskResult & { askId?: string };

export interface RecordingOptions {
  channel: Channel;
  now?: () => number;
  log?: (entry: Record<string, unknown>) => void;
}

/** Records an answer in the store; returns its id, or undefined when the store failed (logged, not thrown). */
export async function recordAnswer(
  store: FeedbackStore,
  question: string,
  result: AskResult,
  options: RecordingOptions,
): Promise<string | undefined> {
  const id = crypto.randomUUID();
  try {
    await store.addAsk({
      id,
      at: (options.now ?? Date.now)(),
      channel: options.channel,
      question,
      confidence: result.confidence,
      passageIds: result.passages.map((p) => p.id),
      documentIds: result.passages.map((p) => p.citation.documentId),
    });
    return id;
  } catch (error) {
    // Analytics must never cost a reader their answer.
    options.log?.({ level: 'error', msg: 'recording the question failed', error: String(error) });
    return undefined;
  }
}

/** The service with every answer recorded; each answer carries its `askId` for feedback. */
export function createRecordingService(
  service: QaService,
  store: FeedbackStore,
  options: RecordingOptions,
): QaService {
  return {
    ...service,
    ask: async (request: AskRequest): Promise<RecordedAskResult> => {
      const result = await service.ask(request);
      const askId = await recordAnswer(store, request.question, result, options);
      return askId ? { ...result, askId } : result;
    },
  };
}

const DAY_MS = 86_400_000;
const PURGE_EVERY_MS = 6 * 3_600_000;

/**
 * Deletes asks older than `days` now and every six hours. Returns a function that stops it.
 */
export function startRetention(
  store: FeedbackStore,
  days: number,
  options: Pick<RecordingOptions, 'now' | 'log'> = {},
): () => void {
  const now = options.now ?? Date.now;
  const purge = () =>
    store.purge(now() - days * DAY_MS).then(
      (removed) => {
        if (removed > 0) options.log?.({ level: 'info', msg: 'analytics retention', removed, days });
      },
      (error: unknown) =>
        options.log?.({ level: 'error', msg: 'analytics purge failed', error: String(error) }),
    );
  void purge();
  const timer = setInterval(purge, PURGE_EVERY_MS);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
