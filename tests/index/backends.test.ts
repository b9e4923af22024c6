import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabaseIndex } from '../../src/index/postgres/open.node.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { createTestDatabase, DATABASES, publishLoaded, type TestDatabase } from '../setup/database.ts';
import { openTestIndex, testConfig } from '../setup/test-index.ts';
import { indexBackendContract } from './backend-contract.ts';

/** One contract, every backend: the file index, and PostgreSQL (PGlite; a real server when configured). */
describe('index backend: files', () => {
  let reference: SearchIndex;
  let index: SearchIndex;
  beforeAll(async () => {
    reference = (await openTestIndex()).index;
    index = (await openTestIndex()).index;
  });
  indexBackendContract(() => ({ index, reference }));
});

for (const name of DATABASES) {
  describe(`index backend: postgres (${name})`, () => {
    let database: TestDatabase;
    let reference: SearchIndex;
    let index: SearchIndex;
    beforeAll(async () => {
      const loaded = await openTestIndex();
      reference = loaded.index;
      database = await createTestDatabase(name);
      await publishLoaded(database.client, testConfig(), loaded);
      index = (await openDatabaseIndex(testConfig(), database.client)).index;
    }, 900_000);
    afterAll(async () => {
      await database?.drop();
    });
    indexBackendContract(() => ({ index, reference }));
  });
}
