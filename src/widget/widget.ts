/**
 * The chat widget: a `<kz-qa>` web component in a shadow root, bundled into /widget.js.
 * One script tag adds it to any page:
 *   <script src="https://HOST/widget.js" data-endpoint="https://HOST"></script>
 * If the page has a <kz-qa> element the widget renders inline there; otherwise a floating launcher appears.
 */

import { textOutside } from '../core/context.ts';
import { MAX_REASON_CHARS, type Rating } from '../feedback/types.ts';
import { formatQuotation } from '../retrieve/citation.ts';
import type { CitedSpan, CiteStyle } from '../retrieve/citation-styles.ts';
import { readerNotice } from '../retrieve/reader-notice.ts';
import type { AskResult, PassageContext, RankedPassage } from '../retrieve/types.ts';

/** What the widget asks for (`include: []`): passages without their whole text or ranking explanation. */
type Passage = Omit<RankedPassage, 'text' | 'why'>;
type Answer = Omit<AskResult, 'passages'> & { passages: Passage[]; askId?: string };

const STYLES: Array<[CiteStyle, string]> = [
  ['plain', 'Plain text'],
  ['apa', 'APA'],
  ['bibtex', 'BibTeX'],
];
const STYLE_KEY = 'kz-qa:citation-style';

const STYLE = `
:host { --bg:#fff; --fg:#1b1f24; --muted:#5b636e; --line:#d8dde3; --accent:#0b5cad; --card:#f6f8fa; --mark:#ffe58a; --warn:#8a5a00; --warnbg:#fff6dd; --ok:#1e7a34; --on-accent:#fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
@media (prefers-color-scheme: dark) { :host { --bg:#15181c; --fg:#e6e9ed; --muted:#9aa4af; --line:#2c3238; --accent:#6cb0ff; --card:#1d2126; --mark:#6b5a12; --warn:#ffd27a; --warnbg:#3a2f12; --ok:#56d364; --on-accent:#0d1117; } }
* { box-sizing: border-box; }
.panel { background: var(--bg); border: 1px solid var(--line); border-radius: 12px; display: flex; flex-direction: column; height: 100%; min-height: 420px; max-height: 80vh; min-width: 0; }
:host([data-mode="floating"]) .panel { position: fixed; right: 20px; bottom: 84px; width: min(440px, calc(100vw - 24px)); height: min(640px, calc(100vh - 108px)); min-height: 0; box-shadow: 0 8px 30px rgba(0,0,0,.25); z-index: 2147483000; }
:host([data-mode="floating"]) .panel[hidden] { display: none; }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 28px; padding: 14px 20px; background: var(--accent); color: var(--on-accent); font: inherit; font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
header { display: flex; align-items: center; gap: 8px; padding: 10px 14px; border-bottom: 1px solid var(--line); }
h2 { font-size: 16px; margin: 0; flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
button.close { border: 0; background: transparent; color: var(--fg); font-size: 24px; line-height: 1; width: 40px; height: 40px; border-radius: 8px; cursor: pointer; }
button.close:hover { background: var(--card); }
.log { flex: 1; overflow-y: auto; overscroll-behavior: contain; padding: 12px 14px; display: flex; flex-direction: column; gap: 12px; }
.question { align-self: flex-end; background: var(--accent); color: var(--on-accent); padding: 8px 12px; border-radius: 12px 12px 2px 12px; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.answer { display: flex; flex-direction: column; gap: 10px; }
.searched { color: var(--muted); font-size: 13px; margin: 0; overflow-wrap: anywhere; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; overflow-wrap: anywhere; }
blockquote { margin: 0 0 6px; padding-left: 10px; border-left: 3px solid var(--accent); }
mark { background: var(--mark); color: inherit; border-radius: 2px; }
.cite { margin: 0; color: var(--muted); font-size: 13px; }
.cite strong { color: var(--fg); font-weight: 600; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 8px; }
button.small, a.small, select.small { font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; text-decoration: none; }
.copy { display: inline-flex; }
.copy select.small { border-radius: 6px 0 0 6px; border-right: 0; padding-right: 4px; }
.copy button.small { border-radius: 0 6px 6px 0; }
button:focus-visible, a:focus-visible, textarea:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button[aria-pressed="true"] { border-color: var(--accent); background: var(--accent); color: var(--on-accent); }
.context { margin-top: 8px; font-size: 14px; }
.context p { margin: 6px 0; }
.context .around { color: var(--muted); }
.notice { background: var(--warnbg); color: var(--warn); padding: 8px 10px; border-radius: 8px; margin: 0; }
.error { color: #c62828; margin: 0; }
.loading { color: var(--muted); margin: 0; }
.feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 13px; color: var(--muted); }
.feedback form { display: flex; flex: 1 1 100%; gap: 6px; padding: 0; border: 0; }
.feedback input { flex: 1; min-width: 0; font: inherit; font-size: 13px; padding: 4px 8px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
.thanks { color: var(--ok); margin: 0; flex: 1 1 100%; }
button.thumb { display: inline-flex; align-items: center; gap: 4px; }
button.thumb svg { width: 14px; height: 14px; fill: currentColor; }
form.ask { display: flex; gap: 8px; padding: 10px 14px; border-top: 1px solid var(--line); }
textarea { flex: 1; min-width: 0; resize: none; font: inherit; padding: 8px 10px; border-radius: 8px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
button.ask { border: 0; border-radius: 8px; padding: 0 16px; background: var(--accent); color: var(--on-accent); font: inherit; font-weight: 600; cursor: pointer; }
button[disabled] { opacity: .6; cursor: progress; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 480px) {
  :host([data-mode="floating"]) .panel { inset: 0; width: 100%; height: 100%; max-height: none; border: 0; border-radius: 0; }
  :host([data-mode="floating"][data-open]) .launcher { display: none; }
}
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

/** A thumb pointing up or down, as inline SVG (decorative: the button's text names it). */
function thumbIcon(rating: Rating): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  if (rating === 'down') svg.setAttribute('transform', 'rotate(180)');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute(
    'd',
    'M2 10h4v11H2zM8 21h9.3a2 2 0 0 0 2-1.6l1.5-7.2A2 2 0 0 0 18.8 10H14l.8-4a2 2 0 0 0-3.4-1.8L8 9.5z',
  );
  svg.append(path);
  return svg;
}

class KzQa extends HTMLElement {
  #root = this.attachShadow({ mode: 'open' });
  #panel!: HTMLElement;
  #log!: HTMLElement;
  #input!: HTMLTextAreaElement;
  #button!: HTMLButtonElement;
  #status!: HTMLElement;
  #launcher?: HTMLButtonElement;
  #history: string[] = [];

  get endpoint(): string {
    return (this.getAttribute('endpoint') ?? '').replace(/\/$/, '');
  }

  get #floating(): boolean {
    return this.dataset.mode === 'floating';
  }

  connectedCallback(): void {
    if (this.#log) return;
    const style = el('style');
    style.textContent = STYLE;
    const title = this.getAttribute('title') ?? 'Ask the corpus';
    const panel = el('section', { class: 'panel', role: 'region', 'aria-label': title, id: 'panel' });
    this.#panel = panel;
    const header = el('header');
    header.append(el('h2', {}, title));
    const reset = el('button', { class: 'small', type: 'button' }, 'New conversation');
    reset.addEventListener('click', () => this.reset());
    header.append(reset);
    this.#log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
    this.#status = el('p', { class: 'sr', role: 'status', 'aria-live': 'polite' });
    const form = el('form', { class: 'ask' });
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
    if (this.#floating) {
      panel.hidden = true;
      const close = el('button', { class: 'close', type: 'button', 'aria-label': 'Close' }, '×');
      close.addEventListener('click', () => this.close());
      header.append(close);
      // Escape closes the floating panel from anywhere inside it, as a dialog would.
      panel.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          this.close();
        }
      });
      const launcher = el(
        'button',
        { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'panel' },
        title,
      );
      launcher.addEventListener('click', () => (panel.hidden ? this.open() : this.close()));
      this.#launcher = launcher;
      this.#root.append(launcher);
    }
    this.#root.append(panel);
  }

  /** Shows the floating panel and puts the cursor in the question box. */
  open(): void {
    this.#panel.hidden = false;
    this.toggleAttribute('data-open', true);
    this.#launcher?.setAttribute('aria-expanded', 'true');
    this.#input.focus();
  }

  /** Hides the floating panel and gives the focus back to the launcher. */
  close(): void {
    if (!this.#floating) return;
    this.#panel.hidden = true;
    this.toggleAttribute('data-open', false);
    this.#launcher?.setAttribute('aria-expanded', 'false');
    this.#launcher?.focus();
  }

  reset(): void {
    this.#history = [];
    this.#log.replaceChildren();
    this.#input.focus();
  }

  /** Scrolls the conversation (not the host page) so that `node` is at its top; instantly under reduced motion. */
  #reveal(node: HTMLElement): void {
    const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    const top =
      this.#log.scrollTop + node.getBoundingClientRect().top - this.#log.getBoundingClientRect().top - 8;
    this.#log.scrollTo({ top: Math.max(0, top), behavior: reduce ? 'auto' : 'smooth' });
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
    const bubble = el('p', { class: 'question' }, question);
    this.#log.append(bubble);
    const answer = el('div', { class: 'answer', 'aria-busy': 'true' });
    const loading = el('p', { class: 'loading' }, 'Searching the documents…');
    answer.append(loading);
    this.#log.append(answer);
    this.#button.disabled = true;
    this.#status.textContent = 'Searching…';
    this.#reveal(bubble);
    try {
      const history = this.#history.slice(-10).map((content) => ({ role: 'user', content }));
      const result = await this.#fetchJson<Answer>('/v1/ask', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question, history, topK: 5, include: [] }),
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
      // The newest answer starts at the top of the conversation, its question just above it.
      this.#reveal(bubble);
      this.#input.focus({ preventScroll: true });
    }
  }

  #renderAnswer(container: HTMLElement, result: Answer): void {
    // Say what was searched when it is more than the question: earlier turns, English words of a Cyrillic one.
    if (result.query.usedHistory || result.query.text.includes(' [English: '))
      container.append(el('p', { class: 'searched' }, `Searched: ${result.query.text}`));
    const notice = readerNotice(result);
    if (notice) container.append(el('p', { class: 'notice' }, notice));
    if (result.passages.length === 0) container.append(el('p', { class: 'notice' }, 'No passage found.'));
    for (const p of result.passages) container.append(this.#card(p));
    if (result.askId) container.append(this.#feedback(result.askId));
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
    const copyGroup = el('span', { class: 'copy', role: 'group', 'aria-label': 'Copy' });
    const style = el('select', { class: 'small style', 'aria-label': 'Citation style' });
    for (const [value, name] of STYLES) style.append(el('option', { value }, name));
    style.value = this.#style;
    style.addEventListener('change', () => {
      this.#style = style.value as CiteStyle;
    });
    const copy = el('button', { class: 'small', type: 'button' }, 'Copy quote with citation');
    copyGroup.append(style, copy);
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
    copy.addEventListener('click', () => void this.#copy(copy, p, style.value as CiteStyle));
    actions.append(context, copyGroup, link);
    card.append(actions);
    return card;
  }

  /** The citation style last chosen (kept in localStorage; every card's selector follows it). */
  get #style(): CiteStyle {
    try {
      const saved = localStorage.getItem(STYLE_KEY);
      if (STYLES.some(([s]) => s === saved)) return saved as CiteStyle;
    } catch {
      // Storage may be blocked (sandboxed frames, privacy modes): plain text then.
    }
    return 'plain';
  }

  set #style(value: CiteStyle) {
    try {
      localStorage.setItem(STYLE_KEY, value);
    } catch {
      // Not remembered; the choice still applies to this page.
    }
    this.#root.querySelectorAll<HTMLSelectElement>('select.style').forEach((select) => {
      select.value = value;
    });
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
      // Neighbours share a sentence with this passage; each sentence is shown once.
      const before = around[0] ? textOutside(around[0].passage.sentences, here.passage) : '';
      const after = around[1] ? textOutside(around[1].passage.sentences, here.passage) : '';
      if (before) box.append(el('p', { class: 'around' }, before));
      box.append(el('p', {}, here.passage.text));
      if (after) box.append(el('p', { class: 'around' }, after));
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

  /**
   * Copies the quote with its citation in `style`, from the service's cite endpoint (the quote's own
   * offsets); APA also goes on the clipboard as HTML, so the journal stays italic when pasted into a
   * word processor. If the endpoint cannot be reached, the plain citation is built here.
   */
  async #copy(button: HTMLButtonElement, p: Passage, style: CiteStyle): Promise<void> {
    const path = `/v1/passages/${encodeURIComponent(p.id)}/cite?start=${p.quote.start}&end=${p.quote.end}`;
    const cited = this.#fetchJson<CitedSpan>(path).catch(() => undefined);
    const text = cited.then((c) => c?.citations[style] ?? formatQuotation(p.quote, p.citation));
    try {
      if (typeof ClipboardItem === 'undefined' || !navigator.clipboard?.write)
        throw new Error('no ClipboardItem');
      // Promises in a ClipboardItem keep the click's permission to write while the citation is fetched.
      const blob = (type: string, body: Promise<string>) => body.then((b) => new Blob([b], { type }));
      const items: Record<string, Promise<Blob>> = { 'text/plain': blob('text/plain', text) };
      if (style === 'apa')
        items['text/html'] = blob(
          'text/html',
          cited.then((c) => c?.html.apa ?? text),
        );
      await navigator.clipboard.write([new ClipboardItem(items)]);
    } catch {
      const value = await text;
      try {
        await navigator.clipboard.writeText(value);
      } catch {
        const area = el('textarea');
        area.value = value;
        this.#root.append(area);
        area.select();
        document.execCommand('copy');
        area.remove();
      }
    }
    button.textContent = 'Copied';
    this.#status.textContent = `Quote copied with its citation (${STYLES.find(([s]) => s === style)?.[1]})`;
    setTimeout(() => {
      button.textContent = 'Copy quote with citation';
    }, 2000);
  }

  /** Thumbs up/down on an answer, then an optional reason; both reach the site owner's analytics page. */
  #feedback(askId: string): HTMLElement {
    const box = el('div', { class: 'feedback', role: 'group', 'aria-label': 'Feedback on this answer' });
    box.append(el('span', {}, 'Did this answer help?'));
    const buttons = (['up', 'down'] as const).map((rating) => {
      const button = el('button', {
        class: 'small thumb',
        type: 'button',
        'aria-pressed': 'false',
        'data-rating': rating,
      });
      // Drawn, not an emoji: many systems (and headless browsers) have no emoji font.
      button.append(thumbIcon(rating), rating === 'up' ? 'Yes' : 'No');
      button.addEventListener('click', () => void send(rating));
      return button;
    });
    box.append(...buttons);
    let reasonForm: HTMLFormElement | undefined;
    const post = (rating: Rating, reason?: string) =>
      this.#fetchJson('/v1/feedback', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ askId, rating, ...(reason ? { reason } : {}) }),
      });
    const say = (text: string, error = false) => {
      box.querySelector('.thanks, .error')?.remove();
      box.append(el('p', error ? { class: 'error', role: 'alert' } : { class: 'thanks' }, text));
      this.#status.textContent = text;
    };
    const send = async (rating: Rating) => {
      try {
        await post(rating);
      } catch (error) {
        say(error instanceof Error ? error.message : String(error), true);
        return;
      }
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.rating === rating));
      reasonForm?.remove();
      const form = el('form');
      const id = `reason-${askId}`;
      form.append(
        el('label', { for: id, class: 'sr' }, 'Reason (optional)'),
        el('input', {
          id,
          maxlength: String(MAX_REASON_CHARS),
          placeholder: rating === 'up' ? 'What helped? (optional)' : 'What was missing or wrong? (optional)',
        }),
        el('button', { class: 'small', type: 'submit' }, 'Send'),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const reason = (form.querySelector('input') as HTMLInputElement).value.trim();
        if (!reason) return;
        post(rating, reason).then(
          () => {
            form.remove();
            say('Thank you — your comment was sent to the site owner.');
          },
          (error: unknown) => say(error instanceof Error ? error.message : String(error), true),
        );
      });
      reasonForm = form;
      box.append(form);
      say('Thank you for the feedback.');
    };
    return box;
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
