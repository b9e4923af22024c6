import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { AppError } from '../core/errors.ts';
import type { PageSpan, SourceMeta } from '../core/types.ts';
import { rejectDocument } from './reject.ts';

/**
 * PDF → text with page boundaries, through Mozilla's pdf.js (positioned text runs per page). Layout is
 * rebuilt from positions: two-column pages are read column by column, lines of a paragraph are joined
 * (words hyphenated at a line end re-joined), larger type becomes a Markdown heading, and running
 * headers, footers and page numbers are dropped. Pages are separated by a blank line.
 */

export interface ExtractedPdf {
  text: string;
  pages: PageSpan[];
  meta: SourceMeta;
}

/** A positioned run of text; `y` is the baseline, growing upwards (PDF space). */
interface Run {
  x: number;
  y: number;
  width: number;
  size: number;
  text: string;
}

interface Row {
  y: number;
  size: number;
  runs: Run[];
}

interface PageLayout {
  /** Rows in reading order. */
  rows: Row[];
}

/** Fewest visible characters per page (on average) for a PDF to count as having a text layer. */
const MIN_CHARS_PER_PAGE = 16;
const PAGE_NUMBER = /^(?:page\s+)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]?(?:\s*(?:of|\/)\s*\d{1,4})?$/i;

function runsOf(items: readonly unknown[]): Run[] {
  const runs: Run[] = [];
  for (const item of items) {
    const it = item as { str?: string; transform?: number[]; width?: number };
    if (typeof it.str !== 'string' || !it.transform || it.str.trim() === '') continue;
    const [a = 0, b = 0, , d = 0, e = 0, f = 0] = it.transform;
    runs.push({ x: e, y: f, width: it.width ?? 0, size: Math.hypot(a, b) || Math.abs(d) || 1, text: it.str });
  }
  return runs;
}

/** Groups runs into rows of nearly equal baseline, top to bottom, each sorted left to right. */
function groupRows(runs: readonly Run[]): Row[] {
  const sorted = [...runs].sort((p, q) => q.y - p.y || p.x - q.x);
  const rows: Row[] = [];
  for (const run of sorted) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(row.y - run.y) <= Math.max(row.size, run.size) * 0.4) {
      row.runs.push(run);
      row.size = Math.max(row.size, run.size);
    } else {
      rows.push({ y: run.y, size: run.size, runs: [run] });
    }
  }
  for (const row of rows) row.runs.sort((p, q) => p.x - q.x);
  return rows;
}

/**
 * The x of a column gutter, when the page is set in two columns: the least covered vertical band in the
 * middle of the page, crossed by hardly any run, with a good share of the text on either side.
 */
function findGutter(runs: readonly Run[], pageWidth: number): number | undefined {
  const bins = 100;
  const cover = new Array<number>(bins).fill(0);
  for (const r of runs) {
    const from = Math.max(0, Math.floor((r.x / pageWidth) * bins));
    const to = Math.min(bins - 1, Math.floor(((r.x + r.width) / pageWidth) * bins));
    for (let i = from; i <= to; i++) cover[i] = (cover[i] ?? 0) + 1;
  }
  let best = -1;
  for (let i = 35; i <= 65; i++) if (best < 0 || (cover[i] ?? 0) < (cover[best] ?? 0)) best = i;
  const gutter = ((best + 0.5) / bins) * pageWidth;
  // Measured in characters: the last page of an article often has a short right column.
  const chars = (list: readonly Run[]) => list.reduce((s, r) => s + r.text.length, 0);
  const total = chars(runs);
  const crossing = chars(runs.filter((r) => r.x < gutter && r.x + r.width > gutter));
  const left = chars(runs.filter((r) => r.x + r.width <= gutter));
  const right = chars(runs.filter((r) => r.x >= gutter));
  if (crossing > total * 0.15 || left < total * 0.1 || right < total * 0.1) {
    return undefined;
  }
  return gutter;
}

