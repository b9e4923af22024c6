import mammoth from 'mammoth';
import { htmlToText } from './html-text.ts';

/**
 * DOCX → structured text through mammoth, which maps Word's semantic styles (Heading 1–6, list
 * numbering, tables, footnotes and endnotes) to plain HTML; that HTML then becomes the same text as a
 * web page. Footnotes follow the body under a "Notes" heading, each marked with its number.
 */
export async function extractDocx(bytes: Uint8Array): Promise<{ text: string; warnings: string[] }> {
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
  return { text: htmlToText(html), warnings: result.messages.map((m) => m.message) };
}
