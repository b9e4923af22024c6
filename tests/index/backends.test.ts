import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { buildIndex } from '../../src/index/build-index.node.ts';
import { openIndex } from '../../src/index/load-index.node.ts';
import { PostgresVectorIndex, vectorSearchSql, vectorTable } from '../../src/index/postgres/legs.ts';
import { openDatabaseIndex } from '../../src/index/postgres/open.node.ts';
import type { PassageFilter, StoredVectorIndex, VectorIndex } from '../../src/index/types.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { createTestDatabase, DATABASES, publishLoaded, type TestDatabase } from '../setup/database.ts';
import {
  machineEnv,
  mixedConfig,
  openMixedIndex,
  openTestIndex,
  TEST_INDEX_ENV,
  testConfig,
} from '../setup/test-index.ts';
import { type ContractSubject, indexBackendContract } from './backend-contract.ts';

type Subjects = ContractSubject & { mixed: ContractSubject };

/** One contract, every backend: the file index, and PostgreSQL (PGlite; a real server when configured). */
describe('index backend: files', () => {
  let subjects: Subjects;
  beforeAll(async () => {
    const [reference, index, mixedReference, mixed] = await Promise.all([
      openTestIndex(),
      openTestIndex(),
      openMixedIndex(),
      openMixedIndex(),
    ]);
    subjects = {
      index: index.index,
      reference: reference.index,
      mixed: { index: mixed.index, reference: mixedReference.index },
    };
  });
  indexBackendContract(() => subjects);
});

