import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/ingest/load-corpus.node.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'corpus-'));

describe('loadCorpus', () => {
  it('reads .txt and .md files in name order and ignores others', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'b.md'), '# B');
    await writeFile(join(dir, 'a.txt'), 'A');
    await writeFile(join(dir, 'c.pdf'), 'C');
    expect((await loadCorpus(dir)).files.map((f) => f.name)).toEqual(['a.txt', 'b.md']);
  });

  it('reports an empty or missing directory', async () => {
    await expect(loadCorpus(await tmp())).rejects.toThrow(/CORPUS_EMPTY/);
    await expect(loadCorpus('/nonexistent/corpus')).rejects.toThrow(/CORPUS_EMPTY/);
  });

  it('reports a catalog.json that is not JSON or has wrong fields', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'a.txt'), 'A');
    await writeFile(join(dir, 'catalog.json'), '{');
    await expect(loadCorpus(dir)).rejects.toThrow(/CORPUS_INVALID.*not valid JSON/);
    await writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify({ documents: [{ file: 'a.txt', authors: 'me' }] }),
    );
    await expect(loadCorpus(dir)).rejects.toThrow(/CORPUS_INVALID.*documents\.0\.authors/);
  });
});
