import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../core/errors.ts';
import type { SourceFile } from '../core/types.ts';
import { type CatalogSidecar, CatalogSidecarSchema } from './catalog.ts';

export const SIDECAR_FILE = 'catalog.json';
const DOCUMENT_FILE = /\.(txt|md)$/i;

/** The corpus as read from disk: documents plus the optional catalogue sidecar (parsed and as text). */
export interface CorpusSnapshot {
  files: SourceFile[];
  sidecar?: CatalogSidecar;
  /** Raw sidecar text, part of the corpus fingerprint. */
  sidecarText?: string;
}

/** Reads every `.txt` / `.md` file of `dir` (sorted, not recursive) and `catalog.json` if present. */
export async function loadCorpus(dir: string): Promise<CorpusSnapshot> {
  const root = resolve(dir);
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isFile() && DOCUMENT_FILE.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (cause) {
    throw new AppError('CORPUS_EMPTY', `Cannot read the corpus directory ${root}; set CORPUS_DIR`, { cause });
  }
  if (names.length === 0) {
    throw new AppError('CORPUS_EMPTY', `No .txt or .md files in ${root}; add documents or set CORPUS_DIR`);
  }
  const files = await Promise.all(
    names.map(async (name) => ({ name, text: await readFile(join(root, name), 'utf8') })),
  );

  let sidecarText: string | undefined;
  try {
    sidecarText = await readFile(join(root, SIDECAR_FILE), 'utf8');
  } catch {
    return { files };
  }
  let json: unknown;
  try {
    json = JSON.parse(sidecarText);
  } catch (cause) {
    throw new AppError('CORPUS_INVALID', `${SIDECAR_FILE} is not valid JSON`, { cause });
  }
  const parsed = CatalogSidecarSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('CORPUS_INVALID', `${SIDECAR_FILE}: ${problems.join('; ')}`, { details: problems });
  }
  return { files, sidecar: parsed.data, sidecarText };
}
