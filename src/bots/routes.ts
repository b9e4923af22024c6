import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../core/config.ts';
import { createOpenApiApp, type Env } from '../http/openapi.ts';
import type { QaService } from '../retrieve/types.ts';
import { type ConversationStore, createConversationStore } from './conversations.ts';
import { createConverse } from './converse.ts';
import { createDiscordRoutes } from './discord.ts';
import type { BotFeedback } from './feedback.ts';
import { createDeliveryGuard, createReplayGuard, type ReplayGuard } from './replay.ts';
import { createSlackRoutes } from './slack.ts';
import { createTelegramRoutes } from './telegram.ts';
import { createWebhookRoutes } from './webhook.ts';

/**
 * Messaging adapters, one sub-app per platform, each enabled by its secret: each turns a platform's
 * request into a question (with that chat's history) and the answer into the platform's message format.
 * Requests that fail verification get 401 and change nothing.
 */

export type BotConfig = Partial<
  Pick<
    Config,
    | 'PUBLIC_URL'
    | 'MAX_QUESTION_CHARS'
    | 'TELEGRAM_WEBHOOK_SECRET'
    | 'TELEGRAM_BOT_TOKEN'
    | 'SLACK_SIGNING_SECRET'
    | 'SLACK_BOT_TOKEN'
    | 'DISCORD_PUBLIC_KEY'
    | 'WEBHOOK_SECRET'
  >
>;

export interface BotDeps {
  service: QaService;
  config: BotConfig;
  /**
   * Outbound HTTP to the platforms' Web APIs (Slack chat.postMessage and views.open, Telegram sendMessage);
   * injectable so tests need no network.
   */
  fetch?: typeof fetch;
  log?: (entry: Record<string, unknown>) => void;
  conversations?: ConversationStore;
  /** Signatures of accepted signed requests (default: in memory). */
  replays?: ReplayGuard;
  /** Telegram update ids and Slack event ids already answered (default: in memory). */
  deliveries?: ReplayGuard;
  now?: () => number;
  /** Records answers and readers' 👍/👎 (buttons under each answer); without it no buttons are shown. */
  feedback?: BotFeedback;
}

/** The bots sub-app, mounted at `/bots`. */
export function createBotRoutes(deps: BotDeps): OpenAPIHono<Env> {
  const { config } = deps;
  const app = createOpenApiApp();
  const maxChars = config.MAX_QUESTION_CHARS ?? 2000;
  const feedback = deps.feedback;
  const now = deps.now ?? Date.now;
  const conversations = deps.conversations ?? createConversationStore({}, now);
  const converse = createConverse(deps.service, conversations, { maxChars, feedback });
  const outbound = deps.fetch ?? fetch;
  const log = deps.log ?? (() => {});
  const publicUrl = config.PUBLIC_URL;
  // One guard for every signed platform: signatures never collide across them.
  const replays = deps.replays ?? createReplayGuard({ now });
  const deliveries = deps.deliveries ?? createDeliveryGuard(now);

  if (config.TELEGRAM_WEBHOOK_SECRET)
    app.route(
      '/telegram',
      createTelegramRoutes(converse, {
        secret: config.TELEGRAM_WEBHOOK_SECRET,
        botToken: config.TELEGRAM_BOT_TOKEN,
        publicUrl,
        feedback,
        prompts: conversations,
        fetch: outbound,
        log,
        deliveries,
      }),
    );
  if (config.SLACK_SIGNING_SECRET)
    app.route(
      '/slack',
      createSlackRoutes(converse, {
        signingSecret: config.SLACK_SIGNING_SECRET,
        botToken: config.SLACK_BOT_TOKEN,
        publicUrl,
        now,
        fetch: outbound,
        log,
        replays,
        feedback,
        deliveries,
      }),
    );
  if (config.DISCORD_PUBLIC_KEY)
    app.route(
      '/discord',
      createDiscordRoutes(converse, {
        publicKey: config.DISCORD_PUBLIC_KEY,
        publicUrl,
        now,
        replays,
        feedback,
      }),
    );
  if (config.WEBHOOK_SECRET)
    app.route(
      '/webhook',
      createWebhookRoutes(converse, { secret: config.WEBHOOK_SECRET, now, maxChars, replays }),
    );
  return app;
}
