import JSZip from 'jszip';
import { DOMParser } from 'linkedom';
import mammoth from 'mammoth';
import type { SourceMeta } from '../core/types.ts';
import { htmlToText } from './html-text.ts';

/**
 * DOCX → structured text through mammoth, which maps Word's semantic styles (Heading 1–6, list
 * numbering, tables, footnotes and endnotes) to plain HTML; that HTML then becomes the same text as a
 * web page. Footnotes follow the body under a "Notes" heading, each marked with its number.
 */
export async function extractDocx(
  bytes: Uint8Array,
): Promise<{ text: string; meta: SourceMeta; warnings: string[] }> {
  const arrayBuffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  // mammoth's Node build reads `buffer` (any byte array JSZip takes), its browser build `arrayBuffer`.
  const input = { buffer: bytes, arrayBuffer } as unknown as Parameters<typeof mammoth.convertToHtml>[0];
  // The Title style heads the document, so Word's heading levels sit one level below it.
  const result = await mammoth.convertToHtml(input, {
    styleMap: [
      "p[style-name='Title'] => h1:fresh",
      ...[1, 2, 3, 4, 5].map((n) => `p[style-name='heading ${n}'] => h${n + 1}:fresh`),
      ...[1, 2, 3, 4, 5].map((n) => `p[style-name='Heading ${n}'] => h${n + 1}:fresh`),
    ],
  });
  // mammoth appends the notes as one list of `footnote-N` items; give them a heading of their own.
  const html = result.value.replace(/<ol>(?=<li id="(?:footnote|endnote)-)/, '<h2>Notes</h2><ol>');
  const properties = await readCoreProperties(bytes);
  // A paragraph in Word's Title style is the title the reader sees; the properties' title (often left
  // over from a template) only stands in when there is none.
  const { title, ...meta } = properties;
  return {
    text: htmlToText(html),
    meta: /<h1[\s>]/.test(html) || !title ? meta : properties,
    warnings: result.messages.map((m) => m.message),
  };
}

const DC = 'http://purl.org/dc/elements/1.1/';
const DCTERMS = 'http://purl.org/dc/terms/';

/** Names Word and other writers put in `dc:creator` when nobody was named: not authors. */
const PLACEHOLDER_AUTHORS =
  /^(?:un-?named|unknown|author|user|windows user|microsoft office user|administrator|admin)$/i;

/**
 * Title (`dc:title`), authors (`dc:creator`, several split at semicolons) and year (`dcterms:created`)
 * from the package's core properties, `docProps/core.xml`, which mammoth does not read. A missing or
 * unreadable part gives no metadata rather than an error: the text is what matters.
 */
export async function readCoreProperties(bytes: Uint8Array): Promise<SourceMeta> {
  let xml: string | undefined;
  try {
    xml = await (await JSZip.loadAsync(bytes)).file('docProps/core.xml')?.async('string');
  } catch {
    return {};
  }
  if (!xml) return {};
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const root = document.documentElement;
  if (!root) return {};
  // linkedom matches qualified names only, so find the prefixes the file binds the namespaces to.
  const prefixOf = (namespace: string, usual: string) =>
    ([...root.attributes] as Array<{ name: string; value: string }>)
      .find((a) => a.name.startsWith('xmlns:') && a.value === namespace)
      ?.name.slice(6) ?? usual;
  const value = (namespace: string, usual: string, name: string): string =>
    document.getElementsByTagName(`${prefixOf(namespace, usual)}:${name}`)[0]?.textContent?.trim() ?? '';
  const meta: SourceMeta = {};
  const title = value(DC, 'dc', 'title').replace(/\s+/g, ' ');
  if (title) meta.title = title;
  const authors = value(DC, 'dc', 'creator')
    .split(';')
    .map((a) => a.replace(/\s+/g, ' ').trim())
    .filter((a) => a && !PLACEHOLDER_AUTHORS.test(a));
  if (authors.length > 0) meta.authors = authors;
  const year = /^(\d{4})-/.exec(value(DCTERMS, 'dcterms', 'created'))?.[1];
  if (year) meta.year = Number(year);
  return meta;
}
