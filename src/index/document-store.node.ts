import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { extractFile, formatOfName } from '../ingest/extract.ts';
import type { AdminControl, DocumentChange, DocumentStore } from './types.ts';

/** A corpus file name: no path, no leading dot, letters, digits, spaces and `._()-` only. */
const SAFE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._()-]{0,150}$/u;

/**
 * The corpus directory as the admin endpoints change it. An upload is checked the way the build reads
 * it (size limit, content against the extension, a text layer, no password) before it is stored, and is
 * stored atomically (written under a hidden temporary name, then renamed), so a build never sees half a
 * file; every change starts an incremental rebuild.
 */
export function createDocumentStore(options: {
  config: Pick<Config, 'CORPUS_DIR' | 'MAX_DOCUMENT_BYTES'>;
  reindex: AdminControl['reindex'];
  /** Source file of a document id, from the index being served. */
  sourceOf: (id: string) => { source: string; ids: string[] } | undefined;
}): DocumentStore {
  const root = resolve(options.config.CORPUS_DIR);
  const files = async () => new Set(await readdir(root));
  return {
    async add(name, bytes): Promise<DocumentChange> {
      if (!SAFE_NAME.test(name) || name === 'catalog.json') {
        throw new AppError(
          'INVALID_REQUEST',
          `file name "${name.slice(0, 80)}": use letters, digits, spaces and ._()- only`,
          {
            details: [{ field: 'file', message: 'unsafe file name' }],
          },
        );
      }
      if (!formatOfName(name)) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          `file "${name}": upload .txt, .md, .pdf, .docx or .html files`,
        );
      }
      if (bytes.length > options.config.MAX_DOCUMENT_BYTES) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `file "${name}" has ${bytes.length} bytes, over MAX_DOCUMENT_BYTES (${options.config.MAX_DOCUMENT_BYTES})`,
        );
      }
      // Refused here exactly as the build would skip it: DOCUMENT_REJECTED with the reason.
      await extractFile(name, bytes, { maxBytes: options.config.MAX_DOCUMENT_BYTES });
      const replaced = (await files()).has(name);
      const tmp = join(root, `.upload-${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, join(root, name));
      } catch (cause) {
        await rm(tmp, { force: true });
        throw new AppError('INTERNAL', `Cannot store ${name} in the corpus directory`, { cause });
      }
      return { file: name, replaced, reindex: await options.reindex() };
    },
    async remove(id): Promise<DocumentChange | undefined> {
      const found = options.sourceOf(id);
      const file = found?.source ?? ((await files()).has(id) && SAFE_NAME.test(id) ? id : undefined);
      if (!file || file === 'catalog.json') return undefined;
      const documents = [...(await files())].filter((f) => formatOfName(f) && !f.startsWith('.'));
      if (documents.length <= 1 && documents.includes(file)) {
        throw new AppError(
          'CONFLICT',
          `${file} is the corpus' last document; add another before removing it`,
        );
      }
      await rm(join(root, file), { force: true });
      return { file, removed: found?.ids ?? [], reindex: await options.reindex() };
    },
  };
}
