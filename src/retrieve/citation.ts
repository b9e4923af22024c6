import type { DocumentInfo, Passage, Span } from '../core/types.ts';
import type { Citation, Quote } from './types.ts';

/**
 * Citations a reader can paste. The plain label (sent with every answer) is built here by hand because it
 * is cheap and runtime-neutral; APA and BibTeX come from citation-js in `citation-styles.ts`, fed with the
 * CSL-JSON item built here, so both describe the document with the same facts.
 */

/** `Elena Nechaeva` → `Nechaeva, E.`; names already in `Surname, I.` form are kept. */
export function shortAuthor(name: string): string {
  const trimmed = name.trim();
  if (trimmed.includes(',')) return trimmed;
  const parts = trimmed.split(/\s+/);
  if (parts.length < 2) return trimmed;
  const surname = parts[parts.length - 1] ?? trimmed;
  const initials = parts
    .slice(0, -1)
    .map((p) => `${p[0]}.`)
    .join(' ');
  return `${surname}, ${initials}`;
}

/** APA's author list: `A, B, & C` (two authors: `A, & B`, as APA writes it). */
export function formatAuthors(authors: readonly string[]): string {
  const names = authors.map(shortAuthor);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')}, & ${names[names.length - 1]}`;
}

const MINOR_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to']);

/** `FINDINGS OF THE STUDY` → `Findings of the Study`: headings typeset in capitals read as titles in a citation. */
function titleCase(text: string): string {
  return text
    .toLowerCase()
    .split(' ')
    .map((w, i) => (i > 0 && MINOR_WORDS.has(w) ? w : `${w.charAt(0).toUpperCase()}${w.slice(1)}`))
    .join(' ');
}

/**
 * The innermost heading as a citation shows it: trailing stops and colons dropped (`Conclusion.` →
 * `Conclusion`), all-capital headings in title case.
 */
export function sectionName(section: readonly string[] | string): string {
  const innermost = typeof section === 'string' ? section.split(' › ').at(-1) : section.at(-1);
  const name = (innermost ?? '').replace(/[\s.:;,]+$/u, '').trim();
  return /\p{Ll}/u.test(name) ? name : titleCase(name);
}

/** `pp. 38–47`, `pp. 88 ff.` (last page unknown), or undefined. */
export function formatPages(document: Pick<DocumentInfo, 'bibliography'>): string | undefined {
  const b = document.bibliography;
  if (b?.firstPage === undefined) return undefined;
  return b.lastPage === undefined ? `pp. ${b.firstPage} ff.` : `pp. ${b.firstPage}–${b.lastPage}`;
}

