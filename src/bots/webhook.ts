import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp, documented } from '../http/openapi.ts';
import type { Converse } from './converse.ts';
import { formatPlain } from './format.ts';
import { readVerified, type SignedRequest, signedRoute } from './payload.ts';
import type { ReplayGuard } from './replay.ts';
import { createWebhookMessageSchema, WebhookReplySchema } from './schemas.ts';
import { verifyWebhook } from './verify.ts';

/**
 * The generic signed JSON webhook: `{conversationId, text}` in, `{text, answer}` out, plus the `askId`
 * of a recorded answer for `POST /v1/feedback`.
 */
export function createWebhookRoutes(
  converse: Converse,
  options: { secret: string; now: () => number; maxChars: number; replays: ReplayGuard },
) {
  const app = createOpenApiApp();
  const signed: SignedRequest = {
    platform: 'webhook',
    headers: { timestamp: 'x-webhook-timestamp', signature: 'x-webhook-signature' },
    verify: (headers, body) => verifyWebhook(options.secret, headers, body, options.now() / 1000),
    replays: options.replays,
  };
  const MessageSchema = createWebhookMessageSchema(options.maxChars);
  documented(
    app,
    signedRoute(signed, {
      path: '/',
      operationId: 'botWebhook',
      summary: 'Generic signed JSON webhook: a chat message in, the answer as text and as JSON out',
      signatureExample: 'sha256=<hex HMAC-SHA256 of timestamp.body>',
      body: { schema: MessageSchema, example: { conversationId: 'c1', text: 'How are akims elected?' } },
      reply: { description: 'The answer', schema: WebhookReplySchema },
    }),
    async (c) => {
      const body = await readVerified(c, signed);
      const message = parseWith(MessageSchema, parseJson(body));
      const conversation = message.conversationId ?? 'default';
      const { result, reply, askId } = await converse(`webhook:${conversation}`, message.text);
      return c.json({
        text: reply ?? (result ? formatPlain(result) : ''),
        answer: result ?? null,
        ...(askId ? { askId } : {}),
      });
    },
  );
  return app;
}
