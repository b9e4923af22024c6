import type { PassageContext } from '../retrieve/types.ts';

/** Server-rendered HTML: the demo page, a shareable passage page, and the API docs page. */

export interface StaticAssets {
  widget: string;
  swaggerCss: string;
  swaggerBundle: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const BASE_STYLE = `body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:880px;margin:0 auto;padding:24px;color:#1b1f24;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6e9ed;background:#15181c}a{color:#6cb0ff}.muted{color:#9aa4af!important}mark{background:#6b5a12;color:inherit}}
.muted{color:#5b636e}mark{background:#ffe58a}code{font-size:14px}kz-qa{display:block;height:70vh}`;

function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${BASE_STYLE}</style>${head}</head><body>${body}</body></html>`;
}

/** `GET /`: the widget over the shipped corpus, with the embedding snippet. */
export function demoPage(documentCount: number, passageCount: number): string {
  return page(
    'Ask the corpus',
    `<h1>Ask the corpus</h1>
<p class="muted">${documentCount} documents, ${passageCount} passages. Every answer is verbatim text from the documents, with its source.</p>
<kz-qa title="Ask the corpus"></kz-qa>
<h2>Embed it</h2>
<p>Add one line to any page (a floating button appears; put a <code>&lt;kz-qa&gt;&lt;/kz-qa&gt;</code> element where you want it inline):</p>
<pre><code>&lt;script src="ORIGIN/widget.js" data-endpoint="ORIGIN"&gt;&lt;/script&gt;</code></pre>
<p class="muted"><a href="/docs">API documentation</a> · <a href="/openapi.json">OpenAPI</a></p>
<script src="/widget.js" data-endpoint=""></script>`,
  );
}

/** `GET /passages/:id`: a passage in its document context, the quoted sentences highlighted. */
export function passagePage(
  context: PassageContext,
  neighbours: { previous?: string; next?: string },
  highlight?: { start: number; end: number },
  /** `[start, end)` of the stored source text, verbatim: what the citation offsets point at. */
  stored?: string,
): string {
  const { passage, document } = context;
  const sentences = passage.sentences
    .map((s) => {
      const text = escapeHtml(s.text);
      const hit = highlight && s.start < highlight.end && s.end > highlight.start;
      return hit ? `<mark>${text}</mark>` : text;
    })
    .join(' ');
  const nav = [
    context.previousId ? `<a href="/passages/${encodeURIComponent(context.previousId)}">← previous</a>` : '',
    context.nextId ? `<a href="/passages/${encodeURIComponent(context.nextId)}">next →</a>` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return page(
    `${document.title} — ${passage.id}`,
    `<p class="muted">${escapeHtml(document.collection ?? '')}</p>
<h1>${escapeHtml(document.title)}</h1>
<p class="muted">${escapeHtml(document.authors.join(', '))}${passage.section.length ? ` · ${escapeHtml(passage.section.join(' › '))}` : ''}</p>
${neighbours.previous ? `<p class="muted">${escapeHtml(neighbours.previous)}</p>` : ''}
<p id="passage">${sentences}</p>
${neighbours.next ? `<p class="muted">${escapeHtml(neighbours.next)}</p>` : ''}
<p class="muted">Source: <code>${escapeHtml(passage.source)}</code>${passage.pages ? `, ${passage.pages[0] === passage.pages[1] ? `p. ${escapeHtml(passage.pages[0])}` : `pp. ${escapeHtml(passage.pages[0])}–${escapeHtml(passage.pages[1])}`}` : ''}, characters ${passage.start}–${passage.end} of the <a href="/v1/documents/${encodeURIComponent(document.id)}/text">stored text</a> · passage <code>${escapeHtml(passage.id)}</code></p>
${stored !== undefined ? `<details><summary>Stored text at these offsets</summary><pre id="stored">${escapeHtml(stored)}</pre></details>` : ''}
<p>${nav}</p>`,
  );
}

/** `GET /docs`: Swagger UI over /openapi.json, served from this service (works offline). */
export function docsPage(): string {
  return page(
    'API documentation',
    '<div id="swagger"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script>',
    '<link rel="stylesheet" href="/docs/swagger-ui.css">',
  );
}

export const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger', deepLinking: true });`;
