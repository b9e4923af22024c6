import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BUILTIN_MODEL_ID, type Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { removeDir, sha256 } from '../core/files.node.ts';
import { embeddingText, gloveSifPath, INDEX_FILES } from './build-index.node.ts';
import { EXPORT_FILES, EXPORT_FORMAT_VERSION, type ExportManifest } from './export.ts';
import type { LoadedIndex } from './load-index.node.ts';

/**
 * Writes the runtime-neutral export of a loaded index (see export.ts) into `outDir`, replacing what was
 * there only once everything is written.
 */
export async function exportIndex(
  config: Config,
  loaded: LoadedIndex,
  outDir: string,
): Promise<{ manifest: ExportManifest; bytes: Record<string, number> }> {
  const { manifest: source, index } = loaded;
  if (source.model.id !== BUILTIN_MODEL_ID || source.model.generatedDir === undefined) {
    throw new AppError(
      'MODEL_INVALID',
      `The Worker embeds questions with the built-in model only; this index uses ${source.model.id} ` +
        '(export an index built with EMBEDDING_MODEL=builtin-static)',
    );
  }
  const target = resolve(outDir);
  const tmp = `${target}.tmp-${process.pid}`;
  await removeDir(tmp);
  const indexDir = tmp;
  await mkdir(join(indexDir, 'model'), { recursive: true });
  const buildDir = join(resolve(config.INDEX_DIR), source.buildId);
  const modelDir = join(buildDir, source.model.generatedDir);

  const packed = await passageVectors(loaded);

  const written: Record<string, Uint8Array | string> = {
    [EXPORT_FILES.vectors]: new Uint8Array(packed.buffer),
    [EXPORT_FILES.sources]: JSON.stringify(Object.fromEntries(index.sources)),
  };
  const copied: Record<string, string> = {
    [EXPORT_FILES.documents]: join(buildDir, INDEX_FILES.documents),
    [EXPORT_FILES.passages]: join(buildDir, INDEX_FILES.passages),
    [EXPORT_FILES.sentenceVectors]: join(buildDir, INDEX_FILES.sentenceVectors),
    [EXPORT_FILES.lexical]: join(buildDir, INDEX_FILES.lexical),
    [EXPORT_FILES.terms]: join(buildDir, INDEX_FILES.terms),
    [EXPORT_FILES.expansion]: join(buildDir, INDEX_FILES.expansion),
    [EXPORT_FILES.wordVectors]: gloveSifPath(config),
    [EXPORT_FILES.tokenizer]: join(modelDir, 'tokenizer.json'),
    [EXPORT_FILES.layout]: join(modelDir, 'static.json'),
    [EXPORT_FILES.model]: join(
      modelDir,
      'onnx',
      source.model.quantized ? 'model_quantized.onnx' : 'model.onnx',
    ),
  };
  const files: ExportManifest['files'] = {};
  for (const [name, data] of Object.entries(written)) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    await writeFile(join(indexDir, name), bytes);
    files[name] = { sha256: sha256(bytes), bytes: bytes.byteLength };
  }
  for (const [name, from] of Object.entries(copied)) {
    const bytes = await readFile(from);
    await writeFile(join(indexDir, name), bytes);
    files[name] = { sha256: sha256(bytes), bytes: bytes.byteLength };
  }
  const manifest: ExportManifest = {
    exportFormatVersion: EXPORT_FORMAT_VERSION,
    buildId: source.buildId,
    builtAt: source.builtAt,
    corpusFingerprint: source.corpusFingerprint,
    model: {
      id: source.model.id,
      dims: source.model.dims,
      fingerprint: source.model.fingerprint,
      quantized: source.model.quantized,
      queryPrefix: source.model.queryPrefix,
    },
    documentCount: source.documentCount,
    passageCount: source.passageCount,
    sentenceCount: source.sentenceCount,
    files,
  };
  await writeFile(join(indexDir, EXPORT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);

  await removeDir(target);
  await mkdir(dirname(target), { recursive: true });
  await rename(tmp, target);
  const bytes = Object.fromEntries(Object.entries(files).map(([name, f]) => [name, f.bytes]));
  return { manifest, bytes };
}

/**
 * The passage vectors of a loaded index, row-major by ordinal: embedded again with the index's own model
 * (deterministic: a static model's vector does not depend on its batch), as the HNSW graph keeps no plain
 * copy of them.
 */
export async function passageVectors({ index, embedder }: Pick<LoadedIndex, 'index' | 'embedder'>) {
  const documentsById = new Map(index.documents.map((d) => [d.id, d]));
  const vectors = await embedder.embedPassages(
    index.passages.map((p) => embeddingText(p, documentsById.get(p.documentId))),
  );
  const packed = new Float32Array(vectors.length * embedder.dims);
  vectors.forEach((v, i) => {
    packed.set(v, i * embedder.dims);
  });
  return packed;
}
