import { z } from 'zod';
import { ownBuffer } from '../core/bytes.ts';
import { AppError } from '../core/errors.ts';
import type { DocumentInfo, Passage } from '../core/types.ts';
import { decodeGloveSif } from '../embed/glove-sif.ts';
import { createStaticQueryEmbedder, type StaticModelFiles } from '../embed/static-query.ts';
import { createExactIndex } from './exact.ts';
import { LexicalIndex } from './lexical.ts';
import type { SearchIndex } from './search-index.ts';

/**
 * The runtime-neutral export of a built index: what a runtime without the file system, hnswlib or an ONNX
 * runtime (Cloudflare Workers) needs to answer exactly as the Node service does. Written by
 * `npm run build:worker` (export-index.node.ts), read here from any byte source (the Worker's ASSETS).
 */

/** Bump when the layout or meaning of an export file changes. */
export const EXPORT_FORMAT_VERSION = 1;

/** File names inside an export directory; `manifest.json` lists them all with their SHA-256. */
export const EXPORT_FILES = {
  manifest: 'manifest.json',
  documents: 'documents.json',
  passages: 'passages.json',
  /** Passage vectors, row-major little-endian float32, passage by passage in ordinal order. */
  vectors: 'vectors.f32',
  /** Sentence vectors, as in the Node index. */
  sentenceVectors: 'sentences.f32',
  /** MiniSearch's serialised BM25 state. */
  lexical: 'lexical.json',
  terms: 'terms.json',
  /** Raw corpus files by name (quotes are located in them). */
  sources: 'sources.json',
  /** The committed GloVe-SIF table and the words query expansion may add. */
  wordVectors: 'glove-sif.bin',
  expansion: 'expansion.json',
  /** The built-in model: its tokenizer, layout and ONNX file (whose initializers are the tables). */
  tokenizer: 'model/tokenizer.json',
  layout: 'model/static.json',
  model: 'model/model.onnx',
} as const;

export const ExportManifestSchema = z.object({
  exportFormatVersion: z.literal(EXPORT_FORMAT_VERSION),
  /** The Node index this was exported from. */
  buildId: z.string(),
  builtAt: z.string(),
  corpusFingerprint: z.string(),
  model: z.object({
    id: z.string(),
    dims: z.number().int().positive(),
    fingerprint: z.string(),
    quantized: z.boolean(),
    queryPrefix: z.string(),
  }),
  documentCount: z.number().int().nonnegative(),
  passageCount: z.number().int().nonnegative(),
  sentenceCount: z.number().int().nonnegative(),
  /** SHA-256 (hex) and size of every other file of the export. */
  files: z.record(z.string(), z.object({ sha256: z.string(), bytes: z.number().int().nonnegative() })),
});

export type ExportManifest = z.infer<typeof ExportManifestSchema>;

/** Reads one file of an export by its name in `EXPORT_FILES`; rejects when it is missing. */
export type ReadExportFile = (name: string) => Promise<Uint8Array>;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function float32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new AppError('INDEX_CORRUPT', 'a float32 file has a partial value');
  return new Float32Array(ownBuffer(bytes));
}

/** Row of each passage's first sentence (length passages + 1) and the passage of each sentence row. */
function sentenceLayout(passages: readonly Passage[]) {
  const offsets = new Uint32Array(passages.length + 1);
  passages.forEach((p, i) => {
    offsets[i + 1] = (offsets[i] ?? 0) + p.sentences.length;
  });
  const owner = new Uint32Array(offsets[passages.length] ?? 0);
  for (let i = 0; i < passages.length; i++) owner.fill(i, offsets[i] ?? 0, offsets[i + 1] ?? 0);
  return { offsets, owner };
}

/**
 * Opens an export: the manifest parses, every file it lists is there and matches its checksum, and the
 * vectors match the passage and sentence counts; otherwise INDEX_CORRUPT (INDEX_MISSING without a
 * manifest). Only the built-in model can embed queries here, so another model is refused (MODEL_INVALID).
 */
export async function openIndexExport(
  read: ReadExportFile,
): Promise<{ manifest: ExportManifest; index: SearchIndex }> {
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = await read(EXPORT_FILES.manifest);
  } catch (cause) {
    throw new AppError('INDEX_MISSING', 'No index export; run `npm run build:worker`', { cause });
  }
  const parsed = ExportManifestSchema.safeParse(safeJson(manifestBytes));
  if (!parsed.success)
    throw new AppError('INDEX_CORRUPT', 'The index export manifest is not valid; run `npm run build:worker`');
  const manifest = parsed.data;

  const bytes = new Map<string, Uint8Array>();
  await Promise.all(
    Object.entries(manifest.files).map(async ([name, expected]) => {
      let data: Uint8Array;
      try {
        data = await read(name);
      } catch (cause) {
        throw new AppError('INDEX_CORRUPT', `Index export file ${name} is missing`, { cause });
      }
      if (data.byteLength !== expected.bytes || (await sha256Hex(data)) !== expected.sha256)
        throw new AppError('INDEX_CORRUPT', `Index export file ${name} does not match its checksum`);
      bytes.set(name, data);
    }),
  );
  const file = (name: string): Uint8Array => {
    const data = bytes.get(name);
    if (!data) throw new AppError('INDEX_CORRUPT', `The index export manifest does not list ${name}`);
    return data;
  };
  const text = (name: string) => new TextDecoder().decode(file(name));
  const json = <T>(name: string) => JSON.parse(text(name)) as T;

  const passages = json<Passage[]>(EXPORT_FILES.passages);
  const { dims } = manifest.model;
  const vectors = float32(file(EXPORT_FILES.vectors));
  const sentenceVectors = float32(file(EXPORT_FILES.sentenceVectors));
  const layout = sentenceLayout(passages);
  if (
    passages.length !== manifest.passageCount ||
    vectors.length !== passages.length * dims ||
    sentenceVectors.length !== layout.owner.length * dims
  ) {
    throw new AppError('INDEX_CORRUPT', 'The index export vectors do not match its passages');
  }

  const embedder = createStaticQueryEmbedder({
    tokenizer: json(EXPORT_FILES.tokenizer),
    layout: json(EXPORT_FILES.layout),
    onnx: file(EXPORT_FILES.model),
    id: manifest.model.id,
    queryPrefix: manifest.model.queryPrefix,
  } satisfies StaticModelFiles);
  if (embedder.dims !== dims)
    throw new AppError('MODEL_INVALID', `The exported model gives ${embedder.dims} dims, the index ${dims}`);

  const table = decodeGloveSif(file(EXPORT_FILES.wordVectors));
  const candidates = json<Array<[number, string]>>(EXPORT_FILES.expansion);
  return {
    manifest,
    index: {
      documents: json<DocumentInfo[]>(EXPORT_FILES.documents),
      passages,
      sources: new Map(Object.entries(json<Record<string, string>>(EXPORT_FILES.sources))),
      vectors: createExactIndex(vectors, dims),
      sentences: createExactIndex(sentenceVectors, dims),
      lexical: LexicalIndex.fromJSON(text(EXPORT_FILES.lexical)),
      sentenceVectors,
      sentenceOffsets: layout.offsets,
      sentencePassage: layout.owner,
      documentFrequency: new Map(json<Array<[string, number]>>(EXPORT_FILES.terms)),
      embedder,
      builtAt: manifest.builtAt,
      wordVectors: { ...table, candidates },
    },
  };
}

function safeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}
