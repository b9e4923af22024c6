import { vi } from 'vitest';
import type { BotFeedback } from '../../src/bots/feedback.ts';
import { createBotRoutes } from '../../src/bots/routes.ts';
import { hmacSha256Hex } from '../../src/bots/verify.ts';
import { createApp } from '../../src/http/app.ts';
import type { AskRequest, AskResult, QaService } from '../../src/retrieve/types.ts';
import { confidentSignals, testDocument } from './fixtures.ts';

/** A fake search service for the bot tests, recording every question it is asked. */
export function fakeBotService() {
  const calls: AskRequest[] = [];
  const service: QaService = {
    ask: async (request): Promise<AskResult> => {
      calls.push(request);
      const n = request.topK ?? 5;
      const low = request.question.includes('Uzbekistan');
      return {
        query: {
          text: request.question,
          language: 'en',
          usedHistory: (request.history ?? []).length > 0,
          model: 'test-model',
        },
        confidence: low ? 'low' : 'high',
        signals: { ...confidentSignals, missingNames: low ? ['uzbekistan'] : [] },
        tookMs: 0,
        passages: Array.from({ length: n }, (_, i) => ({
          id: `d.p${i + 1}`,
          rank: i + 1,
          score: 1,
          text: 't',
          language: 'en',
          kind: 'body' as const,
          quote: {
            text: `Quote ${i + 1} with <b>markup</b> & more`,
            start: 0,
            end: 1,
            highlights: [],
            marks: [],
          },
          citation: {
            source: 'd.txt',
            documentId: 'd',
            title: 'D',
            authors: [],
            section: '',
            start: 0,
            end: 1,
            label: `Label ${i + 1}`,
          },
        })),
      };
    },
    listDocuments: () => [{ ...testDocument, passageCount: 0 }],
    getDocument: () => undefined,
    getPassage: () => undefined,
    getDocumentText: () => undefined,
    listSkipped: () => [],
    health: () => ({
      status: 'ok',
      documents: 0,
      passages: 0,
      model: { id: 'm', dims: 1 },
      indexBuiltAt: '',
      skipped: [],
    }),
  };
  return { service, calls };
}

/** The clock every bot test runs at (milliseconds). */
export const NOW = 1_790_000_000_000;
export const NOW_SECONDS = String(Math.floor(NOW / 1000));

export const secrets = {
  TELEGRAM_WEBHOOK_SECRET: 'telegram-secret-123',
  SLACK_SIGNING_SECRET: 'slack-signing-secret',
  SLACK_BOT_TOKEN: 'xoxb-test',
  WEBHOOK_SECRET: 'generic-webhook-secret-0123',
  PUBLIC_URL: 'https://qa.example',
};

/**
 * The platforms' Web APIs, mocked at the HTTP boundary (the only part of a bot we cannot run here): Slack
 * answers `{"ok":true}`; Telegram's sendMessage answers the sent message with a fresh `message_id`.
 */
export function fakePlatformApis() {
  /** The `message_id`s Telegram's sendMessage gave, in order. */
  const telegramMessageIds: number[] = [];
  const fetchMock = vi.fn(async (url: string | URL | Request, _init?: RequestInit) => {
    if (!String(url).startsWith('https://api.telegram.org/')) return Response.json({ ok: true });
    telegramMessageIds.push(1001 + telegramMessageIds.length);
    return Response.json({ ok: true, result: { message_id: telegramMessageIds.at(-1), chat: { id: 0 } } });
  });
  return Object.assign(fetchMock, { telegramMessageIds });
}

/**
 * The app with every bot enabled (pass DISCORD_PUBLIC_KEY or TELEGRAM_BOT_TOKEN in `extra`), a fake
 * service and fake platform APIs; with `feedback`, answers are recorded and carry 👍/👎 buttons.
 */
export function setupBots(
  extra: Record<string, string | undefined> = {},
  feedback?: BotFeedback,
  options: { now?: () => number; fetch?: ReturnType<typeof fakePlatformApis> } = {},
) {
  const { service, calls } = fakeBotService();
  const fetchMock = options.fetch ?? fakePlatformApis();
  const logs: Array<Record<string, unknown>> = [];
  const bots = createBotRoutes({
    service,
    config: { ...secrets, ...extra },
    fetch: fetchMock as unknown as typeof fetch,
    now: options.now ?? (() => NOW),
    log: (entry) => logs.push(entry),
    ...(feedback ? { feedback } : {}),
  });
  const app = createApp({
    service,
    config: { MAX_BODY_BYTES: 65_536, MAX_QUESTION_CHARS: 2000, RATE_LIMIT_PER_MINUTE: 0 },
    bots,
  });
  return { app, calls, fetchMock, logs };
}

/** Headers of a correctly signed Slack request. */
export async function slackHeaders(
  body: string,
  timestamp = NOW_SECONDS,
  secret = secrets.SLACK_SIGNING_SECRET,
) {
  return {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${await hmacSha256Hex(secret, `v0:${timestamp}:${body}`)}`,
  };
}

/** Headers of a correctly signed generic-webhook request. */
export async function webhookHeaders(body: string, timestamp = NOW_SECONDS, secret = secrets.WEBHOOK_SECRET) {
  return {
    'content-type': 'application/json',
    'x-webhook-timestamp': timestamp,
    'x-webhook-signature': `sha256=${await hmacSha256Hex(secret, `${timestamp}.${body}`)}`,
  };
}

/** An Ed25519 key pair standing in for a Discord application, and a signer for its requests. */
export async function createDiscordSigner() {
  const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const publicKey = Buffer.from(await crypto.subtle.exportKey('raw', keys.publicKey)).toString('hex');
  const headers = async (body: string, timestamp = NOW_SECONDS) => ({
    'content-type': 'application/json',
    'x-signature-timestamp': timestamp,
    'x-signature-ed25519': Buffer.from(
      await crypto.subtle.sign('Ed25519', keys.privateKey, new TextEncoder().encode(timestamp + body)),
    ).toString('hex'),
  });
  return { publicKey, headers };
}
