import { testConfig, openTestIndex } from './tests/setup/test-index.ts';
import { createPgliteClient } from './src/index/postgres/client.node.ts';
import { publishIndex } from './src/index/postgres/publish.node.ts';
import { openDatabaseIndex } from './src/index/postgres/open.node.ts';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
const config = testConfig();
let t = performance.now();
const fresh = !existsSync('.tmp/pglite-smoke');
const client = await createPgliteClient('.tmp/pglite-smoke');
console.log('pglite', performance.now() - t); t = performance.now();
if (fresh) {
const built = await openTestIndex();
const r = await publishIndex(client, { ...built, buildDir: join(resolve(config.INDEX_DIR), built.manifest.buildId) }, {onProgress: (p) => console.log(p.stage, p.done, (performance.now()-t).toFixed(0))});
console.log('publish', r, performance.now() - t); t = performance.now();
}
for (const q of ['SELECT info FROM kzqa_documents WHERE version_id = 1', 'SELECT passage FROM kzqa_passages WHERE version_id = 1', 'SELECT sentence_vectors FROM kzqa_passages WHERE version_id = 1', 'SELECT term, df FROM kzqa_term_stats WHERE version_id = 1 and field = 0', 'SELECT name, body FROM kzqa_sources WHERE version_id = 1']) {
  t = performance.now(); const r = await client.query(q); console.log(q, r.rows.length, (performance.now() - t).toFixed(0));
}
t = performance.now();
const db = await openDatabaseIndex(config, client);
console.log('open', performance.now() - t);
await client.close();
