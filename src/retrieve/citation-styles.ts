import { escapeHtml } from '../core/html.ts';
import type { DocumentInfo, Passage, Span } from '../core/types.ts';
import {
  type CslItem,
  citePassage,
  cslItem,
  formatLocation,
  formatQuotation,
  quotedText,
  sectionName,
} from './citation.ts';

/**
 * A quote cited in several styles: plain (the label sent with every answer), APA (reference plus in-text
 * citation, rendered by citation-js with the APA 7 CSL style) and BibTeX (citation-js's exporter, which
 * escapes LaTeX specials and keeps capitals with braces).
 */

export const CITE_STYLES = ['plain', 'apa', 'bibtex'] as const;
export type CiteStyle = (typeof CITE_STYLES)[number];

export interface CitedSpan {
  passageId: string;
  documentId: string;
  source: string;
  section: string;
  /** Raw offsets of the quoted words in `source`. */
  span: Span;
  /** The quoted sentences, clean text. */
  quote: string;
  /** Paste-ready text per style: the quote with its citation. */
  citations: Record<CiteStyle, string>;
  /** APA with the journal in italics, for rich-text paste. */
  html: { apa: string };
  /** CSL-JSON of the document, with the section and character range as its note (Zotero and others import it). */
  csl: CslItem;
}

type CitationJs = typeof import('@citation-js/core');

// citation-js takes ~1 s to load (citeproc and its styles); only the first citation request pays for it.
let loading: Promise<CitationJs> | undefined;
function loadCitationJs(): Promise<CitationJs> {
  loading ??= (async () => {
    const core = await import('@citation-js/core');
    await import('@citation-js/plugin-csl');
    await import('@citation-js/plugin-bibtex');
    return core;
  })();
  return loading;
}

/**
 * Cites the words at `span` (default: the whole passage) of `passage` in every style. The span must lie
 * inside the passage; the caller checks that.
 */
export async function citeSpan(passage: Passage, document: DocumentInfo, span?: Span): Promise<CitedSpan> {
  const at = span ?? { start: passage.start, end: passage.end };
  const quote = quotedText(passage, at);
  const citation = citePassage(passage, document);
  const section = sectionName(passage.section);
  const location = formatLocation(passage.source, at);
  const note = section ? `Section “${section}”; ${location}` : location;
  const csl = cslItem(document, note);
  const { Cite } = await loadCitationJs();
  const cite = new Cite(csl);
  const apa = { format: 'text', template: 'apa', lang: 'en-US' };
  const reference = cite.format('bibliography', apa).trim();
  const referenceHtml = cite
    .format('bibliography', { ...apa, format: 'html' })
    .replace(/^[\s\S]*?class="csl-entry">|<\/div>\s*<\/div>\s*$/g, '')
    .trim();
  const inText = cite
    .format('citation', {
      ...apa,
      entry: [{ id: csl.id, ...(section ? { locator: `“${section}”`, label: 'section' } : {}) }],
    })
    .trim();
  const bibtex = cite.format('bibtex').trim();
  const escapedQuote = escapeHtml(quote);
  return {
    passageId: passage.id,
    documentId: document.id,
    source: passage.source,
    section: passage.section.join(' › '),
    span: at,
    quote,
    citations: {
      plain: formatQuotation({ text: quote, ...at }, citation),
      apa: `“${quote}” ${inText}.\n\n${reference}`,
      // BibTeX ignores text outside entries; the `%` line keeps the quote with the entry for the reader.
      bibtex: `% “${quote.replace(/\s+/g, ' ')}”\n${bibtex}`,
    },
    html: { apa: `<p>“${escapedQuote}” ${escapeHtml(inText)}.</p><p>${referenceHtml}</p>` },
    csl,
  };
}
