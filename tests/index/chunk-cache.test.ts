import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { chunkCorpus, DEFAULT_CHUNK_OPTIONS, estimateTokens } from '../../src/chunk/chunk-corpus.ts';
import type { SourceFile } from '../../src/core/types.ts';
import { type ChunkTokens, chunkCorpusCached } from '../../src/index/chunk-cache.node.ts';
import { buildCatalog, type CatalogSidecar } from '../../src/ingest/catalog.ts';

const paragraph = (topic: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `The ${topic} reform of year ${2000 + i} changed how deputies are elected in the regions.`,
  ).join(' ');

const FILES: SourceFile[] = [
  { name: 'a.md', text: `# Parties\n\n${paragraph('party', 30)}\n\n## Lists\n\n${paragraph('list', 20)}\n` },
  { name: 'b.md', text: `# Akims\n\n${paragraph('akim', 25)}\n` },
  { name: 'c.md', text: `# Councils\n\n${paragraph('council', 40)}\n` },
];

/** The estimate as a token counter, counting its calls; `view` stands for a corpus-built vocabulary. */
function counter(view?: (words: Iterable<string>) => string) {
  const tokens: ChunkTokens & { calls: number } = {
    calls: 0,
    countTokens: (text) => {
      tokens.calls++;
      return estimateTokens(text);
    },
    maxTokens: DEFAULT_CHUNK_OPTIONS.maxTokens,
    id: 'estimate',
    ...(view ? { wordsView: view } : {}),
  };
  return tokens;
}

describe('chunkCorpusCached', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'qa-chunks-')), 'chunks');
  });
  const run = (files: SourceFile[], tokens = counter(), sidecar?: CatalogSidecar) =>
    chunkCorpusCached(files, buildCatalog(files, sidecar), DEFAULT_CHUNK_OPTIONS, tokens, dir);

  it('gives the passages of chunkCorpus, in catalogue order with dense ordinals', async () => {
    const { passages, chunked } = await run(FILES);
    expect(chunked).toBe(3);
    expect(passages).toEqual(chunkCorpus(FILES, buildCatalog(FILES)));
  });

  it('chunks only the changed file and renumbers the ordinals of the files after it', async () => {
    await run(FILES);
    const changed = FILES.map((f) =>
      f.name === 'a.md' ? { ...f, text: `${f.text}\n## More\n\n${paragraph('threshold', 35)}\n` } : f,
    );
    const tokens = counter();
    const { passages, chunked } = await run(changed, tokens);
    expect(chunked).toBe(1);
    const full = chunkCorpus(changed, buildCatalog(changed));
    expect(passages).toEqual(full);
    // The passages of c.md moved: the changed file before it gained passages.
    expect(passages.find((p) => p.source === 'c.md')?.ordinal).toBeGreaterThan(
      (await run(FILES)).passages.find((p) => p.source === 'c.md')?.ordinal ?? Infinity,
    );
  });

  it('does not call the token counter for unchanged files', async () => {
    await run(FILES);
    const tokens = counter();
    const { chunked } = await run(FILES, tokens);
    expect(chunked).toBe(0);
    expect(tokens.calls).toBe(0);
  });

  it('re-chunks a file whose catalog.json entry changed, and only that file', async () => {
    await run(FILES);
    const sidecar = { documents: [{ file: 'b.md', id: 'akims', title: 'Akims of the regions' }] };
    const { passages, chunked } = await run(FILES, counter(), sidecar);
    expect(chunked).toBe(1);
    expect(passages).toEqual(chunkCorpus(FILES, buildCatalog(FILES, sidecar)));
    expect(passages.filter((p) => p.source === 'b.md').every((p) => p.id.startsWith('akims.p'))).toBe(true);
  });

  it('re-chunks everything when the token counter or the chunk options change', async () => {
    await run(FILES);
    expect((await run(FILES, { ...counter(), id: 'another model' })).chunked).toBe(3);
    const options = { ...DEFAULT_CHUNK_OPTIONS, maxWords: 120 };
    const { chunked } = await chunkCorpusCached(FILES, buildCatalog(FILES), options, counter(), dir);
    expect(chunked).toBe(3);
  });

  it('re-chunks a file when the vocabulary treats one of its counted words differently', async () => {
    // A vocabulary that does not hold "akim" whole (as when the only other file with it was deleted).
    const vocabulary = (missing: string) => (words: Iterable<string>) =>
      [...words].filter((w) => w === missing).join(',');
    await run(FILES, counter(vocabulary('nothing')));
    expect((await run(FILES, counter(vocabulary('nothing')))).chunked).toBe(0);
    const { chunked } = await run(FILES, counter(vocabulary('akim')));
    expect(chunked).toBe(1);
  });

  it('chunks again a file whose entry cannot be read', async () => {
    await run(FILES);
    for (const name of await readdir(dir)) await writeFile(join(dir, name), '{"passages": [');
    const { passages, chunked } = await run(FILES);
    expect(chunked).toBe(3);
    expect(passages).toEqual(chunkCorpus(FILES, buildCatalog(FILES)));
  });

  it('keeps one entry per corpus file after pruning', async () => {
    await run(FILES);
    const { prune } = await run(FILES.slice(0, 2).map((f) => ({ ...f, text: `${f.text}\nEnd.\n` })));
    await prune();
    expect(await readdir(dir)).toHaveLength(2);
  });
});