/** Rows in reading order: full-width rows in place, each band between them read left column first. */
function layoutPage(runs: readonly Run[], pageWidth: number): PageLayout {
  const gutter = findGutter(runs, pageWidth);
  if (gutter === undefined) return { rows: groupRows(runs) };
  const rows: Row[] = [];
  const spans = (r: Run) => r.x < gutter && r.x + r.width > gutter;
  let band: Run[] = [];
  const flush = () => {
    rows.push(...groupRows(band.filter((r) => r.x + r.width <= gutter)));
    rows.push(...groupRows(band.filter((r) => r.x + r.width > gutter)));
    band = [];
  };
  for (const row of groupRows(runs)) {
    if (row.runs.some(spans)) {
      flush();
      rows.push(row);
    } else {
      band.push(...row.runs);
    }
  }
  flush();
  return { rows };
}

function rowText(row: Row): string {
  let out = '';
  let end = Number.NEGATIVE_INFINITY;
  for (const run of row.runs) {
    const gap = run.x - end;
    if (out !== '' && gap > run.size * 0.15 && !/\s$/.test(out) && !/^\s/.test(run.text)) out += ' ';
    out += run.text;
    end = run.x + run.width;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** Lower-cased with digits masked: how a running header or footer looks on every page. */
function furnitureKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

/**
 * Indices of the rows that are page furniture: page numbers at the top or bottom of a page, and top or
 * bottom rows whose text (numbers masked) recurs on at least half of the pages (and on two or more).
 */
function furniture(pages: readonly PageLayout[]): Array<Set<number>> {
  const edge = (page: PageLayout) => {
    const byY = page.rows.map((row, i) => ({ row, i })).sort((p, q) => q.row.y - p.row.y);
    return [...byY.slice(0, 2), ...byY.slice(-2)];
  };
  const counts = new Map<string, number>();
  for (const page of pages) {
    for (const key of new Set(edge(page).map(({ row }) => furnitureKey(rowText(row))))) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const threshold = Math.max(2, Math.ceil(pages.length / 2));
  return pages.map((page) => {
    const drop = new Set<number>();
    const byY = page.rows.map((row, i) => ({ row, i })).sort((p, q) => q.row.y - p.row.y);
    const top = byY[0];
    const bottom = byY[byY.length - 1];
    for (const { row, i } of edge(page)) {
      const text = rowText(row);
      const outermost = i === top?.i || i === bottom?.i;
      if ((outermost && PAGE_NUMBER.test(text)) || (counts.get(furnitureKey(text)) ?? 0) >= threshold) {
        drop.add(i);
      }
    }
    return drop;
  });
}

/** Font size of most of the text, weighted by characters. */
function bodySize(pages: readonly PageLayout[]): number {
  const weight = new Map<number, number>();
  for (const page of pages) {
    for (const row of page.rows) {
      for (const run of row.runs) {
        const size = Math.round(run.size * 2) / 2;
        weight.set(size, (weight.get(size) ?? 0) + run.text.length);
      }
    }
  }
  return [...weight].sort((p, q) => q[1] - p[1])[0]?.[0] ?? 10;
}

/** Joins the rows of one paragraph; a word hyphenated at a line end is re-joined. */
function joinRows(lines: readonly string[]): string {
  let out = '';
  for (const line of lines) {
    if (out === '') out = line;
    else if (/\p{L}-$/u.test(out) && /^\p{Ll}/u.test(line)) out = out.slice(0, -1) + line;
    else out += ` ${line}`;
  }
  return out;
}

/** The paragraphs of a page: rows split where the spacing widens, the type size changes, or a column ends. */
function pageParagraphs(page: PageLayout, dropped: ReadonlySet<number>, body: number): string[] {
  const paragraphs: string[] = [];
  let lines: string[] = [];
  let heading = 0;
  let previous: Row | undefined;
  const flush = () => {
    if (lines.length === 0) return;
    const text = joinRows(lines);
    paragraphs.push(heading > 0 ? `${'#'.repeat(heading)} ${text}` : text);
    lines = [];
  };
  page.rows.forEach((row, i) => {
    if (dropped.has(i)) return;
    const text = rowText(row);
    if (text === '') return;
    const level = row.size >= body * 1.6 ? 1 : row.size >= body * 1.2 ? 2 : 0;
    const gap = previous ? previous.y - row.y : 0;
    const newParagraph =
      !previous ||
      level !== heading ||
      gap < 0 ||
      gap > Math.max(previous.size, row.size) * 1.75 ||
      /^\s*(?:[-•·–*]|\d{1,2}[.)])\s/.test(text);
    if (newParagraph) flush();
    heading = level;
    lines.push(text);
    previous = row;
  });
  flush();
  return paragraphs;
}

function pdfError(name: string, cause: unknown): AppError {
  const kind = (cause as { name?: string } | undefined)?.name;
  if (kind === 'PasswordException') {
    return rejectDocument(name, 'encrypted', 'the PDF is password-protected; save an unprotected copy');
  }
  return rejectDocument(
    name,
    'corrupt',
    'pdf.js cannot read the file as a PDF (damaged or not a PDF)',
    cause,
  );
}

function metaOf(info: Record<string, unknown>): SourceMeta {
  const meta: SourceMeta = {};
  const title = typeof info.Title === 'string' ? info.Title.trim() : '';
  if (title) meta.title = title;
  const author = typeof info.Author === 'string' ? info.Author.trim() : '';
  if (author) meta.authors = author.split(/\s*(?:;|\band\b|&)\s*/).filter(Boolean);
  const subject = typeof info.Subject === 'string' ? info.Subject.trim() : '';
  if (subject) meta.venue = subject;
  return meta;
}

/** Text, pages and metadata of a PDF; throws DOCUMENT_REJECTED naming `name` when it cannot be read. */
export async function extractPdf(bytes: Uint8Array, name: string): Promise<ExtractedPdf> {
  // pdf.js reconstructs damaged files silently; a file cut short lacks the end marker the format requires.
  const tail = new TextDecoder('latin1').decode(bytes.subarray(Math.max(0, bytes.length - 2048)));
  if (!tail.includes('%%EOF')) {
    return Promise.reject(
      rejectDocument(name, 'truncated', 'the PDF ends before its end-of-file marker (an incomplete copy)'),
    );
  }
  let pdf: Awaited<ReturnType<typeof getDocument>['promise']>;
  try {
    pdf = await getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: true,
      verbosity: 0,
    }).promise;
  } catch (cause) {
    throw pdfError(name, cause);
  }
  try {
    const layouts: PageLayout[] = [];
    let visible = 0;
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const runs = runsOf((await page.getTextContent()).items);
      visible += runs.reduce((s, r) => s + r.text.replace(/\s/g, '').length, 0);
      layouts.push(layoutPage(runs, page.getViewport({ scale: 1 }).width));
      page.cleanup();
    }
    if (visible < MIN_CHARS_PER_PAGE * pdf.numPages) {
      throw rejectDocument(
        name,
        'no-text',
        `the PDF has no text layer (${visible} characters on ${pdf.numPages} pages): a scan; run OCR first`,
      );
    }
    const labels = await pdf.getPageLabels().catch(() => null);
    const drop = furniture(layouts);
    const body = bodySize(layouts);
    const pages: PageSpan[] = [];
    let text = '';
    layouts.forEach((layout, i) => {
      const paragraphs = pageParagraphs(layout, drop[i] ?? new Set(), body);
      if (text !== '') text += '\n\n';
      const start = text.length;
      text += paragraphs.join('\n\n');
      pages.push({ page: i + 1, label: labels?.[i]?.trim() || String(i + 1), start, end: text.length });
    });
    const { info } = await pdf.getMetadata().catch(() => ({ info: {} }));
    return { text: `${text}\n`, pages, meta: metaOf((info ?? {}) as Record<string, unknown>) };
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw pdfError(name, cause);
  } finally {
    await pdf.destroy();
  }
}
