import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

/**
 * The widget in a real browser: Debian's Chromium driven by playwright-core, against the real server.
 * `.ci/run` installs Chromium on a fresh machine.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('chat widget in Chromium', () => {
  const port = 20_000 + (process.pid % 1000);
  const url = `http://127.0.0.1:${port}`;
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer(port, { ...TEST_INDEX_ENV, RATE_LIMIT_PER_MINUTE: '0' });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    page = await context.newPage();
    await page.goto(`${url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  const ask = async (question: string) => {
    const before = await page.locator('kz-qa .answer').count();
    await page.locator('kz-qa textarea').fill(question);
    await page.locator('kz-qa textarea').press('Enter');
    const answer = page.locator('kz-qa .answer').nth(before);
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    return answer;
  };

  it('answers a typed question with cited cards', async () => {
    const answer = await ask('What is political modernization?');
    const cards = answer.locator('.card');
    expect(await cards.count()).toBe(5);
    expect((await cards.first().locator('blockquote').innerText()).length).toBeGreaterThan(20);
    expect(await cards.first().locator('mark').count()).toBeGreaterThan(0);
    expect(await cards.first().locator('.cite strong').innerText()).toBe('Political Modernization');
  });

  it('sends the conversation with a follow-up question', async () => {
    await ask('What typology of modernization does M.V. Ilyin propose?');
    const followUp = await ask('Which countries does he place in the mixed category?');
    expect(await followUp.locator('.searched').innerText()).toContain('Ilyin');
  });

  it('says why an answer is rated low, and what a Kazakh question searched in English', async () => {
    const current = await ask("Who is the current chairman of Kazakhstan's Senate?");
    expect(await current.locator('.notice').innerText()).toMatch(/cannot say what is current/);
    expect(await current.locator('.card').count()).toBe(5);
    const kazakh = await ask('Хантингтон саяси модернизацияны қалай түсінеді?');
    expect(await kazakh.locator('.searched').innerText()).toContain('[English: huntington');
  });

  it('copies the quote with its citation', async () => {
    const card = page.locator('kz-qa .answer').last().locator('.card').first();
    const quote = await card.locator('blockquote').innerText();
    await card.getByRole('button', { name: 'Copy quote with citation' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.startsWith(`“${quote}”`)).toBe(true);
    expect(copied).toMatch(/characters \d+–\d+/);
  });

  it('shows the surrounding passages', async () => {
    const card = page.locator('kz-qa .answer').last().locator('.card').first();
    await card.getByRole('button', { name: 'Show context' }).click();
    await card.locator('.context').waitFor();
    expect(await card.locator('.context p').count()).toBeGreaterThanOrEqual(2);
    expect(await card.getByRole('button', { name: 'Hide context' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    await mkdir('.tmp/screenshots', { recursive: true });
    await page.screenshot({ path: '.tmp/screenshots/widget.png', fullPage: false });
  });

  it('shows the service error for a bad question', async () => {
    const answer = await ask('x'.repeat(2500));
    expect(await answer.getByRole('alert').innerText()).toMatch(/question/);
  });

  it('adds a floating widget to a third-party page from one script tag, usable on a narrow screen', async () => {
    const other = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await other.setContent(
      `<html><body><h1>Host page</h1><script src="${url}/widget.js" data-endpoint="${url}"></script></body></html>`,
    );
    const launcher = other.getByRole('button', { name: 'Ask the corpus' });
    await launcher.click();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    const box = await other.locator('kz-qa .panel').boundingBox();
    expect(box?.width).toBeLessThanOrEqual(375);
    await other.locator('kz-qa textarea').fill('How are akims elected?');
    await other.locator('kz-qa textarea').press('Enter');
    await other.locator('kz-qa .card').first().waitFor();
    await other.close();
  });

  it('serves a shareable passage page with the quote highlighted', async () => {
    const other = await browser.newPage();
    await other.goto(`${url}/passages/001-political-parties.p2?start=0&end=100000`);
    expect(await other.locator('#passage mark').count()).toBeGreaterThan(0);
    await other.close();
  });

  it('serves interactive API docs from the OpenAPI document', async () => {
    const other = await browser.newPage();
    await other.goto(`${url}/docs`);
    await other.getByText('/v1/ask').first().waitFor();
    await other.close();
  });
});
