import { describe, expect, it } from 'vitest';
import { createBotRoutes } from '../../src/bots/routes.ts';
import { createApp } from '../../src/http/app.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { ErrorSchema } from '../../src/http/schemas.ts';
import { fakeBotService, secrets } from '../setup/bots.ts';

const BODY_TIMEOUT_MS = 300;

function setup() {
  const { service } = fakeBotService();
  const logs: Array<Record<string, unknown>> = [];
  const metrics = createMetrics('test');
  const app = createApp({
    service,
    config: {
      MAX_BODY_BYTES: 4096,
      MAX_QUESTION_CHARS: 200,
      RATE_LIMIT_PER_MINUTE: 0,
      BODY_TIMEOUT_MS,
      REQUEST_TIMEOUT_MS: 5000,
    },
    bots: createBotRoutes({ service, config: secrets }),
    log: (entry) => logs.push(entry),
    metrics,
  });
  return { app, logs, metrics };
}

/** A body that sends its first bytes and then nothing more, or fails as when the client hangs up. */
function stalledBody(fail = false) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"question": "wh'));
      if (fail) setTimeout(() => controller.error(new Error('aborted')), 20);
    },
  });
}

const post = (app: ReturnType<typeof setup>['app'], path: string, body: ReadableStream<Uint8Array>) =>
  app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-webhook-timestamp': '1',
      'x-webhook-signature': 'sha256=00',
    },
    body,
    // @ts-expect-error Node's fetch needs duplex for stream bodies
    duplex: 'half',
  });

/** Gives up on a response that never comes, so a hang fails the test instead of stalling it. */
function within<T>(ms: number, promise: T | Promise<T>): Promise<T | 'no answer'> {
  return Promise.race([
    Promise.resolve(promise),
    new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), ms)),
  ]);
}

describe('request bodies that do not arrive', () => {
  it.each(['/v1/ask', '/mcp', '/bots/webhook'])(
    'answers a body that stops arriving on %s with 408 REQUEST_TIMEOUT after BODY_TIMEOUT_MS',
    async (path) => {
      const { app } = setup();
      const started = Date.now();
      const res = await within(3000, post(app, path, stalledBody()));
      expect(res).not.toBe('no answer');
      const response = res as Response;
      expect(response.status).toBe(408);
      expect(ErrorSchema.parse(await response.json()).error.code).toBe('REQUEST_TIMEOUT');
      expect(Date.now() - started).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 20);
    },
  );

  it.each(['/v1/ask', '/mcp', '/bots/webhook'])(
    'counts a client that hangs up mid-body on %s as 499, logs no error, and never reports a 5xx',
    async (path) => {
      const { app, logs, metrics } = setup();
      const res = await within(3000, post(app, path, stalledBody(true)));
      expect((res as Response).status).toBe(499);
      expect(logs.filter((l) => l.level === 'error')).toEqual([]);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/http_requests_total\{[^}]*status="499"\} 1/);
      expect(text).not.toMatch(/status="5\d\d"/);
    },
  );
});
