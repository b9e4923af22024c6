import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.node.ts';

/**
 * Vectors of earlier builds by content: the SHA-256 of the exact text embedded, in one file per model
 * (fingerprint, prefixes and dimensions), so a rebuild embeds only passages and sentences it has not
 * seen. The file holds records of a 32-byte hash followed by `dims` float32 values; a save keeps only
 * the texts of the build that saves it, so the cache never outgrows the index.
 */
export interface EmbeddingCache {
  get(text: string): Float32Array | undefined;
  set(text: string, vector: Float32Array): void;
  /** Number of lookups answered from the cache. */
  readonly hits: number;
  save(): Promise<void>;
}

function key(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Opens (or starts) the cache of one model under `dir`; caches of other models there are removed on save. */
export async function openEmbeddingCache(
  dir: string,
  modelKey: string,
  dims: number,
): Promise<EmbeddingCache> {
  const name = `${key(`${modelKey}\n${dims}`).slice(0, 32)}.f32`;
  const path = join(dir, name);
  const stored = new Map<string, Float32Array>();
  const record = 32 + dims * 4;
  try {
    const bytes = await readFile(path);
    if (bytes.length % record === 0) {
      for (let at = 0; at < bytes.length; at += record) {
        const vector = new Float32Array(dims);
        new Uint8Array(vector.buffer).set(bytes.subarray(at + 32, at + record));
        stored.set(bytes.subarray(at, at + 32).toString('hex'), vector);
      }
    }
  } catch {
    // No cache yet.
  }
  const used = new Map<string, Float32Array>();
  let hits = 0;
  return {
    get(text) {
      const k = key(text);
      const vector = used.get(k) ?? stored.get(k);
      if (vector) {
        hits++;
        used.set(k, vector);
      }
      return vector;
    },
    set(text, vector) {
      used.set(key(text), vector);
    },
    get hits() {
      return hits;
    },
    async save() {
      const out = new Uint8Array(used.size * record);
      let at = 0;
      for (const [k, vector] of used) {
        out.set(Buffer.from(k, 'hex'), at);
        out.set(new Uint8Array(vector.buffer, vector.byteOffset, dims * 4), at + 32);
        at += record;
      }
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(path, out);
      for (const other of await readdir(dir)) {
        if (other !== name && other.endsWith('.f32')) await rm(join(dir, other), { force: true });
      }
    },
  };
}
