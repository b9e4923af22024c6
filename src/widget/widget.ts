/**
 * The chat widget: a `<kz-qa>` web component in a shadow root, bundled into /widget.js.
 * One script tag adds it to any page:
 *   <script src="https://HOST/widget.js" data-endpoint="https://HOST"></script>
 * If the page has a <kz-qa> element the widget renders inline there; otherwise a floating launcher appears.
 */

import { lowConfidenceNote } from '../retrieve/confidence.ts';
import type { AskResult, PassageContext, RankedPassage } from '../retrieve/types.ts';

type Passage = RankedPassage;
type Answer = AskResult;

const STYLE = `
:host { --bg:#fff; --fg:#1b1f24; --muted:#5b636e; --line:#d8dde3; --accent:#0b5cad; --card:#f6f8fa; --mark:#ffe58a; --warn:#8a5a00; --warnbg:#fff6dd;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
@media (prefers-color-scheme: dark) { :host { --bg:#15181c; --fg:#e6e9ed; --muted:#9aa4af; --line:#2c3238; --accent:#6cb0ff; --card:#1d2126; --mark:#6b5a12; --warn:#ffd27a; --warnbg:#3a2f12; } }
* { box-sizing: border-box; }
.panel { background: var(--bg); border: 1px solid var(--line); border-radius: 12px; display: flex; flex-direction: column; height: 100%; min-height: 420px; max-height: 80vh; }
:host([data-mode="floating"]) .panel { position: fixed; right: 20px; bottom: 84px; width: min(440px, calc(100vw - 24px)); box-shadow: 0 8px 30px rgba(0,0,0,.25); z-index: 2147483000; }
:host([data-mode="floating"]) .panel[hidden] { display: none; }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 28px; padding: 14px 20px; background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; border-bottom: 1px solid var(--line); }
h2 { font-size: 16px; margin: 0; }
.log { flex: 1; overflow-y: auto; padding: 12px 14px; display: flex; flex-direction: column; gap: 12px; }
.question { align-self: flex-end; background: var(--accent); color: #fff; padding: 8px 12px; border-radius: 12px 12px 2px 12px; max-width: 85%; white-space: pre-wrap; }
.searched { color: var(--muted); font-size: 13px; margin: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
blockquote { margin: 0 0 6px; padding-left: 10px; border-left: 3px solid var(--accent); }
mark { background: var(--mark); color: inherit; border-radius: 2px; }
.cite { margin: 0; color: var(--muted); font-size: 13px; }
.cite strong { color: var(--fg); font-weight: 600; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
button.small, a.small { font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; text-decoration: none; }
button:focus-visible, a:focus-visible, textarea:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.context { margin-top: 8px; font-size: 14px; }
.context p { margin: 6px 0; }
.context .around { color: var(--muted); }
.notice { background: var(--warnbg); color: var(--warn); padding: 8px 10px; border-radius: 8px; margin: 0; }
.error { color: #c62828; margin: 0; }
.loading { color: var(--muted); margin: 0; }
form { display: flex; gap: 8px; padding: 10px 14px; border-top: 1px solid var(--line); }
textarea { flex: 1; resize: none; font: inherit; padding: 8px 10px; border-radius: 8px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
button.ask { border: 0; border-radius: 8px; padding: 0 16px; background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
button[disabled] { opacity: .6; cursor: progress; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 480px) { :host([data-mode="floating"]) .panel { right: 0; left: 0; bottom: 0; width: 100vw; max-height: 100vh; border-radius: 0; } }
`;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The quote as text nodes with <mark> around the matched query terms (never innerHTML: no injection). */
function markedQuote(quote: RankedPassage['quote']): HTMLElement {
  const block = el('blockquote');
  let at = 0;
  for (const m of [...quote.marks].sort((a, b) => a.start - b.start)) {
    if (m.start < at) continue;
    block.append(quote.text.slice(at, m.start), el('mark', {}, quote.text.slice(m.start, m.end)));
    at = m.end;
  }
  block.append(quote.text.slice(at));
  return block;
}

