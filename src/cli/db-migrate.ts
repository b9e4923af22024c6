import { loadConfig } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { databaseClient } from '../index/postgres/replica.node.ts';
import { migrate, SCHEMA_VERSION } from '../index/postgres/schema.ts';
import { runCli } from './open.node.ts';

/** `npm run db:migrate`: brings the schema at DATABASE_URL up to this version's (safe to run twice). */
runCli(async () => {
  const config = loadConfig(process.env);
  if (!config.DATABASE_URL) {
    throw new AppError(
      'CONFIG_INVALID',
      'DATABASE_URL is not set; it names the PostgreSQL database to migrate',
    );
  }
  const client = databaseClient(config);
  try {
    const applied = await migrate(client);
    process.stdout.write(
      applied.length > 0
        ? `applied migrations ${applied.join(', ')}; schema at ${SCHEMA_VERSION}\n`
        : `schema already at ${SCHEMA_VERSION}\n`,
    );
  } finally {
    await client.close();
  }
});
