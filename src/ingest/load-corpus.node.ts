import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../core/errors.ts';
import type { SkippedFile, SourceFile } from '../core/types.ts';
import { type CatalogSidecar, CatalogSidecarSchema } from './catalog.ts';
import { DEFAULT_MAX_DOCUMENT_BYTES, EXTRACTOR_VERSION, extractFile, formatOfName } from './extract.ts';
import { rejectDocument, skippedFrom } from './reject.ts';

export const SIDECAR_FILE = 'catalog.json';

/** One corpus file found on disk: its name and the SHA-256 of its bytes (its fingerprint). */
export interface CorpusEntry {
  name: string;
  hash: string;
}

/** The corpus directory as listed: files and their fingerprints, files refused unread, the sidecar. */
export interface CorpusScan {
  entries: CorpusEntry[];
  /** Files refused without reading them (unsupported type, over the size limit). */
  refused: SkippedFile[];
  sidecar?: CatalogSidecar;
  /** Raw sidecar text, part of the corpus fingerprint. */
  sidecarText?: string;
  maxBytes: number;
}

/** The corpus as read and extracted: documents, the files left out and why, and the sidecar. */
export interface CorpusSnapshot extends CorpusScan {
  files: SourceFile[];
  skipped: SkippedFile[];
  /** How many files were extracted in this run (the rest came from the extraction cache). */
  extracted: number;
}

export interface LoadCorpusOptions {
  /** Largest file read, in bytes (MAX_DOCUMENT_BYTES). */
  maxBytes?: number;
  /** Directory caching extractions by content hash; none when absent. */
  cacheDir?: string;
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hidden files, editors' temporaries and the sidecar are not documents and are not reported. */
function ignored(name: string): boolean {
  return name === SIDECAR_FILE || name.startsWith('.') || name.startsWith('~$') || name.endsWith('~');
}

async function readSidecar(root: string): Promise<Pick<CorpusScan, 'sidecar' | 'sidecarText'>> {
  let sidecarText: string;
  try {
    sidecarText = await readFile(join(root, SIDECAR_FILE), 'utf8');
  } catch {
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(sidecarText);
  } catch (cause) {
    throw new AppError('CORPUS_INVALID', `${SIDECAR_FILE} is not valid JSON`, { cause });
  }
  // One parse per scan: without zod's compiled fast path, as for the configuration (core/config.ts).
  const parsed = CatalogSidecarSchema.safeParse(json, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('CORPUS_INVALID', `${SIDECAR_FILE}: ${problems.join('; ')}`, { details: problems });
  }
  return { sidecar: parsed.data, sidecarText };
}

/**
 * Lists `dir` (sorted, not recursive) and fingerprints every document file by content; refuses files of
 * an unsupported type or over the size limit without reading them. Cheap: no extraction.
 */
export async function scanCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<CorpusScan> {
  const root = resolve(dir);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isFile() && !ignored(e.name))
      .map((e) => e.name)
      .sort();
  } catch (cause) {
    throw new AppError('CORPUS_EMPTY', `Cannot read the corpus directory ${root}; set CORPUS_DIR`, { cause });
  }
  const entries: CorpusEntry[] = [];
  const refused: SkippedFile[] = [];
  for (const name of names) {
    const path = join(root, name);
    if (!formatOfName(name)) {
      refused.push(
        skippedFrom(name, rejectDocument(name, 'unsupported', 'unsupported file type; see README "Formats"')),
      );
      continue;
    }
    const { size } = await stat(path);
    if (size > maxBytes) {
      refused.push({
        file: name,
        reason: 'too-large',
        message: `${size} bytes is over the limit of ${maxBytes} (MAX_DOCUMENT_BYTES)`,
      });
      continue;
    }
    entries.push({ name, hash: sha256(await readFile(path)) });
  }
  return { entries, refused, maxBytes, ...(await readSidecar(root)) };
}

type CachedExtraction = { file: Omit<SourceFile, 'name'> } | { skipped: Omit<SkippedFile, 'file'> };

/**
 * Reads and extracts every document of `dir`: text and Markdown as they are, PDF, DOCX and HTML through
 * their extractors. A file that cannot be read is skipped with the reason and never stops the others;
 * throws CORPUS_EMPTY only when no document at all is left. Extractions are cached by content hash.
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<CorpusSnapshot> {
  const root = resolve(dir);
  const scan = await scanCorpus(root, options);
  const files: SourceFile[] = [];
  const skipped: SkippedFile[] = [...scan.refused];
  let extracted = 0;
  for (const entry of scan.entries) {
    const cachePath = options.cacheDir
      ? join(options.cacheDir, `${sha256(`extractor ${EXTRACTOR_VERSION}\n${entry.hash}`)}.json`)
      : undefined;
    let cached: CachedExtraction | undefined;
    if (cachePath) cached = await readFile(cachePath, 'utf8').then(JSON.parse, () => undefined);
    if (!cached) {
      extracted++;
      const bytes = new Uint8Array(await readFile(join(root, entry.name)));
      try {
        const { name: _, ...file } = await extractFile(entry.name, bytes, { maxBytes: scan.maxBytes });
        cached = { file };
      } catch (error) {
        const { file: _, ...skip } = skippedFrom(entry.name, error);
        cached = { skipped: skip };
      }
      if (cachePath) {
        await mkdir(options.cacheDir as string, { recursive: true });
        const tmp = `${cachePath}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(cached));
        await rename(tmp, cachePath);
      }
    }
    if ('file' in cached) files.push({ name: entry.name, ...cached.file });
    else skipped.push({ file: entry.name, ...cached.skipped });
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : 1));
  if (files.length === 0) {
    const why = skipped.map((s) => `${s.file} (${s.reason})`).join(', ');
    throw new AppError(
      'CORPUS_EMPTY',
      `No readable documents in ${root}${why ? `: skipped ${why}` : ''}; add .txt, .md, .pdf, .docx or .html files or set CORPUS_DIR`,
      { details: skipped },
    );
  }
  return { ...scan, files, skipped, extracted };
}
