import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../../src/index/postgres/client.node.ts';
import { openDatabaseIndex } from '../../src/index/postgres/open.node.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../src/index/postgres/schema.ts';
import type { SqlClient } from '../../src/index/postgres/sql.ts';
import { testConfig } from '../setup/test-index.ts';

/** Upgrading a database written by an older version of the service (PGlite, in process). */
describe('database migrations', () => {
  let client: SqlClient;
  beforeAll(async () => {
    client = await createPgliteClient();
    expect(await migrate(client, MIGRATIONS.slice(0, 1))).toEqual([1]);
    const { rows } = await client.query<{ id: string }>(
      "INSERT INTO kzqa_versions (build_id, state) VALUES ('old', 'ready') RETURNING id",
    );
    await client.query("INSERT INTO kzqa_sources (version_id, name, body) VALUES ($1, 'a.pdf', 'text')", [
      rows[0]?.id,
    ]);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('refuses to open a database whose schema is behind, naming the command that upgrades it', async () => {
    await expect(openDatabaseIndex(testConfig(), client)).rejects.toThrow(
      /migration 1, this version needs \d+; run `npm run db:migrate`/,
    );
  });

  it('applies only the missing migrations, keeps the rows already stored, and is idempotent', async () => {
    expect(await migrate(client)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(await migrate(client)).toEqual([]);
    const { rows } = await client.query<{ v: number }>('SELECT max(version) AS v FROM kzqa_migrations');
    expect(Number(rows[0]?.v)).toBe(SCHEMA_VERSION);
    // A source stored before the format and page spans were kept has neither; readers fall back.
    const sources = await client.query('SELECT name, body, format, pages FROM kzqa_sources');
    expect(sources.rows).toEqual([{ name: 'a.pdf', body: 'text', format: null, pages: null }]);
  });
});
