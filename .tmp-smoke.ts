import { testConfig, openTestIndex } from './tests/setup/test-index.ts';
import { createPgliteClient } from './src/index/postgres/client.node.ts';
import { publishIndex } from './src/index/postgres/publish.node.ts';
import { openDatabaseIndex } from './src/index/postgres/open.node.ts';
import { join, resolve } from 'node:path';
import { terms } from './src/core/terms.ts';
const config = testConfig();
let t = performance.now();
const client = await createPgliteClient();
console.log('pglite', performance.now() - t); t = performance.now();
const built = await openTestIndex();
const r = await publishIndex(client, { ...built, buildDir: join(resolve(config.INDEX_DIR), built.manifest.buildId) });
console.log('publish', r, performance.now() - t); t = performance.now();
const db = await openDatabaseIndex(config, client);
console.log('open', performance.now() - t);
for (const q of ['tax revenue in Kazakhstan', 'oil price shock inflation', 'нефть экономика']) {
  const m = new Map(terms(q).map((x, i) => [x, i === 0 ? 1 : 0.7]));
  const a = built.index.lexical.search(m, 10) as any[];
  t = performance.now();
  const b = await db.index.lexical.search(m, 10);
  console.log(q, performance.now() - t);
  console.log(a.map((h) => `${h.label}:${h.score.toFixed(12)}:${h.matched}`).join(' '));
  console.log(b.map((h) => `${h.label}:${h.score.toFixed(12)}:${h.matched}`).join(' '));
  const qv = await built.embedder.embedQuery(q);
  console.log((built.index.vectors.search(qv, 5) as any[]).map((h) => `${h.label}:${h.score.toFixed(6)}`).join(' '));
  console.log((await db.index.vectors.search(qv, 5)).map((h) => `${h.label}:${h.score.toFixed(6)}`).join(' '));
}
