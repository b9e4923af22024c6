import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHUNKER_VERSION, type ChunkOptions, catalogByFile, chunkFile } from '../chunk/chunk-corpus.ts';
import { sha256 } from '../core/files.node.ts';
import type { DocumentInfo, Passage, SourceFile } from '../core/types.ts';
import { preTokenize } from '../embed/tokenizer-files.ts';

/**
 * Passages of earlier builds, one file per corpus file and per everything its chunking depends on: the
 * file's text, pages and name, its catalogue units (title, authors, offsets, ids as catalog.json and the
 * file's metadata make them), the chunker version and options, and the token counter. A rebuild chunks
 * only the files whose inputs changed; ordinals are stored per file and renumbered across the corpus.
 */

/** The token counter the chunker measures passages with, and what its counts depend on. */
export interface ChunkTokens {
  countTokens: (text: string) => number;
  maxTokens: number;
  /** Identity of the counter: the model, or the rules of a vocabulary built at index time. */
  id: string;
  /**
   * For a vocabulary built from the whole corpus (the built-in model): how it treats the given words. A
   * cached file is reused only while the view of the words its chunking counted is unchanged.
   */
  wordsView?: (words: Iterable<string>) => string;
}

interface CacheEntry {
  /** Words of every text the chunker counted (only with `wordsView`), and their view at the time. */
  words?: string[];
  view?: string;
  passages: Passage[];
}

export interface ChunkWork {
  passages: Passage[];
  /** Files chunked in this run; the others came from the cache. */
  chunked: number;
  /** Removes the entries this run did not use; call once the build is published. */
  prune: () => Promise<void>;
}

/**
 * Chunks the corpus like `chunkCorpus` (catalogue order, dense ordinals) with each file's passages taken
 * from `dir` when its inputs are unchanged. `prune` then removes the entries no file used, so the cache
 * holds one entry per corpus file.
 */
export async function chunkCorpusCached(
  files: readonly SourceFile[],
  catalog: readonly DocumentInfo[],
  options: ChunkOptions,
  tokens: ChunkTokens,
  dir: string,
): Promise<ChunkWork> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const settings = JSON.stringify([
    CHUNKER_VERSION,
    { ...options, countTokens: undefined },
    tokens.id,
    tokens.maxTokens,
  ]);
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const passages: Passage[] = [];
  let chunked = 0;
  for (const docs of catalogByFile(catalog)) {
    const file = byName.get(docs[0]?.source ?? '');
    if (!file) continue;
    const name = `${sha256(JSON.stringify([settings, file.name, file.text, file.pages ?? null, docs]))}.json`;
    used.add(name);
    const path = join(dir, name);
    // A missing or unreadable entry (a crash mid-write left none: entries are renamed into place) is a miss.
    let entry = (await readFile(path, 'utf8')
      .then((text) => JSON.parse(text))
      .catch(() => undefined)) as CacheEntry | undefined;
    if (entry && tokens.wordsView && entry.view !== tokens.wordsView(entry.words ?? [])) entry = undefined;
    if (!entry) {
      chunked++;
      entry = chunkOneFile(file, docs, options, tokens);
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(entry));
      await rename(tmp, path);
    }
    for (const p of entry.passages) passages.push({ ...p, ordinal: passages.length });
  }
  const prune = async () => {
    for (const other of await readdir(dir)) {
      if (!used.has(other)) await rm(join(dir, other), { force: true });
    }
  };
  return { passages, chunked, prune };
}

function chunkOneFile(
  file: SourceFile,
  docs: readonly DocumentInfo[],
  options: ChunkOptions,
  tokens: ChunkTokens,
): CacheEntry {
  if (!tokens.wordsView) {
    return { passages: chunkFile(file, docs, { ...options, countTokens: tokens.countTokens }) };
  }
  // Every text the chunker measures goes through here, so `words` covers all its counts depend on.
  const words = new Set<string>();
  const countTokens = (text: string) => {
    for (const w of preTokenize(text)) words.add(w);
    return tokens.countTokens(text);
  };
  const passages = chunkFile(file, docs, { ...options, countTokens });
  const sorted = [...words].sort();
  return { words: sorted, view: tokens.wordsView(sorted), passages };
}
