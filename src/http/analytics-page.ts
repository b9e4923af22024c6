import { escapeHtml } from '../core/html.ts';
import type { AnalyticsReport, QuestionStats } from '../feedback/report.ts';
import { rankedBarChart, shareLineChart, stackedBarChart } from './charts.ts';
import { page } from './pages.ts';

/** `GET /admin/analytics` for a browser: the report as charts and tables, server-rendered, no script. */

const STYLE = `<style>
body{max-width:1040px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin:16px 0}
.card{border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.card b{display:block;font-size:26px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:20px}
section{min-width:0}
.chart{width:100%;height:auto;display:block}
.chart .tick line{stroke:var(--line)}.chart text{fill:var(--muted);font-size:15px}
.chart .rlabel{fill:var(--fg);font-size:17px}.chart .rvalue{fill:var(--fg)}
.chart .s1{fill:var(--c1)}.chart .s2{fill:var(--c2)}.chart .s3{fill:var(--c3)}.chart .s4{fill:var(--c4)}
.chart path.line{fill:none;stroke:var(--c2);stroke-width:2}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:14px;margin:4px 0;padding:0;list-style:none}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
.reasons{margin:4px 0 0;padding-left:18px;color:var(--muted)}
form.range{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
select,button{font:inherit;padding:4px 8px}
.links{display:flex;flex-wrap:wrap;gap:12px}
:root{--fg:#1b1f24;--muted:#5b636e;--line:#d8dde3;--c1:#0b5cad;--c2:#c0392b;--c3:#2e8540;--c4:#b7791f}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ed;--muted:#9aa4af;--line:#2c3238;--c1:#6cb0ff;--c2:#ff7b72;--c3:#56d364;--c4:#e3b341}}
</style>`;

const RANGES = [7, 30, 90, 365];

function legend(items: Array<[string, string]>): string {
  return `<ul class="legend">${items.map(([cls, name]) => `<li><i style="background:var(--${cls})"></i>${escapeHtml(name)}</li>`).join('')}</ul>`;
}

