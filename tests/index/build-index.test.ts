import { appendFile, copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/core/config.ts';
import { listFiles } from '../../src/core/files.node.ts';
import { INDEX_FORMAT_VERSION } from '../../src/core/manifest.ts';
import { stem } from '../../src/core/terms.ts';
import { unitRow, type WordVectors } from '../../src/embed/word-vectors.ts';
import { buildIndex, INDEX_FILES, MANIFEST_FILE } from '../../src/index/build-index.node.ts';
import { HnswIndex } from '../../src/index/hnsw.node.ts';
import { openIndex, openOrBuildIndex } from '../../src/index/load-index.node.ts';
import type { StoredVectorIndex, VectorIndex } from '../../src/index/types.ts';
import { createWordSearch } from '../../src/index/word-search.node.ts';
import { createQaService } from '../../src/retrieve/engine.ts';

/** A small corpus (one shipped file plus a markdown note) so each build takes a few seconds. */
async function smallCorpus(): Promise<{
  corpus: string;
  config: (extra?: Record<string, string>) => Config;
}> {
  const root = await mkdtemp(join(tmpdir(), 'qa-index-'));
  const corpus = join(root, 'corpus');
  await mkdir(corpus);
  await copyFile('corpus/001_e1c1b68bfc39f0f8.txt', join(corpus, '001_e1c1b68bfc39f0f8.txt'));
  await writeFile(
    join(corpus, 'note.md'),
    '# Akims and elections\n\nThe elections of rural akims started in 2021. They were held in many districts.\n',
  );
  const config = (extra: Record<string, string> = {}) =>
    loadConfig({
      CORPUS_DIR: corpus,
      INDEX_DIR: join(root, 'index'),
      MODELS_DIR: 'models',
      EMBEDDING_MODEL: 'builtin-static',
      AUTO_BUILD: 'false',
      ...extra,
    });
  return { corpus, config };
}

describe('buildIndex and openIndex', () => {
  let env: Awaited<ReturnType<typeof smallCorpus>>;
  beforeAll(async () => {
    env = await smallCorpus();
    await buildIndex(env.config());
  });

  it('writes a manifest naming format, model, dims, space, counts and corpus fingerprint', async () => {
    const manifest = JSON.parse(await readFile(join(env.config().INDEX_DIR, MANIFEST_FILE), 'utf8'));
    expect(manifest).toMatchObject({
      formatVersion: INDEX_FORMAT_VERSION,
      space: 'ip',
      model: { id: 'builtin-static' },
    });
    expect(manifest.passageCount).toBeGreaterThan(5);
    expect(manifest.model.dims).toBeGreaterThan(100);
    expect(manifest.corpusFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers the same after a reload as a fresh build would', async () => {
    const { index } = await openIndex(env.config());
    const result = await createQaService(index).ask({ question: 'When did elections of rural akims start?' });
    expect(result.passages[0]?.citation.source).toBe('note.md');
    const again = await createQaService((await openIndex(env.config())).index).ask({
      question: 'When did elections of rural akims start?',
    });
    expect(again.passages.map((p) => p.id)).toEqual(result.passages.map((p) => p.id));
  });

  it('detects a changed corpus as stale, and rebuilds it when AUTO_BUILD is on', async () => {
    const local = await smallCorpus();
    await buildIndex(local.config());
    await writeFile(join(local.corpus, 'new.txt'), 'Maslikhats approve local budgets.\n');
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_STALE.*corpus/);
    // A cluster worker told to swap takes the build the primary published, whatever the corpus did since.
    const published = await openIndex(local.config(), { published: true });
    expect(published.index.documents.map((d) => d.source)).not.toContain('new.txt');
    await expect(openOrBuildIndex(local.config())).rejects.toThrow(/INDEX_STALE/);
    const { rebuilt, index } = await openOrBuildIndex(local.config({ AUTO_BUILD: 'true' }));
    expect(rebuilt).toBe(true);
    expect(index.documents.map((d) => d.source)).toContain('new.txt');
  });

  it('detects a changed GloVe-SIF table as stale', async () => {
    const local = await smallCorpus();
    const models = join(await mkdtemp(join(tmpdir(), 'models-')), 'models');
    await cp('models/glove-sif', join(models, 'glove-sif'), { recursive: true });
    await buildIndex(local.config({ MODELS_DIR: models }));
    await appendFile(join(models, 'glove-sif', 'glove-sif-100d.bin'), 'x');
    await expect(openIndex(local.config({ MODELS_DIR: models }))).rejects.toThrow(
      /INDEX_STALE.*model inputs/,
    );
  });

  it('detects a different configured model as stale', async () => {
    await expect(openIndex(env.config({ EMBEDDING_QUANTIZED: 'false' }))).rejects.toThrow(/INDEX_STALE/);
  });

  it('refuses an index file that was edited or truncated', async () => {
    const local = await smallCorpus();
    const { buildDir } = await buildIndex(local.config());
    const path = join(buildDir, 'passages.json');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('akims', 'akimz'));
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_CORRUPT.*passages\.json/);
    await writeFile(path, text.slice(0, 100));
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_CORRUPT/);
  });

  it("checks the generated model's files by its fingerprint, and leaves unread files unhashed", async () => {
    const local = await smallCorpus();
    const { buildDir, manifest } = await buildIndex(local.config());
    const modelDir = join(buildDir, manifest.model.generatedDir ?? '');
    // The float variant is never read by a quantized index: damage to it does not stop a start.
    await appendFile(join(modelDir, 'onnx', 'model.onnx'), 'x');
    expect((await openIndex(local.config())).manifest.buildId).toBe(manifest.buildId);
    // A file the embedder reads is refused as a damaged index.
    await appendFile(join(modelDir, 'onnx', 'model_quantized.onnx'), 'x');
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_CORRUPT/);
  });

  it('reads the word search written at build time, and builds it for an index without one', async () => {
    const local = await smallCorpus();
    const { buildDir } = await buildIndex(local.config());
    const question = 'Who was jolted by the reforms of the akims?';
    const opened = await openIndex(local.config());
    const vectors = opened.index.wordVectors;
    const candidates = vectors?.candidates ?? [];
    expect(candidates.length).toBeGreaterThan(100);
    const built = createWordSearch(vectors as WordVectors, candidates);
    for (const row of [0, 10, 500, 5_000]) {
      const q = unitRow(vectors as WordVectors, row);
      expect(vectors?.nearest?.(q, 32)).toEqual(built(q, 32));
    }
    const answer = await createQaService(opened.index).ask({ question });
    // An index written before the file existed: its manifest does not list it.
    const manifestPath = join(local.config().INDEX_DIR, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    delete manifest.files[INDEX_FILES.expansionSearch];
    await writeFile(manifestPath, JSON.stringify(manifest));
    await rm(join(buildDir, INDEX_FILES.expansionSearch));
    const older = await openIndex(local.config());
    const again = await createQaService(older.index).ask({ question });
    expect({ ...again, tookMs: 0 }).toEqual({ ...answer, tookMs: 0 });
  });

  it('writes the passage vectors the graph holds, and opens an index without them to the same answers', async () => {
    const local = await smallCorpus();
    const { buildDir, manifest } = await buildIndex(local.config());
    const { dims } = manifest.model;
    const bytes = await readFile(join(buildDir, INDEX_FILES.passageVectors));
    const stored = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const graph = await HnswIndex.read(join(buildDir, INDEX_FILES.vectors), dims, manifest.passageCount, 64);
    expect(stored.length).toBe(manifest.passageCount * dims);
    for (let label = 0; label < manifest.passageCount; label++) {
      expect(stored.subarray(label * dims, (label + 1) * dims)).toEqual(graph.vector(label));
    }
    const question = 'When did elections of rural akims start?';
    const answer = await createQaService((await openIndex(local.config())).index).ask({ question });
    const manifestPath = join(local.config().INDEX_DIR, MANIFEST_FILE);
    const written = JSON.parse(await readFile(manifestPath, 'utf8'));
    delete written.files[INDEX_FILES.passageVectors];
    await writeFile(manifestPath, JSON.stringify(written));
    await rm(join(buildDir, INDEX_FILES.passageVectors));
    const again = await createQaService((await openIndex(local.config())).index).ask({ question });
    expect({ ...again, tookMs: 0 }).toEqual({ ...answer, tookMs: 0 });
  });

  it('gives each language but the most common its own dense index, searched beside the shared one', async () => {
    // 003 holds English with Kazakh and Russian abstracts; a low exact-scan limit makes its 45 passages take
    // the large-corpus path: the Kazakh passages get a graph of their own, the two Russian ones a scan.
    const local = await smallCorpus();
    await copyFile('corpus/003_9b0e67f1d2ff5f5f.txt', join(local.corpus, '003_9b0e67f1d2ff5f5f.txt'));
    const { buildDir, manifest } = await buildIndex(local.config(), { exactSearchMaxRows: 4 });
    const { index } = await openIndex(local.config());
    const ordinalsIn = (language: string) =>
      index.passages.flatMap((p, ordinal) => (p.language === language ? [ordinal] : []));
    const kk = ordinalsIn('kk');
    const ru = ordinalsIn('ru');
    expect([kk.length > 4, ru.length > 0 && ru.length <= 4]).toEqual([true, true]);
    expect(manifest.languageVectors).toEqual({
      kk: { rows: kk.length, file: expect.stringMatching(/^vectors\.lang\d\.hnsw$/) },
      ru: { rows: ru.length, file: expect.stringMatching(/^vectors\.lang\d\.f32$/) },
    });
    expect([...(index.vectorsByLanguage?.keys() ?? [])].sort()).toEqual(['kk', 'ru']);
    const shared = index.vectors as StoredVectorIndex;
    for (const [language, ordinals] of [
      ['kk', kk],
      ['ru', ru],
    ] as const) {
      const own = index.vectorsByLanguage?.get(language) as VectorIndex;
      for (const ordinal of ordinals) {
        const hits = await own.search(shared.vector(ordinal), ordinals.length);
        expect(hits[0]?.label).toBe(ordinal);
        expect(hits.map((h) => h.label).sort((a, b) => a - b)).toEqual(ordinals);
      }
    }
    // The shared search here is exact, so taking the Kazakh passages from their own index changes no answer
    // (their cosines come from the graph's float32 sums instead of the scan's, so equal to 1e-6).
    const question = 'Биліктің философиясы деген не?';
    const answer = await createQaService(index).ask({ question });
    const { vectorsByLanguage: _, ...withoutOwn } = index;
    const reference = await createQaService(withoutOwn).ask({ question });
    expect(answer.passages.map((p) => p.id)).toEqual(reference.passages.map((p) => p.id));
    expect(answer.passages.some((p) => p.language === 'kk')).toBe(true);
    answer.passages.forEach((p, i) => {
      expect(p.why?.dense?.score ?? 0).toBeCloseTo(reference.passages[i]?.why?.dense?.score ?? 0, 6);
    });

    // A language index that does not hold its language's passages is refused.
    const manifestPath = join(local.config().INDEX_DIR, MANIFEST_FILE);
    const written = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(
      manifestPath,
      JSON.stringify({
        ...written,
        languageVectors: {
          ...written.languageVectors,
          kk: { ...written.languageVectors.kk, rows: kk.length - 1 },
        },
      }),
    );
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_CORRUPT.*kk/);
    await writeFile(manifestPath, JSON.stringify(written));
    const ruFile = join(buildDir, written.languageVectors.ru.file);
    await writeFile(ruFile, (await readFile(ruFile)).subarray(4));
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_CORRUPT/);
  });

  it("writes the corpus words' stems as the stemmer gives them", async () => {
    const { buildDir } = await buildIndex(env.config());
    const table = JSON.parse(await readFile(join(buildDir, INDEX_FILES.stems), 'utf8')) as Array<
      [string, string]
    >;
    expect(table.map(([word]) => word)).toEqual(expect.arrayContaining(['akims', 'elections', 'districts']));
    for (const [word, stemmed] of table) expect(stem(word), word).toBe(stemmed);
  });

  it('refuses a manifest that is not JSON, and reports a missing index', async () => {
    const local = await smallCorpus();
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_MISSING/);
    await buildIndex(local.config());
    await writeFile(join(local.config().INDEX_DIR, MANIFEST_FILE), '{"formatVersion": 1,');
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_CORRUPT/);
  });

  it('keeps the previous index usable when a build dies half-way', async () => {
    const local = await smallCorpus();
    await buildIndex(local.config());
    // The caches under cache/ are content-addressed and may gain entries; the index itself must not change.
    const indexFiles = async () =>
      (await listFiles(local.config().INDEX_DIR)).filter((f) => !f.startsWith('cache/'));
    const before = await indexFiles();
    await writeFile(join(local.corpus, 'new.txt'), 'Maslikhats approve local budgets.\n');
    await expect(
      buildIndex(local.config(), {
        onProgress: (p) => {
          if (p.stage === 'writing files') throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow(/simulated crash/);
    expect(await indexFiles()).toEqual(before);
    // The old index is intact; it is merely stale for the changed corpus.
    await expect(openIndex(local.config())).rejects.toThrow(/INDEX_STALE/);
  });
});
