import { AppError } from '../core/errors.ts';
import { createOpenApiApp } from '../http/openapi.ts';
import type { Converse } from './converse.ts';
import { formatPlain } from './format.ts';
import { parseJson } from './payload.ts';
import { verifyWebhook } from './verify.ts';

/** The generic signed JSON webhook: `{conversationId, text}` in, `{text, answer}` out. */
export function createWebhookRoutes(converse: Converse, options: { secret: string; now: () => number }) {
  const app = createOpenApiApp();
  app.post('/', async (c) => {
    const body = await c.req.text();
    const headers = {
      timestamp: c.req.header('x-webhook-timestamp'),
      signature: c.req.header('x-webhook-signature'),
    };
    if (!(await verifyWebhook(options.secret, headers, body, options.now() / 1000)))
      throw new AppError('UNAUTHORIZED', 'Bad or expired webhook signature');
    const message = parseJson(body) as { conversationId?: unknown; text?: unknown };
    if (typeof message?.text !== 'string' || message.text.trim() === '') {
      throw new AppError('INVALID_REQUEST', 'text: required non-empty string');
    }
    const conversation = typeof message.conversationId === 'string' ? message.conversationId : 'default';
    const { result, reply } = await converse(`webhook:${conversation}`, message.text);
    return c.json({ text: reply ?? (result ? formatPlain(result) : ''), answer: result ?? null });
  });
  return app;
}
