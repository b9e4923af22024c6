import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchChromium } from '../setup/browser.ts';
import { startServer, stopServer, testPort } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

const TOKEN = 'browser-admin-token-0123456789';

/** The pages in Chromium: demo page, passage page, and the analytics page fed by the widget's feedback. */
describeInBrowser('pages and analytics in Chromium', () => {
  const port = testPort();
  const url = `http://127.0.0.1:${port}`;
  let server: ChildProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer(port, { ...TEST_INDEX_ENV, RATE_LIMIT_PER_MINUTE: '0', ADMIN_TOKEN: TOKEN });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
  });

  /** Opens `path` and records every response of 400 or more while the page loads. */
  const load = async (path: string, viewport = { width: 1100, height: 900 }) => {
    const page = await browser.newPage({ viewport });
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${url}${path}`, { waitUntil: 'networkidle' });
    return { page, failed };
  };
  const overflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it('shows the embed snippet with this service’s origin, and loads without a single 404 (favicon included)', async () => {
    const { page, failed } = await load('/');
    expect(await page.locator('#snippet').innerText()).toBe(
      `<script src="${url}/widget.js" data-endpoint="${url}"></script>`,
    );
    expect(await page.content()).not.toContain('ORIGIN');
    const icon = await page.evaluate(async () => (await fetch('/favicon.ico')).headers.get('content-type'));
    expect(icon).toBe('image/svg+xml');
    expect(failed).toEqual([]);
    await page.close();
  });

  for (const path of ['/', '/passages/002-a3-party-field-reform.p5?start=0&end=100000', '/docs']) {
    it(`fits a 320 px wide screen without sideways scrolling: ${path.split('?')[0]}`, async () => {
      const { page, failed } = await load(path, { width: 320, height: 640 });
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      expect(failed).toEqual([]);
      await page.close();
    });
  }

  it('shows a passage page with its neighbours, each sentence once, and its citation', async () => {
    const here = await (await fetch(`${url}/v1/passages/000-political-modernization.p4`)).json();
    const previous = await (await fetch(`${url}/v1/passages/${here.previousId}`)).json();
    const shared = previous.passage.sentences
      .filter((s: { end: number }) => s.end > here.passage.start)
      .map((s: { text: string }) => s.text);
    expect(shared.length).toBeGreaterThan(0);
    const { page } = await load('/passages/000-political-modernization.p4');
    expect(await page.locator('p.around').count()).toBe(2);
    const shown = (await page.locator('#passage, p.around').allInnerTexts()).join('\n');
    for (const sentence of shared) expect(shown.split(sentence).length - 1).toBe(1);
    expect(await page.locator('#citation').innerText()).toMatch(
      /^“.+” — Political Modernization \[Lecture\]\. \(n\.d\.\)\. (§ [^\n]+, characters|Characters) \d+–\d+ of 000_996ce0ae6558f8c9\.txt\.$/s,
    );
    await page.close();
  });

  it('carries a reader’s thumbs down and reason from the widget to the analytics page', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${url}/`);
    const question = 'Which article discusses territory and nation-building?';
    await page.locator('kz-qa textarea').fill(question);
    await page.locator('kz-qa textarea').press('Enter');
    const answer = page.locator('kz-qa .answer').first();
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    const feedback = answer.getByRole('group', { name: 'Feedback on this answer' });
    await feedback.getByRole('button', { name: 'No', exact: true }).click();
    await feedback.getByText('Thank you for the feedback.').waitFor();
    expect(await feedback.getByRole('button', { name: 'No', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await feedback.getByRole('textbox', { name: 'Reason (optional)' }).fill('I wanted the page numbers');
    await feedback.getByRole('button', { name: 'Send' }).click();
    await feedback.getByText('Thank you — your comment was sent to the site owner.').waitFor();
    // A second reader is happy with another answer.
    await page.locator('kz-qa textarea').fill('How are akims elected?');
    await page.locator('kz-qa textarea').press('Enter');
    const second = page.locator('kz-qa .answer').nth(1);
    await second.and(page.locator('[aria-busy="false"]')).waitFor();
    await second.getByRole('button', { name: 'Yes', exact: true }).click();
    await second.getByText('Thank you for the feedback.').waitFor();

    // The site owner signs in with the admin token and sees both.
    await page.goto(`${url}/admin/analytics?days=7`);
    await page.getByLabel('Admin token').fill('not the token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Analytics' }).waitFor();
    expect(page.url()).toBe(`${url}/admin/analytics?days=7`);
    const disliked = page.locator('#disliked');
    expect(await disliked.innerText()).toContain(question);
    expect(await disliked.innerText()).toContain('I wanted the page numbers');
    expect(await page.locator('#total-questions b').innerText()).toBe('2');
    expect(await page.locator('#total-feedback b').innerText()).toBe('1 / 1');
    // Charts rendered with the data: a bar for today's questions, the documents cited, a feedback stack.
    expect(await page.locator('svg[aria-labelledby^="per-day"] rect').count()).toBeGreaterThan(0);
    expect(await page.locator('svg[aria-labelledby^="feedback"] rect').count()).toBe(2);
    expect(await page.locator('svg[aria-labelledby^="documents"] rect').count()).toBeGreaterThan(0);
    expect(await page.locator('svg[aria-labelledby^="per-day"] title').first().innerHTML()).toBe(
      'Questions per day',
    );
    // The CSV export downloads the same rows.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = await (await download.createReadStream()).toArray();
    expect(Buffer.concat(csv).toString('utf8')).toContain('I wanted the page numbers');
    // Narrow screens get the same page without sideways scrolling.
    await page.setViewportSize({ width: 320, height: 640 });
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    await context.close();
  });
});
