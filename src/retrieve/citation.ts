import type { DocumentInfo, Passage } from '../core/types.ts';
import type { Citation } from './types.ts';

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

/** `p. 3`, or `pp. 3–4` for a range. */
export function formatPages(pages: readonly [string, string]): string {
  return pages[0] === pages[1] ? `p. ${pages[0]}` : `pp. ${pages[0]}–${pages[1]}`;
}

/** A reference a reader can paste: authors, title, collection or venue, year, section, page. */
export function formatLabel(
  document: DocumentInfo,
  section: readonly string[],
  pages?: readonly [string, string],
): string {
  const pieces: string[] = [];
  if (document.authors.length > 0) pieces.push(document.authors.map(shortAuthor).join('; '));
  pieces.push(`“${document.title}”`);
  if (document.collection) pieces.push(document.collection);
  else if (document.venue) pieces.push(document.venue);
  if (document.year) pieces.push(String(document.year));
  if (section.length > 0) pieces.push(`§ ${section[section.length - 1]}`);
  if (pages) pieces.push(formatPages(pages));
  return pieces.join(', ');
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
    ...(pages ? { pages: formatPages(pages).replace(/^pp?\. /, '') } : {}),
    label: formatLabel(document, passage.section, pages),
  };
}