/** A quotation ready to paste: the quote, then a reference precise to the character. */
export function formatQuotation(p: Passage): string {
  const where = `${p.citation.source}, characters ${p.citation.start}–${p.citation.end}`;
  return `“${p.quote.text}” — ${p.citation.label}. (${where})`;
}

class KzQa extends HTMLElement {
  #root = this.attachShadow({ mode: 'open' });
  #log!: HTMLElement;
  #input!: HTMLTextAreaElement;
  #button!: HTMLButtonElement;
  #status!: HTMLElement;
  #history: string[] = [];

  get endpoint(): string {
    return (this.getAttribute('endpoint') ?? '').replace(/\/$/, '');
  }

  connectedCallback(): void {
    if (this.#log) return;
    const style = el('style');
    style.textContent = STYLE;
    const panel = el('section', {
      class: 'panel',
      role: 'region',
      'aria-label': this.getAttribute('title') ?? 'Ask the corpus',
    });
    const header = el('header');
    header.append(el('h2', {}, this.getAttribute('title') ?? 'Ask the corpus'));
    const reset = el('button', { class: 'small', type: 'button' }, 'New conversation');
    reset.addEventListener('click', () => this.reset());
    header.append(reset);
    this.#log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
    this.#status = el('p', { class: 'sr', role: 'status', 'aria-live': 'polite' });
    const form = el('form');
    const label = el('label', { for: 'q', class: 'sr' }, 'Your question');
    this.#input = el('textarea', {
      id: 'q',
      rows: '2',
      placeholder: this.getAttribute('placeholder') ?? 'Ask a question about the documents…',
    });
    this.#button = el('button', { type: 'submit', class: 'ask' }, 'Ask');
    this.#input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.ask(this.#input.value);
    });
    form.append(label, this.#input, this.#button);
    panel.append(header, this.#log, this.#status, form);
    this.#root.append(style);
    if (this.dataset.mode === 'floating') {
      panel.hidden = true;
      const launcher = el(
        'button',
        { class: 'launcher', type: 'button', 'aria-expanded': 'false' },
        'Ask the corpus',
      );
      launcher.addEventListener('click', () => {
        panel.hidden = !panel.hidden;
        launcher.setAttribute('aria-expanded', String(!panel.hidden));
        if (!panel.hidden) this.#input.focus();
      });
      this.#root.append(launcher);
    }
    this.#root.append(panel);
  }

  reset(): void {
    this.#history = [];
    this.#log.replaceChildren();
    this.#input.focus();
  }

  async #fetchJson<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await fetch(`${this.endpoint}${path}`, init);
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!res.ok) throw new Error(body.error?.message ?? `The service answered ${res.status}`);
    return body as T;
  }

  async ask(text: string): Promise<void> {
    const question = text.trim();
    if (!question || this.#button.disabled) return;
    this.#input.value = '';
    this.#log.append(el('p', { class: 'question' }, question));
    const answer = el('div', { class: 'answer', 'aria-busy': 'true' });
    const loading = el('p', { class: 'loading' }, 'Searching the documents…');
    answer.append(loading);
    this.#log.append(answer);
    this.#button.disabled = true;
    this.#status.textContent = 'Searching…';
    answer.scrollIntoView({ block: 'end' });
    try {
      const history = this.#history.slice(-10).map((content) => ({ role: 'user', content }));
      const result = await this.#fetchJson<Answer>('/v1/ask', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question, history, topK: 5 }),
      });
      this.#history.push(question);
      loading.remove();
      this.#renderAnswer(answer, result);
      this.#status.textContent = `${result.passages.length} passages found`;
    } catch (error) {
      loading.remove();
      answer.append(
        el('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
      );
      this.#status.textContent = 'The search failed';
    } finally {
      answer.setAttribute('aria-busy', 'false');
      this.#button.disabled = false;
      this.#input.focus();
    }
  }

  #renderAnswer(container: HTMLElement, result: Answer): void {
    // Say what was searched when it is more than the question: earlier turns, English words of a Cyrillic one.
    if (result.query.usedHistory || result.query.text.includes(' [English: '))
      container.append(el('p', { class: 'searched' }, `Searched: ${result.query.text}`));
    if (result.confidence === 'low')
      container.append(el('p', { class: 'notice' }, lowConfidenceNote(result.signals)));
    if (result.passages.length === 0) container.append(el('p', { class: 'notice' }, 'No passage found.'));
    for (const p of result.passages) container.append(this.#card(p));
  }

  #card(p: Passage): HTMLElement {
    const card = el('article', { class: 'card', 'aria-label': `Passage ${p.rank}` });
    card.append(markedQuote(p.quote));
    const cite = el('p', { class: 'cite' });
    cite.append(el('strong', {}, p.citation.title));
    const details = [p.citation.authors.join(', '), p.citation.section].filter(Boolean).join(' · ');
    if (details) cite.append(` — ${details}`);
    card.append(cite);
    const actions = el('div', { class: 'actions' });
    const context = el(
      'button',
      { class: 'small', type: 'button', 'aria-expanded': 'false' },
      'Show context',
    );
    const copy = el('button', { class: 'small', type: 'button' }, 'Copy quote with citation');
    const link = el(
      'a',
      {
        class: 'small',
        href: `${this.endpoint}/passages/${encodeURIComponent(p.id)}?start=${p.quote.start}&end=${p.quote.end}`,
        target: '_blank',
        rel: 'noopener',
      },
      'Open',
    );
    context.addEventListener('click', () => void this.#toggleContext(card, context, p));
    copy.addEventListener('click', () => void this.#copy(copy, p));
    actions.append(context, copy, link);
    card.append(actions);
    return card;
  }

  async #toggleContext(card: HTMLElement, button: HTMLButtonElement, p: Passage): Promise<void> {
    const open = card.querySelector('.context');
    if (open) {
      open.remove();
      button.setAttribute('aria-expanded', 'false');
      button.textContent = 'Show context';
      return;
    }
    button.disabled = true;
    try {
      const here = await this.#fetchJson<PassageContext>(`/v1/passages/${encodeURIComponent(p.id)}`);
      const around = await Promise.all(
        [here.previousId, here.nextId].map((id) =>
          id ? this.#fetchJson<PassageContext>(`/v1/passages/${encodeURIComponent(id)}`) : null,
        ),
      );
      const box = el('div', { class: 'context', role: 'group', 'aria-label': 'Surrounding text' });
      if (around[0]) box.append(el('p', { class: 'around' }, around[0].passage.text));
      box.append(el('p', {}, here.passage.text));
      if (around[1]) box.append(el('p', { class: 'around' }, around[1].passage.text));
      card.append(box);
      button.setAttribute('aria-expanded', 'true');
      button.textContent = 'Hide context';
    } catch (error) {
      card.append(
        el('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
      );
    } finally {
      button.disabled = false;
    }
  }

  async #copy(button: HTMLButtonElement, p: Passage): Promise<void> {
    const text = formatQuotation(p);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = el('textarea');
      area.value = text;
      this.#root.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    button.textContent = 'Copied';
    this.#status.textContent = 'Quote copied with its citation';
    setTimeout(() => {
      button.textContent = 'Copy quote with citation';
    }, 2000);
  }
}

if (!customElements.get('kz-qa')) customElements.define('kz-qa', KzQa);

// Bootstrapping from the script tag: configure inline widgets, or add a floating one.
const script = document.currentScript as HTMLScriptElement | null;
const endpoint = script?.dataset.endpoint ?? (script ? new URL(script.src).origin : '');
const start = () => {
  const inline = Array.from(document.querySelectorAll('kz-qa'));
  for (const w of inline) if (!w.hasAttribute('endpoint')) w.setAttribute('endpoint', endpoint);
  if (inline.length === 0 && script?.dataset.floating !== 'false') {
    const widget = document.createElement('kz-qa');
    widget.setAttribute('endpoint', endpoint);
    widget.dataset.mode = 'floating';
    document.body.append(widget);
  }
};
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
