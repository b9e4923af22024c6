import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp } from '../http/openapi.ts';
import type { Converse } from './converse.ts';
import { formatPlain } from './format.ts';
import { readVerified } from './payload.ts';
import { createWebhookMessageSchema } from './schemas.ts';
import { verifyWebhook } from './verify.ts';

/** The generic signed JSON webhook: `{conversationId, text}` in, `{text, answer}` out. */
export function createWebhookRoutes(
  converse: Converse,
  options: { secret: string; now: () => number; maxChars: number },
) {
  const app = createOpenApiApp();
  const MessageSchema = createWebhookMessageSchema(options.maxChars);
  app.post('/', async (c) => {
    const body = await readVerified(
      c,
      { timestamp: 'x-webhook-timestamp', signature: 'x-webhook-signature' },
      (headers, text) => verifyWebhook(options.secret, headers, text, options.now() / 1000),
      'webhook',
    );
    const message = parseWith(MessageSchema, parseJson(body));
    const conversation = message.conversationId ?? 'default';
    const { result, reply } = await converse(`webhook:${conversation}`, message.text);
    return c.json({ text: reply ?? (result ? formatPlain(result) : ''), answer: result ?? null });
  });
  return app;
}
