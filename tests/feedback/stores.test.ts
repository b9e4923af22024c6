import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { createSqliteFeedbackStore } from '../../src/feedback/sqlite-store.node.ts';
import { askAt, feedbackStoreContract } from './store-contract.ts';

const tempFile = async () => join(await mkdtemp(join(tmpdir(), 'feedback-')), 'nested', 'analytics.sqlite');

feedbackStoreContract('memory', async () => createMemoryFeedbackStore());
feedbackStoreContract('sqlite file', async () => createSqliteFeedbackStore(await tempFile()));
feedbackStoreContract('sqlite :memory:', async () => createSqliteFeedbackStore(':memory:'));

describe('createSqliteFeedbackStore', () => {
  it('keeps asks and feedback across a restart', async () => {
    const path = await tempFile();
    const first = createSqliteFeedbackStore(path);
    await first.addAsk(askAt('a', 1000));
    await first.setFeedback({ askId: 'a', rating: 'down', reason: 'no', at: 1001 });
    await first.close();
    const second = createSqliteFeedbackStore(path);
    expect((await second.listAsks({ from: 0, to: 2000 }))[0]?.feedback?.reason).toBe('no');
    await second.close();
  });

  it('stores no column that could hold a reader identity', async () => {
    const path = await tempFile();
    await createSqliteFeedbackStore(path).close();
    const db = new Database(path, { readonly: true });
    const columns = ['asks', 'feedback'].flatMap((table) =>
      (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name),
    );
    db.close();
    expect(columns.filter((c) => /ip|addr|user|reader|chat|cookie|agent/i.test(c))).toEqual([]);
  });

  it('refuses a database written by a newer schema version', async () => {
    const path = await tempFile();
    await createSqliteFeedbackStore(path).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => createSqliteFeedbackStore(path)).toThrow(/CONFIG_INVALID.*schema version 99/);
  });
});
