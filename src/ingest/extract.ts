import type { SourceFile, SourceFormat } from '../core/types.ts';
import { rejectDocument } from './reject.ts';

/**
 * One corpus file's bytes → its text, format, pages and metadata. The format is told from the content
 * and must agree with the extension; a file that cannot be read is rejected with the reason.
 */

/** Bump whenever any extractor's output changes, so cached extractions and indexes are redone. */
export const EXTRACTOR_VERSION = 2;

/** Default largest corpus file (MAX_DOCUMENT_BYTES). */
export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

const FORMAT_BY_EXTENSION: Record<string, SourceFormat> = {
  txt: 'text',
  md: 'markdown',
  markdown: 'markdown',
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  htm: 'html',
};

/** File extensions read as documents. */
export const DOCUMENT_EXTENSIONS = Object.keys(FORMAT_BY_EXTENSION);

/** The format a file name promises, from its extension. */
export function formatOfName(name: string): SourceFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext ? FORMAT_BY_EXTENSION[ext] : undefined;
}

/** What the bytes are, whatever the name says. */
export type SniffedFormat = 'pdf' | 'docx' | 'zip' | 'html' | 'text' | 'binary';

const HTML_START = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]/i;

function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Tells the format from magic numbers and content (PDF header, ZIP with a Word part, HTML root, UTF-8). */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (head.includes('%PDF-')) return 'pdf';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    const all = new TextDecoder('latin1').decode(bytes);
    return all.includes('word/document.xml') ? 'docx' : 'zip';
  }
  if (!isUtf8Text(bytes)) return 'binary';
  const start = new TextDecoder('utf-8').decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '');
  return HTML_START.test(start) ? 'html' : 'text';
}

const SNIFF_NAMES: Record<SniffedFormat, string> = {
  pdf: 'a PDF',
  docx: 'a Word document',
  zip: 'a ZIP archive',
  html: 'HTML',
  text: 'plain text',
  binary: 'binary data',
};

function agrees(declared: SourceFormat, sniffed: SniffedFormat): boolean {
  if (declared === 'text' || declared === 'markdown') return sniffed === 'text' || sniffed === 'html';
  if (declared === 'html') return sniffed === 'html' || sniffed === 'text';
  return declared === sniffed;
}

export interface ExtractOptions {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
}

/**
 * Extracts one file. Throws DOCUMENT_REJECTED (details: file, reason, message) for an empty, oversized,
 * unsupported, mislabelled, encrypted, truncated, damaged or text-less file.
 */
export async function extractFile(
  name: string,
  bytes: Uint8Array,
  options: ExtractOptions,
): Promise<SourceFile> {
  const declared = formatOfName(name);
  if (!declared) {
    throw rejectDocument(
      name,
      'unsupported',
      `unsupported file type; the corpus reads ${DOCUMENT_EXTENSIONS.map((e) => `.${e}`).join(', ')}`,
    );
  }
  if (bytes.length > options.maxBytes) {
    throw rejectDocument(
      name,
      'too-large',
      `${bytes.length} bytes is over the limit of ${options.maxBytes} (MAX_DOCUMENT_BYTES)`,
    );
  }
  if (bytes.length === 0) throw rejectDocument(name, 'empty', 'the file is empty');
  const sniffed = sniffFormat(bytes);
  if (!agrees(declared, sniffed)) {
    throw rejectDocument(
      name,
      'mislabelled',
      `named as ${declared.toUpperCase()} but the content is ${SNIFF_NAMES[sniffed]}; rename or replace it`,
    );
  }
  const utf8 = () => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let file: SourceFile;
  // The extractors (pdf.js above all, ~2.5 s to load) are loaded only for a corpus that needs them.
  if (declared === 'pdf') {
    const { extractPdf } = await import('./extract-pdf.ts');
    const pdf = await extractPdf(bytes, name);
    file = { name, format: 'pdf', text: pdf.text, pages: pdf.pages, meta: pdf.meta };
  } else if (declared === 'docx') {
    const { extractDocx } = await import('./extract-docx.ts');
    const docx = await extractDocx(bytes).catch((cause) => {
      throw rejectDocument(
        name,
        'corrupt',
        'the Word document is damaged (its ZIP or XML cannot be read)',
        cause,
      );
    });
    file = { name, format: 'docx', text: docx.text, meta: docx.meta };
  } else if (declared === 'html') {
    const { extractHtml } = await import('./extract-html.ts');
    const html = extractHtml(utf8());
    file = { name, format: 'html', text: html.text, meta: html.meta };
  } else {
    file = { name, format: declared, text: utf8() };
  }
  if (file.text.trim() === '')
    throw rejectDocument(name, 'empty', 'no text could be extracted from the file');
  return file;
}