function questionTable(
  id: string,
  rows: readonly QuestionStats[],
  columns: 'asked' | 'unanswered' | 'disliked',
): string {
  if (rows.length === 0) return `<p class="muted" id="${id}">None in this period.</p>`;
  const head =
    columns === 'disliked'
      ? '<th>Question</th><th class="n">not helpful</th><th class="n">helpful</th><th class="n">asked</th>'
      : columns === 'unanswered'
        ? '<th>Question</th><th class="n">low</th><th class="n">asked</th>'
        : '<th>Question</th><th class="n">asked</th><th class="n">low</th><th class="n">helpful / not</th>';
  const body = rows
    .map((q) => {
      const question = `<td>${escapeHtml(q.question)}${
        columns === 'disliked' && q.reasons.length
          ? `<ul class="reasons">${q.reasons
              .slice(0, 3)
              .map((r) => `<li>${escapeHtml(r)}</li>`)
              .join('')}</ul>`
          : ''
      }</td>`;
      if (columns === 'disliked')
        return `<tr>${question}<td class="n">${q.down}</td><td class="n">${q.up}</td><td class="n">${q.count}</td></tr>`;
      if (columns === 'unanswered')
        return `<tr>${question}<td class="n">${q.low}</td><td class="n">${q.count}</td></tr>`;
      return `<tr>${question}<td class="n">${q.count}</td><td class="n">${q.low}</td><td class="n">${q.up} / ${q.down}</td></tr>`;
    })
    .join('');
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const percent = (share: number) => `${Math.round(share * 100)} %`;

export interface AnalyticsPageOptions {
  days: number;
  retentionDays: number;
}

export function analyticsPage(report: AnalyticsReport, options: AnalyticsPageOptions): string {
  const { totals, perDay } = report;
  const dates = perDay.map((d) => d.date);
  const short = (date: string) => date.slice(5);
  const rated = totals.up + totals.down;
  const ranges = [...new Set([...RANGES.filter((d) => d <= options.retentionDays), options.days])].sort(
    (a, b) => a - b,
  );
  const perDayChart = stackedBarChart(
    'per-day',
    'Questions per day',
    dates,
    [
      {
        name: 'answered with medium or high confidence',
        className: 's1',
        values: perDay.map((d) => d.questions - d.low),
      },
      { name: 'low confidence', className: 's2', values: perDay.map((d) => d.low) },
    ],
    short,
  );
  const lowChart = shareLineChart(
    'low-share',
    'Share of questions answered with low confidence',
    dates,
    perDay.map((d) => (d.questions ? d.low / d.questions : null)),
    short,
  );
  const feedbackChart = stackedBarChart(
    'feedback',
    'Feedback per day',
    dates,
    [
      { name: 'helpful', className: 's3', values: perDay.map((d) => d.up) },
      { name: 'not helpful', className: 's4', values: perDay.map((d) => d.down) },
    ],
    short,
  );
  const documentsChart = rankedBarChart(
    'documents',
    'Documents most cited (answers showing a passage of each)',
    report.topDocuments.map((d) => ({ label: d.title, value: d.answers })),
  );
  return page(
    'Analytics — Ask the corpus',
    `<h1>Analytics</h1>
<form class="range" method="get" action="/admin/analytics">
<label for="days">Period</label>
<select id="days" name="days">${ranges.map((d) => `<option value="${d}"${d === options.days ? ' selected' : ''}>last ${d} days</option>`).join('')}</select>
<button type="submit">Show</button>
<span class="muted">${escapeHtml(report.range.from.slice(0, 10))} – ${escapeHtml(report.range.to.slice(0, 10))} (UTC); questions are kept ${options.retentionDays} days.</span>
</form>
<div class="cards">
<div class="card" id="total-questions"><b>${totals.questions}</b>questions</div>
<div class="card" id="total-low"><b>${percent(totals.lowShare)}</b>answered with low confidence</div>
<div class="card" id="total-feedback"><b>${totals.up} / ${totals.down}</b>helpful / not helpful (${rated} rated)</div>
</div>
<div class="grid">
<section><h2>Questions per day</h2>${legend([
      ['c1', 'medium or high confidence'],
      ['c2', 'low confidence'],
    ])}${perDayChart}</section>
<section><h2>Low-confidence share</h2>${lowChart}</section>
<section><h2>Feedback per day</h2>${legend([
      ['c3', 'helpful'],
      ['c4', 'not helpful'],
    ])}${feedbackChart}</section>
<section><h2>Documents most cited</h2>${documentsChart}</section>
</div>
<h2>What the corpus seems to lack</h2>
<p class="muted">Questions most often answered with low confidence: topics to add documents about.</p>
${questionTable('unanswered', report.unanswered, 'unanswered')}
<h2>Answers readers disliked</h2>
${questionTable('disliked', report.disliked, 'disliked')}
<h2>Most-asked questions</h2>
${questionTable('top-questions', report.topQuestions, 'asked')}
<p class="links"><a href="/admin/analytics/export?format=csv&amp;days=${options.days}">Export CSV</a><a href="/admin/analytics?format=json&amp;days=${options.days}">JSON</a></p>
<form method="post" action="/admin/logout"><button type="submit">Sign out</button></form>`,
    STYLE,
  );
}

/** The sign-in form shown to a browser without a session; `error` after a wrong token. */
export function loginPage(next: string, error?: string): string {
  return page(
    'Sign in — Analytics',
    `<h1>Analytics</h1>
<p>Sign in with the service's admin token (<code>ADMIN_TOKEN</code>).</p>
${error ? `<p role="alert" style="color:#c62828">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/admin/login">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="token">Admin token</label><br>
<input id="token" name="token" type="password" autocomplete="current-password" required style="font:inherit;padding:6px 8px;width:min(100%,360px)">
<button type="submit" style="font:inherit;padding:6px 12px">Sign in</button>
</form>`,
  );
}