/** Ends a clause with a full stop unless it already ends with terminal punctuation. */
function sentence(text: string): string {
  return /[.!?…]["”’»)]?$/u.test(text) ? text : `${text}.`;
}

/**
 * The reference in APA order, as plain text: authors (year). Title [genre]. Journal, issue, pages.
 * Without authors the title takes their place, as APA does: `Title [Lecture]. (n.d.).`
 */
export function formatReference(document: DocumentInfo): string {
  const b = document.bibliography ?? {};
  const year = `(${b.year ?? 'n.d.'}).`;
  const title = sentence(b.genre ? `${document.title} [${b.genre}]` : document.title);
  const head =
    document.authors.length > 0
      ? `${sentence(formatAuthors(document.authors))} ${year} ${title}`
      : `${title} ${year}`;
  const container = [
    b.journal,
    b.volume ? `vol. ${b.volume}` : undefined,
    b.issue ? `no. ${b.issue}` : undefined,
    formatPages(document),
  ].filter(Boolean);
  return container.length > 0 ? `${head} ${sentence(container.join(', '))}` : head;
}

/** `p. 3`, or `pp. 3–4` for a range: the pages of a paginated source (PDF) a quote sits on. */
export function formatPageSpan(pages: readonly [string, string]): string {
  return pages[0] === pages[1] ? `p. ${pages[0]}` : `pp. ${pages[0]}–${pages[1]}`;
}

/**
 * A reference a reader can paste: the APA-ordered reference plus the innermost section (`§ Conclusion`)
 * and, for a paginated source, the page(s) of the quote (`p. 12`).
 */
export function formatLabel(
  document: DocumentInfo,
  section: readonly string[],
  pages?: readonly [string, string],
): string {
  const name = sectionName(section);
  const reference = formatReference(document);
  const located = name ? `${reference} § ${name}` : reference;
  return pages ? `${located}, ${formatPageSpan(pages)}` : located;
}

/**
 * The citation of a passage. `pages` (the pages of the quoted sentence, when the source is paginated)
 * narrows the passage's own page range to where the quote actually is.
 */
export function citePassage(
  passage: Passage,
  document: DocumentInfo,
  pages: readonly [string, string] | undefined = passage.pages,
): Citation {
  return {
    source: passage.source,
    documentId: document.id,
    title: document.title,
    authors: [...document.authors],
    section: passage.section.join(' › '),
    start: passage.start,
    end: passage.end,
    ...(pages ? { pages: formatPageSpan(pages).replace(/^pp?\. /, '') } : {}),
    label: formatLabel(document, passage.section, pages),
  };
}

/** The sentences of `passage` that a quote's span touches, as clean text. */
export function quotedText(passage: Pick<Passage, 'sentences'>, span: Span): string {
  return passage.sentences
    .filter((s) => s.start < span.end && s.end > span.start)
    .map((s) => s.text)
    .join(' ');
}

/** Where the quoted words are: `characters 120–480 of file.txt` (the quote's own raw offsets). */
export function formatLocation(source: string, span: Span): string {
  return `characters ${span.start}–${span.end} of ${source}`;
}

/**
 * A quotation ready to paste: the quote, then its label and the quote's own character range, e.g.
 * `“…” — Nechaeva, E. (2022). … pp. 38–47. § Conclusion, characters 120–480 of 002_….txt.`
 */
export function formatQuotation(
  quote: Pick<Quote, 'text' | 'start' | 'end'>,
  citation: Pick<Citation, 'label' | 'source'>,
): string {
  const location = formatLocation(citation.source, quote);
  const joined = /[.!?]$/u.test(citation.label)
    ? `${citation.label} ${location[0]?.toUpperCase()}${location.slice(1)}`
    : `${citation.label}, ${location}`;
  return `“${quote.text}” — ${sentence(joined)}`;
}

/** A CSL-JSON item (the format citation processors and reference managers read). */
export interface CslItem {
  id: string;
  'citation-key': string;
  type: 'article-journal' | 'speech' | 'document';
  title: string;
  author?: Array<{ family: string; given?: string }>;
  issued?: { 'date-parts': number[][] };
  'container-title'?: string;
  volume?: string;
  issue?: string;
  page?: string;
  publisher?: string;
  'publisher-place'?: string;
  ISSN?: string;
  genre?: string;
  note?: string;
}

const KEY_STOPWORDS = new Set(['a', 'an', 'the', 'of', 'on', 'in', 'and', 'for', 'to']);

function asciiWord(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

/** A BibTeX key in the usual form: first author's surname (or first title word), year, first title word. */
export function citationKey(document: DocumentInfo): string {
  const words = document.title
    .split(/[\s:–—-]+/)
    .map(asciiWord)
    .filter(Boolean);
  const titleWord = words.find((w) => !KEY_STOPWORDS.has(w)) ?? asciiWord(document.id);
  const first = document.authors[0];
  const lead = first ? asciiWord(first.split(/\s+/).at(-1) ?? first) : titleWord;
  const next = first ? titleWord : (words.filter((w) => !KEY_STOPWORDS.has(w))[1] ?? '');
  return `${lead}${document.bibliography?.year ?? ''}${next}` || asciiWord(document.id) || 'document';
}

/** The document as a CSL-JSON item, with the section and character range of a quote as its note. */
export function cslItem(document: DocumentInfo, note?: string): CslItem {
  const b = document.bibliography ?? {};
  const pages =
    b.firstPage === undefined
      ? undefined
      : [b.firstPage, b.lastPage].filter((p) => p !== undefined).join('-');
  const fields: Partial<CslItem> = {
    author: document.authors.length
      ? document.authors.map((name) => {
          const parts = name.trim().split(/\s+/);
          const family = parts.pop() ?? name;
          return parts.length ? { family, given: parts.join(' ') } : { family };
        })
      : undefined,
    issued: b.year ? { 'date-parts': [[b.year]] } : undefined,
    'container-title': b.journal,
    volume: b.volume,
    issue: b.issue,
    // An article whose last page is unknown is cited from its first page on.
    page: pages && b.lastPage === undefined ? `${pages}ff.` : pages,
    publisher: b.publisher,
    'publisher-place': b.place,
    ISSN: b.issn,
    genre: b.genre,
    note,
  };
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return {
    id: document.id,
    'citation-key': citationKey(document),
    type: b.journal ? 'article-journal' : b.genre ? 'speech' : 'document',
    title: document.title,
    ...defined,
  };
}
