import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchCorpus } from '../../src/index/watch.node.ts';

function nextChange(dir: string, debounceMs = 200) {
  let close = () => {};
  const changed = new Promise<string[]>((resolve) => {
    close = watchCorpus(dir, { debounceMs, onChange: resolve }).close;
  });
  return { changed, close: () => close() };
}

describe('watchCorpus', () => {
  it('reports added, changed and deleted files once the directory is quiet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qa-watch-'));
    let watch = nextChange(dir);
    await writeFile(join(dir, 'a.md'), '# A\n');
    await writeFile(join(dir, 'a.md'), '# A, changed\n');
    expect(await watch.changed).toEqual(['a.md']);
    watch.close();
    watch = nextChange(dir);
    await rm(join(dir, 'a.md'));
    expect(await watch.changed).toEqual(['a.md']);
    watch.close();
  });

  it('ignores temporary files, so an atomic upload counts once under its final name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qa-watch-'));
    const watch = nextChange(dir);
    await writeFile(join(dir, '.upload-1.tmp'), 'text');
    await rename(join(dir, '.upload-1.tmp'), join(dir, 'notes.txt'));
    expect(await watch.changed).toEqual(['notes.txt']);
    watch.close();
  });
});