for (const name of DATABASES) {
  describe(`index backend: postgres (${name})`, () => {
    let database: TestDatabase;
    let subjects: Subjects;
    let shipped: number;
    beforeAll(async () => {
      const [loaded, mixed] = await Promise.all([openTestIndex(), openMixedIndex()]);
      database = await createTestDatabase(name);
      // Two versions in one database (the builder keeps the previous one), each opened by its id.
      const published = await publishLoaded(database.client, testConfig(), loaded);
      shipped = published.version;
      const other = await publishLoaded(database.client, mixedConfig(), mixed);
      subjects = {
        index: (await openDatabaseIndex(testConfig(), database.client, shipped)).index,
        reference: loaded.index,
        mixed: {
          index: (await openDatabaseIndex(mixedConfig(), database.client, other.version)).index,
          reference: mixed.index,
        },
      };
    }, 900_000);
    afterAll(async () => {
      await database?.drop();
    });
    indexBackendContract(() => subjects);

    // The contract's corpus is small enough to be scanned exactly; the graph walk larger tables take is
    // checked here on the same table, against the exact scan.
    it('walks the HNSW graph of a table above the exact-scan size, with recall@10 of at least 0.95', async () => {
      const reference = subjects.reference;
      const graph = new PostgresVectorIndex({
        client: database.client,
        table: vectorTable(shipped),
        label: 'ordinal',
        dims: reference.vectors.dims,
        size: reference.vectors.size,
        efSearch: 40,
        exactMaxRows: 0,
      });
      let found = 0;
      let wanted = 0;
      const filter: PassageFilter = { kinds: ['body'] };
      for (const p of reference.passages.filter((_, i) => i % 17 === 0)) {
        const query = await reference.embedder.embedQuery(p.text.slice(0, 200));
        for (const f of [undefined, filter]) {
          const exact = await subjects.index.vectors.search(query, 10, undefined, f);
          const walked = await graph.search(query, 10, undefined, f);
          expect(walked).toHaveLength(exact.length);
          const labels = new Set(walked.map((h) => h.label));
          found += exact.filter((h) => labels.has(h.label)).length;
          wanted += exact.length;
        }
      }
      expect(wanted).toBeGreaterThan(200);
      expect(found / wanted).toBeGreaterThanOrEqual(0.95);
    }, 300_000);

    it('plans the graph walk through the HNSW index and the exact search as a full scan', async () => {
      const plan = async (exact: boolean) => {
        const { settings, sql } = vectorSearchSql(vectorTable(shipped), 'ordinal', exact, 40);
        return database.client.transaction(async (tx) => {
          await tx.exec(settings);
          const query = `[${Array.from({ length: subjects.reference.vectors.dims }, () => 0.05).join(',')}]`;
          const { rows } = await tx.query<Record<string, string>>(`EXPLAIN ${sql}`, [
            query,
            10,
            ['body'],
            null,
            null,
          ]);
          return rows.map((r) => Object.values(r).join(' ')).join('\n');
        });
      };
      expect(await plan(false)).toMatch(/Index Scan using \S*embedding\S* on/);
      const exact = await plan(true);
      expect(exact).toMatch(/Seq Scan on/);
      expect(exact).not.toMatch(/Index Scan/);
    });

    it('searches each language’s own passages through its partial graph or a scan, as the file backend does', async () => {
      const { config, loaded } = await partitionedIndex();
      const own = await createTestDatabase(name);
      try {
        const { version } = await publishLoaded(own.client, config, loaded);
        const { index } = await openDatabaseIndex(config, own.client, version);
        const files = loaded.index;
        expect([...(index.vectorsByLanguage?.keys() ?? [])].sort()).toEqual(['kk', 'ru']);
        const shared = files.vectors as StoredVectorIndex;
        for (const [language, mine] of files.vectorsByLanguage ?? []) {
          const theirs = index.vectorsByLanguage?.get(language) as VectorIndex;
          const ordinals = files.passages.flatMap((p, i) => (p.language === language ? [i] : []));
          for (const ordinal of ordinals) {
            const vector = shared.vector(ordinal);
            const [a, b] = [await theirs.search(vector, 4), await mine.search(vector, 4)];
            expect(a.map((h) => h.label)).toEqual(b.map((h) => h.label));
            a.forEach((h, i) => {
              expect(h.score).toBeCloseTo(b[i]?.score ?? 0, 5);
            });
          }
        }
        // The Kazakh graph is the partial index on that language, the one the planner picks for its search.
        const { rows } = await own.client.query<{ indexname: string; indexdef: string }>(
          'SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1',
          [vectorTable(version)],
        );
        const partial = rows.filter((r) => /WHERE/.test(r.indexdef));
        expect(partial.map((r) => r.indexdef)).toEqual([
          expect.stringMatching(/hnsw.*WHERE.*language.*'kk'/s),
        ]);
        const { settings, sql } = vectorSearchSql(vectorTable(version), 'ordinal', false, 40, 'kk');
        const plan = await own.client.transaction(async (tx) => {
          await tx.exec(settings);
          const query = `[${Array.from({ length: files.vectors.dims }, () => 0.05).join(',')}]`;
          const explained = await tx.query<Record<string, string>>(`EXPLAIN ${sql}`, [
            query,
            10,
            ['body'],
            null,
            null,
          ]);
          return explained.rows.map((r) => Object.values(r).join(' ')).join('\n');
        });
        expect(plan).toContain(`Index Scan using ${partial[0]?.indexname} on`);
        // End to end, a Kazakh question gets the same passages from both backends.
        const question = 'Биліктің философиясы деген не?';
        const [a, b] = [
          await createQaService(index).ask({ question }),
          await createQaService(files).ask({ question }),
        ];
        expect(a.passages.map((p) => p.id)).toEqual(b.passages.map((p) => p.id));
        expect(a.passages.some((p) => p.language === 'kk')).toBe(true);
      } finally {
        await own.drop();
      }
    }, 300_000);
  });
}

/**
 * Two corpus files with Kazakh and Russian abstracts, built with a low exact-scan limit so their passages
 * take the large-corpus path: a graph of the Kazakh passages (more than 8), a scan of the Russian ones. Built once.
 */
let partitioned: ReturnType<typeof buildPartitioned> | undefined;
const partitionedIndex = () => {
  partitioned ??= buildPartitioned();
  return partitioned;
};

async function buildPartitioned() {
  const root = await mkdtemp(join(tmpdir(), 'qa-languages-'));
  await mkdir(join(root, 'corpus'));
  for (const file of ['003_9b0e67f1d2ff5f5f.txt', '004_3da7ff6f95c4d697.txt']) {
    await copyFile(join('corpus', file), join(root, 'corpus', file));
  }
  const config = loadConfig({
    ...machineEnv(),
    ...TEST_INDEX_ENV,
    CORPUS_DIR: join(root, 'corpus'),
    INDEX_DIR: join(root, 'index'),
  });
  const { manifest } = await buildIndex(config, { exactSearchMaxRows: 8 });
  expect(manifest.languageVectors).toEqual({
    kk: { rows: expect.any(Number), file: expect.stringMatching(/\.hnsw$/) },
    ru: { rows: expect.any(Number), file: expect.stringMatching(/\.f32$/) },
  });
  return { config, loaded: await openIndex(config) };
}
