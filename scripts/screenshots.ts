/**
 * Regenerates the screenshots in docs/: the floating widget at desktop (1280×860) and phone (390×844)
 * sizes in light and dark, and the analytics page. `npm run screenshots` (needs Chromium).
 *
 * The analytics page shows real answers: the questions of eval/*.jsonl are asked of the real index and
 * recorded as if spread over the last two weeks, with a sample of thumbs up/down, so the charts have
 * something to draw. Nothing is written outside a temporary folder except the PNGs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/core/config.ts';
import { resolveEmbeddingModel } from '../src/embed/resolve-model.node.ts';
import { recordAnswer } from '../src/feedback/recording.ts';
import { createSqliteFeedbackStore } from '../src/feedback/sqlite-store.node.ts';
import { openOrBuildIndex } from '../src/index/load-index.node.ts';
import { createQaService } from '../src/retrieve/engine.ts';

const TOKEN = 'screenshot-admin-token-0123456789';
const PORT = 23_000 + (process.pid % 1000);
const URL_BASE = `http://127.0.0.1:${PORT}`;
const DAY = 86_400_000;
const REASONS = [
  'The passage is about a different country',
  'I wanted numbers for 2022',
  'Too long to read on my phone',
  'Not about my question',
];

async function seed(dbPath: string): Promise<void> {
  // The model the server will answer with (installed first if missing, as `npm start` does).
  const { config, status } = await resolveEmbeddingModel(loadConfig(process.env), {
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const { index } = await openOrBuildIndex(config);
  const service = createQaService(index, { modelStatus: status });
  const store = createSqliteFeedbackStore(dbPath);
  const questions: string[] = [];
  const files = (await readdir('eval')).filter((f) => f.endsWith('.jsonl')).sort();
  for (const file of files) {
    for (const line of (await readFile(join('eval', file), 'utf8')).split('\n').filter(Boolean)) {
      const turns = (JSON.parse(line) as { turns: string[] }).turns;
      if (turns.length === 1 && turns[0]) questions.push(turns[0]);
    }
  }
  const now = Date.now();
  let n = 0;
  for (const [i, question] of questions.entries()) {
    // Popular questions come back on several days; the day of each ask is fixed by its position.
    const repeats = i % 9 === 0 ? 4 : i % 5 === 0 ? 2 : 1;
    for (let r = 0; r < repeats; r++) {
      const at = now - ((i * 7 + r * 3) % 14) * DAY - ((i * 37) % 600) * 60_000;
      const result = await service.ask({ question });
      const askId = await recordAnswer(store, question, result, { channel: 'web', now: () => at });
      if (!askId) continue;
      n++;
      if (result.confidence === 'low' && n % 2 === 0)
        await store.setFeedback({
          askId,
          rating: 'down',
          reason: REASONS[n % REASONS.length],
          at: at + 60_000,
        });
      else if (n % 3 === 0) await store.setFeedback({ askId, rating: 'up', at: at + 60_000 });
      else if (n % 11 === 0) await store.setFeedback({ askId, rating: 'down', at: at + 60_000 });
    }
  }
  await store.close();
  process.stdout.write(`seeded ${n} answers\n`);
}

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${URL_BASE}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start');
}

const hostPage = `<html lang="en"><head><meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:24px;max-width:720px}@media (prefers-color-scheme:dark){body{background:#0f1114;color:#d5d9de}}</style></head>
<body><h1>Course page: Politics of Kazakhstan</h1><p>Week 6 readings: political parties, local self-government and the «New Kazakhstan» reforms. Ask the corpus with the button below.</p>
<script src="${URL_BASE}/widget.js" data-endpoint="${URL_BASE}"></script></body></html>`;

async function ask(page: Page, question: string): Promise<void> {
  const before = await page.locator('kz-qa .answer').count();
  await page.locator('kz-qa textarea').fill(question);
  await page.locator('kz-qa textarea').press('Enter');
  await page.locator('kz-qa .answer').nth(before).and(page.locator('[aria-busy="false"]')).waitFor();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'screenshots-'));
  const db = join(dir, 'analytics.sqlite');
  await seed(db);
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    env: { ...process.env, PORT: String(PORT), ADMIN_TOKEN: TOKEN, ANALYTICS_DB: db, LOG_LEVEL: 'silent' },
    stdio: 'inherit',
  });
  try {
    await waitForServer();
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking'],
    });
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [name, viewport] of [
        ['desktop', { width: 1280, height: 860 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        const page = await browser.newPage({ viewport, colorScheme, reducedMotion: 'reduce' });
        // The course page as an embedding site's page (about:blank, as the widget's browser tests host it).
        // It used to be written over the service's own /healthz response, whose CSP (default-src 'none', as on
        // every JSON response now) forbids the page's style and script.
        await page.setContent(hostPage);
        await page.locator('kz-qa button.launcher').click();
        await ask(page, 'How are akims elected?');
        await ask(page, 'Which parties are represented in the Mazhilis?');
        await page.screenshot({ path: `docs/widget-${name}-${colorScheme}.png` });
        if (name === 'desktop' && colorScheme === 'light') {
          const feedback = page
            .locator('kz-qa .answer')
            .last()
            .getByRole('group', { name: 'Feedback on this answer' });
          await feedback.getByRole('button', { name: 'No', exact: true }).click();
          await feedback.getByRole('textbox').fill('I wanted the seats each party won');
          await feedback.screenshot({ path: 'docs/widget-feedback.png' });
        }
        await page.close();
      }
      const admin = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
      await admin.goto(`${URL_BASE}/admin/analytics?days=14`);
      await admin.getByLabel('Admin token').fill(TOKEN);
      await admin.getByRole('button', { name: 'Sign in' }).click();
      await admin.getByRole('heading', { name: 'Analytics' }).waitFor();
      await admin.screenshot({ path: `docs/analytics-${colorScheme}.png`, fullPage: true });
      await admin.close();
    }
    await browser.close();
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
