import { textOutside } from '../core/context.ts';
import { escapeHtml } from '../core/html.ts';
import type { Passage } from '../core/types.ts';
import { citePassage, formatPageSpan, formatQuotation, quotedText } from '../retrieve/citation.ts';
import type { PassageContext } from '../retrieve/types.ts';

/** Server-rendered HTML: the demo page, a shareable passage page, and the API docs page. */

export interface StaticAssets {
  widget: string;
  swaggerCss: string;
  swaggerBundle: string;
}

export { escapeHtml };

const BASE_STYLE = `*{box-sizing:border-box}body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:880px;margin:0 auto;padding:24px 16px;color:#1b1f24;background:#fff;overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){body{color:#e6e9ed;background:#15181c}a{color:#6cb0ff}.muted{color:#9aa4af!important}mark{background:#6b5a12;color:inherit}pre{background:#1d2126!important;border-color:#2c3238!important}}
.muted{color:#5b636e}mark{background:#ffe58a}code{font-size:14px}kz-qa{display:block;height:70vh}
pre{background:#f6f8fa;border:1px solid #d8dde3;border-radius:8px;padding:10px 12px;white-space:pre-wrap;word-break:break-all;max-width:100%}
h1{line-height:1.2;font-size:clamp(24px,6vw,32px)}`;

/** The site icon: a speech bubble with a quotation mark, served as SVG at /favicon.svg and /favicon.ico. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="3" width="28" height="22" rx="6" fill="#0b5cad"/><path d="M9 25v5l6-5z" fill="#0b5cad"/><text x="16" y="22" font-family="Georgia,serif" font-size="20" font-weight="700" fill="#fff" text-anchor="middle">“</text></svg>`;

/** A complete HTML page with the shared styles and the site icon. */
export function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><style>${BASE_STYLE}</style>${head}</head><body>${body}</body></html>`;
}

/** `GET /`: the widget over the shipped corpus, with the embedding snippet for this service's origin. */
export function demoPage(documentCount: number, passageCount: number, origin: string): string {
  const snippet = `<script src="${origin}/widget.js" data-endpoint="${origin}"></script>`;
  return page(
    'Ask the corpus',
    `<h1>Ask the corpus</h1>
<p class="muted">${documentCount} documents, ${passageCount} passages. Every answer is verbatim text from the documents, with its source.</p>
<kz-qa title="Ask the corpus"></kz-qa>
<h2>Embed it</h2>
<p>Add one line to any page (a floating button appears; put a <code>&lt;kz-qa&gt;&lt;/kz-qa&gt;</code> element where you want it inline):</p>
<pre id="snippet"><code>${escapeHtml(snippet)}</code></pre>
<p class="muted"><a href="/docs">API documentation</a> · <a href="/openapi.json">OpenAPI</a></p>
<script src="/widget.js" data-endpoint=""></script>`,
  );
}

/**
 * `GET /passages/:id`: a passage in its document context, the quoted sentences highlighted, the
 * neighbours without the sentence they share with it, and the citation to paste.
 */
export function passagePage(
  context: PassageContext,
  neighbours: { previous?: Passage; next?: Passage },
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
  const around = (neighbour?: Passage) => {
    const text = neighbour ? textOutside(neighbour.sentences, passage) : '';
    return text ? `<p class="muted around">${escapeHtml(text)}</p>` : '';
  };
  const nav = [
    context.previousId ? `<a href="/passages/${encodeURIComponent(context.previousId)}">← previous</a>` : '',
    context.nextId ? `<a href="/passages/${encodeURIComponent(context.nextId)}">next →</a>` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const quoted = highlight ?? passage;
  const citation = citePassage(passage, document);
  const cite = `/v1/passages/${encodeURIComponent(passage.id)}/cite?start=${quoted.start}&end=${quoted.end}`;
  return page(
    `${document.title} — ${passage.id}`,
    `<p class="muted">${escapeHtml(document.collection ?? '')}</p>
<h1>${escapeHtml(document.title)}</h1>
<p class="muted">${escapeHtml(document.authors.join(', '))}${passage.section.length ? ` · ${escapeHtml(passage.section.join(' › '))}` : ''}</p>
${around(neighbours.previous)}
<p id="passage">${sentences}</p>
${around(neighbours.next)}
<h2>Cite</h2>
<pre id="citation">${escapeHtml(formatQuotation({ text: quotedText(passage, quoted), start: quoted.start, end: quoted.end }, citation))}</pre>
<p class="muted">Also as <a href="${escapeHtml(`${cite}&style=apa`)}">APA</a> · <a href="${escapeHtml(`${cite}&style=bibtex`)}">BibTeX</a> · <a href="${escapeHtml(cite)}">all styles (JSON)</a>. Passage <code>${escapeHtml(passage.id)}</code>, characters ${passage.start}–${passage.end} of the <a href="/v1/documents/${encodeURIComponent(document.id)}/text">stored text</a> of <code>${escapeHtml(passage.source)}</code>${passage.pages ? `, ${escapeHtml(formatPageSpan(passage.pages))}` : ''}.</p>
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
