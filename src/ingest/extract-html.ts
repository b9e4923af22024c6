import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { SourceMeta } from '../core/types.ts';
import { htmlToText } from './html-text.ts';

/**
 * A saved web page → its main content as structured text. Mozilla's Readability (the Firefox Reader
 * View engine) picks the article and drops navigation, ads and boilerplate; a page it cannot make sense
 * of is read whole with scripts, styles, nav, header, footer and aside dropped. Bibliographic meta tags
 * (Highwire `citation_*`, Open Graph, `author`) give title, authors, year and venue.
 */

export interface ExtractedHtml {
  text: string;
  meta: SourceMeta;
}

type MetaDocument = {
  querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
  title?: string;
};

function metaValues(document: MetaDocument, ...names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    for (const el of Array.from(
      document.querySelectorAll(`meta[name="${name}"], meta[property="${name}"]`),
    )) {
      const value = el.getAttribute('content')?.trim();
      if (value) out.push(value);
    }
  }
  return out;
}

function pageMeta(document: MetaDocument): SourceMeta {
  const meta: SourceMeta = {};
  const title = metaValues(document, 'citation_title', 'og:title', 'dc.title')[0] ?? document.title?.trim();
  if (title) meta.title = title;
  const authors = metaValues(document, 'citation_author', 'dc.creator');
  const author = authors.length > 0 ? authors : metaValues(document, 'author').slice(0, 1);
  if (author.length > 0) meta.authors = author;
  const date = metaValues(
    document,
    'citation_publication_date',
    'citation_date',
    'article:published_time',
    'dc.date',
  )[0];
  const year = date ? /\b(1[5-9]\d\d|20\d\d)\b/.exec(date)?.[1] : undefined;
  if (year) meta.year = Number(year);
  const venue = metaValues(
    document,
    'citation_journal_title',
    'citation_conference_title',
    'og:site_name',
  )[0];
  if (venue) meta.venue = venue;
  return meta;
}

/** Main text and bibliographic details of an HTML page. */
export function extractHtml(html: string): ExtractedHtml {
  const meta = pageMeta(parseHTML(html).document as unknown as MetaDocument);
  const article = new Readability(parseHTML(html).document as unknown as Document, {
    charThreshold: 200,
  }).parse();
  let text = article?.content ? htmlToText(article.content) : '';
  if (text.trim().length < 200) text = htmlToText(html, { dropBoilerplate: true });
  const title = meta.title ?? article?.title?.trim();
  if (title) {
    meta.title = title;
    // Readability demotes or lifts out the page's <h1>; make the title the document's one top heading.
    const first = /^#{1,6} (.*)\n/.exec(text);
    if (first && first[1] === title) text = `# ${title}\n${text.slice(first[0].length)}`;
    else if (!text.startsWith('# ')) text = `# ${title}\n\n${text}`;
  }
  if (!meta.authors && article?.byline) meta.authors = [article.byline.replace(/^by\s+/i, '').trim()];
  if (!meta.venue && article?.siteName) meta.venue = article.siteName;
  return { text, meta };
}
