import { z } from 'zod';

/**
 * The versioned description of a built index, written last (atomically) as `index/manifest.json`.
 * Loading compares it with the corpus and the configured model before trusting any index file.
 */

/** Bump when the layout or meaning of any index file changes; older indexes are then rebuilt. */
export const INDEX_FORMAT_VERSION = 5;

export const ManifestSchema = z.object({
  formatVersion: z.number().int(),
  /** Directory under the index root holding this build's files. */
  buildId: z.string().regex(/^[A-Za-z0-9._-]+$/),
  builtAt: z.string(),
  buildSeconds: z.number(),
  model: z.object({
    id: z.string(),
    fingerprint: z.string(),
    dims: z.number().int().positive(),
    quantized: z.boolean(),
    queryPrefix: z.string(),
    passagePrefix: z.string(),
    /** Model directory relative to the build directory, for models generated at index time. */
    generatedDir: z.string().optional(),
  }),
  space: z.literal('ip'),
  documentCount: z.number().int().nonnegative(),
  passageCount: z.number().int().nonnegative(),
  sentenceCount: z.number().int().nonnegative(),
  /** Hash of the corpus files, the catalogue sidecar and the chunker settings. */
  corpusFingerprint: z.string(),
  hnsw: z.object({
    m: z.number().int(),
    efConstruction: z.number().int(),
    efSearch: z.number().int(),
    /** Search ef of the sentence graph (it holds several times more vectors than the passage graph). */
    sentenceEfSearch: z.number().int().optional(),
    randomSeed: z.number().int(),
  }),
  /**
   * The dense index of each language but the most common one (index/language-partitions.ts): its passage
   * count and file, `.f32` (searched exactly) or `.hnsw`. Absent while every passage is searched exactly.
   */
  languageVectors: z
    .record(
      z.string(),
      // Numbered, not named after the language: a catalogue may give any language string.
      z.object({
        rows: z.number().int().positive(),
        file: z.string().regex(/^vectors\.lang\d+\.(f32|hnsw)$/),
      }),
    )
    .optional(),
  /** Corpus files left out of this build, with the reason. */
  skipped: z.array(z.object({ file: z.string(), reason: z.string(), message: z.string() })).optional(),
  /** What this build redid and what it took from the caches (incremental builds). */
  work: z
    .object({
      files: z.number().int(),
      extracted: z.number().int(),
      /** Files chunked by this build; absent in indexes built before the chunk cache. */
      chunked: z.number().int().optional(),
      embedded: z.number().int(),
      embeddedFromCache: z.number().int(),
    })
    .optional(),
  /** SHA-256 of every file in the build directory (relative path → hex digest). */
  files: z.record(z.string(), z.string()),
});

export type Manifest = z.infer<typeof ManifestSchema>;

/** What the running configuration expects an index to have been built with. */
export interface IndexExpectation {
  corpusFingerprint: string;
  modelId: string;
  quantized: boolean;
  queryPrefix: string;
  passagePrefix: string;
  /** Known only for pretrained models before loading the index; generated models are checked by file hash. */
  modelFingerprint?: string;
}

/**
 * Reasons the manifest does not match what the configuration expects; empty when the index is current.
 */
export function staleReasons(manifest: Manifest, expected: IndexExpectation): string[] {
  const reasons: string[] = [];
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
    reasons.push(`index format ${manifest.formatVersion}, this version reads ${INDEX_FORMAT_VERSION}`);
  }
  if (manifest.corpusFingerprint !== expected.corpusFingerprint)
    reasons.push('the corpus, its catalogue or the built-in model inputs changed');
  if (manifest.model.id !== expected.modelId) {
    reasons.push(`built with model ${manifest.model.id}, configured ${expected.modelId}`);
  }
  if (manifest.model.quantized !== expected.quantized) reasons.push('EMBEDDING_QUANTIZED changed');
  if (
    manifest.model.queryPrefix !== expected.queryPrefix ||
    manifest.model.passagePrefix !== expected.passagePrefix
  ) {
    reasons.push('embedding prefixes changed');
  }
  if (expected.modelFingerprint !== undefined && manifest.model.fingerprint !== expected.modelFingerprint) {
    reasons.push('the model files changed');
  }
  return reasons;
}
