import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresVectorIndex, vectorSearchSql, vectorTable } from '../../src/index/postgres/legs.ts';
import { openDatabaseIndex } from '../../src/index/postgres/open.node.ts';
import type { PassageFilter } from '../../src/index/types.ts';
import { createTestDatabase, DATABASES, publishLoaded, type TestDatabase } from '../setup/database.ts';
import { mixedConfig, openMixedIndex, openTestIndex, testConfig } from '../setup/test-index.ts';
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
  });
}
