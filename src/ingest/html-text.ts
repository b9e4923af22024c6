import { parseHTML } from 'linkedom';

/**
 * HTML → the structured plain text the chunker reads, as Markdown would write it: `#` headings, one line
 * per paragraph, `- ` / `1. ` list items, table rows with tab-separated cells (caption first), and a
 * blank line between blocks. Used for web pages (after Readability) and for DOCX (through mammoth's HTML).
 */

/** Elements that never hold readable content. */
const SKIP = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'SVG',
  'CANVAS',
  'IFRAME',
  'OBJECT',
  'FORM',
  'BUTTON',
  'SELECT',
  'INPUT',
  'TEXTAREA',
]);
/** Page chrome, dropped when a whole page is converted without Readability. */
export const BOILERPLATE = new Set(['NAV', 'HEADER', 'FOOTER', 'ASIDE']);
const HEADING = /^H([1-6])$/;
const BLOCK = new Set([
  'P',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'BLOCKQUOTE',
  'PRE',
  'FIGURE',
  'FIGCAPTION',
  'DL',
  'DT',
  'DD',
  'ADDRESS',
  'HR',
  'BODY',
  'HTML',
  ...BOILERPLATE,
]);

// Minimal structural view of linkedom's nodes (its types are not exported in a usable form).
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  getAttribute?(name: string): string | null;
}

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'item'; marker: string; text: string; depth: number }
  | { kind: 'row'; cells: string[] };

function children(node: DomNode): DomNode[] {
  return Array.from(node.childNodes);
}

/** Whether an element is mammoth's back-link from a footnote to its reference (`↑`). */
function isBackLink(node: DomNode): boolean {
  const href = node.getAttribute?.('href') ?? '';
  return node.nodeName === 'A' && /^#(?:footnote|endnote|comment)-ref-/.test(href);
}

function inlineText(node: DomNode): string {
  if (node.nodeType === 3) return node.textContent ?? '';
  if (node.nodeType !== 1 || SKIP.has(node.nodeName) || isBackLink(node)) return '';
  if (node.nodeName === 'BR') return ' ';
  if (node.nodeName === 'IMG') return node.getAttribute?.('alt') ? ` ${node.getAttribute('alt')} ` : '';
  return children(node).map(inlineText).join('');
}

function collapse(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

function hasBlockChild(node: DomNode): boolean {
  return children(node).some(
    (c) =>
      c.nodeType === 1 &&
      (BLOCK.has(c.nodeName) || HEADING.test(c.nodeName) || ['UL', 'OL', 'TABLE', 'LI'].includes(c.nodeName)),
  );
}

function walk(node: DomNode, out: Block[], options: { dropBoilerplate: boolean }, depth = 0): void {
  if (node.nodeType !== 1 && node.nodeType !== 9 && node.nodeType !== 11) return;
  const name = node.nodeName;
  if (SKIP.has(name)) return;
  if (options.dropBoilerplate && BOILERPLATE.has(name)) return;
  const heading = HEADING.exec(name);
  if (heading) {
    const text = collapse(inlineText(node));
    if (text) out.push({ kind: 'heading', level: Number(heading[1]), text });
    return;
  }
  if (name === 'UL' || name === 'OL') {
    let n = Number(node.getAttribute?.('start') ?? '1') || 1;
    for (const li of children(node)) {
      if (li.nodeName !== 'LI') continue;
      const own: DomNode[] = [];
      const nested: DomNode[] = [];
      for (const c of children(li)) (c.nodeName === 'UL' || c.nodeName === 'OL' ? nested : own).push(c);
      const text = collapse(own.map(inlineText).join(' '));
      if (text) out.push({ kind: 'item', marker: name === 'OL' ? `${n}.` : '-', text, depth });
      n++;
      for (const c of nested) walk(c, out, options, depth + 1);
    }
    return;
  }
  if (name === 'TABLE') {
    const visit = (n: DomNode) => {
      for (const c of children(n)) {
        if (c.nodeName === 'CAPTION') {
          const text = collapse(inlineText(c));
          if (text) out.push({ kind: 'paragraph', text });
        } else if (c.nodeName === 'TR') {
          const cells = children(c)
            .filter((cell) => cell.nodeName === 'TD' || cell.nodeName === 'TH')
            .map((cell) => collapse(inlineText(cell)));
          if (cells.some(Boolean)) out.push({ kind: 'row', cells });
        } else if (c.nodeType === 1) {
          visit(c);
        }
      }
    };
    visit(node);
    return;
  }
  if (hasBlockChild(node) || name === 'BODY' || name === 'HTML' || node.nodeType !== 1) {
    // Mixed content: runs of inline nodes between blocks are paragraphs of their own.
    let inline = '';
    const flush = () => {
      const text = collapse(inline);
      if (text) out.push({ kind: 'paragraph', text });
      inline = '';
    };
    for (const c of children(node)) {
      const block =
        c.nodeType === 1 &&
        (BLOCK.has(c.nodeName) ||
          HEADING.test(c.nodeName) ||
          ['UL', 'OL', 'TABLE', 'LI'].includes(c.nodeName));
      if (block) {
        flush();
        walk(c, out, options, depth);
      } else {
        inline += inlineText(c);
      }
    }
    flush();
    return;
  }
  const text = collapse(inlineText(node));
  if (text) out.push({ kind: 'paragraph', text });
}

/** Blocks as text: a blank line between blocks, a single newline inside a list or a table. */
function render(blocks: readonly Block[]): string {
  let out = '';
  let previous: Block['kind'] | undefined;
  for (const block of blocks) {
    const line =
      block.kind === 'heading'
        ? `${'#'.repeat(block.level)} ${block.text}`
        : block.kind === 'item'
          ? `${'  '.repeat(block.depth)}${block.marker} ${block.text}`
          : block.kind === 'row'
            ? block.cells.join('\t')
            : block.text;
    const tight = previous === block.kind && (block.kind === 'item' || block.kind === 'row');
    if (out !== '') out += tight ? '\n' : '\n\n';
    out += line;
    previous = block.kind;
  }
  return out === '' ? '' : `${out}\n`;
}

/** Text of an HTML fragment or document; `dropBoilerplate` also drops nav/header/footer/aside. */
export function htmlToText(html: string, options: { dropBoilerplate?: boolean } = {}): string {
  const { document } = parseHTML(
    /<html[\s>]/i.test(html) ? html : `<!doctype html><html><body>${html}</body></html>`,
  );
  const blocks: Block[] = [];
  walk(document.body as unknown as DomNode, blocks, { dropBoilerplate: options.dropBoilerplate ?? false });
  return render(blocks);
}
