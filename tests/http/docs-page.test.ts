import type { ChildProcess } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopServer, testPort } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `/docs` in a real browser: Swagger UI's "Try it out" on POST /v1/ask, with the documented example, succeeds. */
describe('API docs page in Chromium', () => {
  const port = testPort();
  let server: ChildProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer(port, { ...TEST_INDEX_ENV, RATE_LIMIT_PER_MINUTE: '0' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
  });

  it('answers "Try it out" on POST /v1/ask with 200 and ranked passages', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/docs`);
    const operation = page.locator('.opblock-post', { has: page.locator('[data-path="/v1/ask"]') });
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    const responded = page.waitForResponse(
      (r) => r.url().endsWith('/v1/ask') && r.request().method() === 'POST',
    );
    await operation.locator('.execute').click();
    const response = await responded;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { passages: unknown[] };
    expect(body.passages.length).toBeGreaterThan(0);
    await expect
      .poll(async () =>
        (
          await operation.locator('.live-responses-table tbody .response-col_status').first().innerText()
        ).trim(),
      )
      .toBe('200');
  });
});
