import type { ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchChromium } from '../setup/browser.ts';
import { startServer, stopServer, testPort } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

/**
 * The widget in a real browser: Debian's Chromium driven by playwright-core, against the real server.
 * Without Chromium the suite is reported skipped with the install command (and fails in CI).
 */

interface PassageJson {
  passage: {
    id: string;
    start: number;
    end: number;
    sentences: Array<{ text: string; start: number; end: number }>;
  };
  previousId: string | null;
  nextId: string | null;
}

/** A host page that adds the floating widget with the one-line snippet. */
const hostPage = (url: string) =>
  `<html><head><meta name="viewport" content="width=device-width,initial-scale=1"></head><body><h1>Host page</h1><p>Some text.</p><script src="${url}/widget.js" data-endpoint="${url}"></script></body></html>`;

/** The class (or tag) of the focused element inside the widget's shadow root. */
const focusedInWidget = (page: Page) =>
  page.evaluate(() => {
    const active = document.querySelector('kz-qa')?.shadowRoot?.activeElement;
    return active ? active.className || active.tagName : null;
  });

describeInBrowser('chat widget in Chromium', () => {
  const port = testPort();
  const url = `http://127.0.0.1:${port}`;
  let server: ChildProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer(port, { ...TEST_INDEX_ENV, RATE_LIMIT_PER_MINUTE: '0' });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    page = await context.newPage();
    await page.goto(`${url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
  });

  const askOn = async (on: Page, question: string) => {
    const before = await on.locator('kz-qa .answer').count();
    await on.locator('kz-qa textarea').fill(question);
    await on.locator('kz-qa textarea').press('Enter');
    const answer = on.locator('kz-qa .answer').nth(before);
    await answer.and(on.locator('[aria-busy="false"]')).waitFor();
    return answer;
  };
  const ask = (question: string) => askOn(page, question);

  /** Whether the first card of the newest answer is inside the conversation's visible area. */
  const newestCardVisible = (on: Page) =>
    on.evaluate(() => {
      const root = document.querySelector('kz-qa')?.shadowRoot;
      const log = root?.querySelector('.log')?.getBoundingClientRect();
      const card = Array.from(root?.querySelectorAll('.answer') ?? [])
        .at(-1)
        ?.querySelector('.card');
      const box = card?.getBoundingClientRect();
      return !!log && !!box && box.top >= log.top - 1 && box.top < log.bottom - 20;
    });

  it('answers a typed question with cited cards and the reference in APA order', async () => {
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

  it('brings each new answer into view, not just its question', async () => {
    for (const question of ['How are akims elected?', 'What is the role of maslikhats?']) {
      await ask(question);
      await expect.poll(() => newestCardVisible(page), { timeout: 5000 }).toBe(true);
      const bubble = page.locator('kz-qa .question').last();
      expect(await bubble.isVisible()).toBe(true);
    }
  });

  it('jumps to a new answer under reduced motion, and scrolls smoothly otherwise', async () => {
    /** Whether the newest card is visible at the moment the answer is rendered (before any animation). */
    const visibleWhenRendered = async (on: Page, question: string) => {
      await on.evaluate(() => {
        const root = document.querySelector('kz-qa')?.shadowRoot as ShadowRoot;
        const log = root.querySelector('.log') as HTMLElement;
        const seen = window as unknown as { seen?: boolean };
        seen.seen = undefined;
        const observer = new MutationObserver(() => {
          const last = Array.from(root.querySelectorAll('.answer')).at(-1);
          if (last?.getAttribute('aria-busy') !== 'false') return;
          observer.disconnect();
          const box = last.querySelector('.card')?.getBoundingClientRect();
          const view = log.getBoundingClientRect();
          seen.seen = !!box && box.top >= view.top - 1 && box.top < view.bottom;
        });
        observer.observe(log, { attributes: true, subtree: true, attributeFilter: ['aria-busy'] });
      });
      await askOn(on, question);
      return on.evaluate(() => (window as unknown as { seen?: boolean }).seen);
    };
    const reduced = await browser.newPage({
      viewport: { width: 1100, height: 900 },
      reducedMotion: 'reduce',
    });
    await reduced.goto(`${url}/`);
    await askOn(reduced, 'What is political modernization?');
    await askOn(reduced, 'How are akims elected?');
    expect(await visibleWhenRendered(reduced, 'What is the role of maslikhats?')).toBe(true);
    await reduced.close();
    // With motion allowed the same jump is animated: not there at render time, there shortly after.
    expect(await visibleWhenRendered(page, 'Who is Nechaeva?')).toBe(false);
    await expect.poll(() => newestCardVisible(page), { timeout: 5000 }).toBe(true);
  });

  it('says why an answer is rated low in the reader’s words, and what a Kazakh question searched in English', async () => {
    const current = await ask("Who is the current chairman of Kazakhstan's Senate?");
    expect(await current.locator('.notice').innerText()).toMatch(/cannot say what is current/);
    expect(await current.locator('.card').count()).toBe(5);
    const names = await ask('Did the Mazhilis debate the transport of Almaty?');
    const notice = await names.locator('.notice').innerText();
    expect(notice).toContain('do not mention Mazhilis, Almaty');
    expect(notice).not.toMatch(/\bmazhili\b|\balmati\b/);
    const budget = await ask('Did the Mazhilis approve the budget of Almaty?');
    expect(await budget.locator('.notice').innerText()).toContain('give no amount of money');
    const kazakh = await ask('Хантингтон саяси модернизацияны қалай түсінеді?');
    expect(await kazakh.locator('.searched').innerText()).toContain('[English: huntington');
  });

  it('copies the quote with its citation in the chosen style, with the quote’s own offsets', async () => {
    const answer = await ask('What role do political parties play in reform?');
    const card = answer.locator('.card').first();
    const quote = await card.locator('blockquote').innerText();
    const href = (await card.getByRole('link', { name: 'Open' }).getAttribute('href')) ?? '';
    const { searchParams } = new URL(href, url);
    const [start, end] = [searchParams.get('start'), searchParams.get('end')];
    const copy = async (style: string) => {
      await card.getByRole('combobox', { name: 'Citation style' }).selectOption(style);
      await card.getByRole('button', { name: 'Copy quote with citation' }).click();
      await card.getByRole('button', { name: 'Copied' }).waitFor();
      return page.evaluate(() => navigator.clipboard.readText());
    };
    const plain = await copy('plain');
    expect(plain.startsWith(`“${quote}” — `)).toBe(true);
    expect(plain).toContain(`characters ${start}–${end} of `);
    expect(plain).not.toMatch(/\.\.|\.\s*\./);
    expect(plain).toMatch(/\((2022|n\.d\.)\)\./);
    const apa = await copy('apa');
    expect(apa.startsWith(`“${quote}” (`)).toBe(true);
    expect(apa).toMatch(/\n\n.+\((2022|n\.d\.)\)\. /);
    const bibtex = await copy('bibtex');
    expect(bibtex).toMatch(/^% “[\s\S]+\n@(article|misc)\{[a-z0-9]+,\n/);
    expect(bibtex).toContain(`characters ${start}--${end} of `);
    // The choice applies to every card and survives a reload.
    expect(await answer.locator('.card').nth(1).getByRole('combobox').inputValue()).toBe('bibtex');
    const fresh = await context.newPage();
    await fresh.goto(`${url}/`);
    await askOn(fresh, 'How are akims elected?');
    expect(await fresh.locator('kz-qa select.style').first().inputValue()).toBe('bibtex');
    await fresh.close();
  });

  it('shows the surrounding passages without repeating the sentence they share', async () => {
    const answer = await ask('What stages of political modernization are there?');
    const cards = answer.locator('.card');
    let checked = 0;
    for (let i = 0; i < (await cards.count()); i++) {
      const card = cards.nth(i);
      const href = (await card.getByRole('link', { name: 'Open' }).getAttribute('href')) ?? '';
      const id = decodeURIComponent(new URL(href, url).pathname.split('/').at(-1) ?? '');
      const here = (await (await fetch(`${url}/v1/passages/${id}`)).json()) as PassageJson;
      const neighbours = await Promise.all(
        [here.previousId, here.nextId]
          .filter((n): n is string => !!n)
          .map(async (n) => ((await (await fetch(`${url}/v1/passages/${n}`)).json()) as PassageJson).passage),
      );
      // Sentences a neighbour shares with this passage (the chunker's one-sentence overlap).
      const shared = neighbours.flatMap((n) =>
        n.sentences
          .filter((s) => s.start < here.passage.end && s.end > here.passage.start)
          .map((s) => s.text),
      );
      if (shared.length === 0) continue;
      await card.getByRole('button', { name: 'Show context' }).click();
      await card.locator('.context').waitFor();
      const text = await card.locator('.context').innerText();
      for (const sentence of shared) expect(text.split(sentence).length - 1).toBe(1);
      expect(await card.getByRole('button', { name: 'Hide context' }).getAttribute('aria-expanded')).toBe(
        'true',
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('shows the service error for a bad question', async () => {
    const answer = await ask('x'.repeat(2500));
    expect(await answer.getByRole('alert').innerText()).toMatch(/question/);
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 768, height: 1024 },
    { width: 390, height: 844 },
    { width: 320, height: 640 },
  ]) {
    it(`closes the floating widget with its button and with Escape at ${viewport.width}×${viewport.height}, focus back on the launcher`, async () => {
      const other = await browser.newPage({ viewport });
      await other.setContent(hostPage(url));
      // By class: while the panel covers a phone screen the launcher is hidden, out of the accessibility tree.
      const launcher = other.locator('kz-qa button.launcher');
      expect(await launcher.innerText()).toBe('Ask the corpus');
      const panel = other.locator('kz-qa .panel');
      const inViewport = async (box: { x: number; y: number; width: number; height: number } | null) =>
        !!box &&
        box.x >= 0 &&
        box.y >= 0 &&
        box.x + box.width <= viewport.width + 0.5 &&
        box.y + box.height <= viewport.height + 0.5;

      await launcher.click();
      expect(await launcher.getAttribute('aria-expanded')).toBe('true');
      expect(await inViewport(await panel.boundingBox())).toBe(true);
      const close = other.getByRole('button', { name: 'Close' });
      expect(await inViewport(await close.boundingBox())).toBe(true);
      if (viewport.width <= 480) {
        // On a phone the panel takes the whole screen; the launcher hides rather than sit under it.
        expect(await panel.boundingBox()).toEqual({ x: 0, y: 0, ...viewport });
        expect(await launcher.isVisible()).toBe(false);
      } else {
        const l = await launcher.boundingBox();
        const p = await panel.boundingBox();
        expect(l && p && l.y >= p.y + p.height).toBe(true);
      }
      await close.click();
      expect(await panel.isVisible()).toBe(false);
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');
      expect(await focusedInWidget(other)).toBe('launcher');

      await other.keyboard.press('Enter');
      expect(await panel.isVisible()).toBe(true);
      expect(await focusedInWidget(other)).toBe('TEXTAREA');
      await other.locator('kz-qa textarea').fill('How are akims elected?');
      await other.locator('kz-qa textarea').press('Enter');
      await other.locator('kz-qa .card').first().waitFor();
      await other.locator('kz-qa .card').first().getByRole('button', { name: 'Show context' }).focus();
      await other.keyboard.press('Escape');
      expect(await panel.isVisible()).toBe(false);
      expect(await focusedInWidget(other)).toBe('launcher');
      expect(await other.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
      await other.close();
    });
  }

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
