import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabaseIndex } from '../../src/index/postgres/open.node.ts';
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
    beforeAll(async () => {
      const [loaded, mixed] = await Promise.all([openTestIndex(), openMixedIndex()]);
      database = await createTestDatabase(name);
      // Two versions in one database (the builder keeps the previous one), each opened by its id.
      const shipped = await publishLoaded(database.client, testConfig(), loaded);
      const other = await publishLoaded(database.client, mixedConfig(), mixed);
      subjects = {
        index: (await openDatabaseIndex(testConfig(), database.client, shipped.version)).index,
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
  });
}
