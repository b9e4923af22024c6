import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { resolveEmbeddingModel } from '../../src/embed/resolve-model.node.ts';

/** A Hugging Face id that is not on disk, with the Hub unreachable (a closed port stands in for it). */
describe('resolveEmbeddingModel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'resolve-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const config = (extra: Record<string, string>) =>
    loadConfig({
      MODELS_DIR: join(dir, 'models'),
      MODEL_CACHE_DIR: join(dir, 'cache'),
      HF_ENDPOINT: 'http://127.0.0.1:9/',
      ...extra,
    });

  it('keeps the built-in model as it is', async () => {
    const { status } = await resolveEmbeddingModel(config({ EMBEDDING_MODEL: 'builtin-static' }));
    expect(status).toEqual({ requested: 'builtin-static', active: 'builtin-static' });
  });

  it('falls back to the built-in model when the Hub cannot be reached, and says why', async () => {
    const warnings: string[] = [];
    const { config: active, status } = await resolveEmbeddingModel(
      config({ EMBEDDING_MODEL: 'Xenova/multilingual-e5-small' }),
      { warn: (message, reason) => warnings.push(`${message} ${reason}`) },
    );
    expect(active.EMBEDDING_MODEL).toBe('builtin-static');
    expect(status.requested).toBe('Xenova/multilingual-e5-small');
    expect(status.fallbackReason).toMatch(
      /could not download Xenova\/multilingual-e5-small from http:\/\/127\.0\.0\.1:9\//,
    );
    expect(warnings[0]).toMatch(/NOT AVAILABLE/);
  });

  it('refuses to start instead with EMBEDDING_FALLBACK=none', async () => {
    await expect(
      resolveEmbeddingModel(
        config({ EMBEDDING_MODEL: 'Xenova/multilingual-e5-small', EMBEDDING_FALLBACK: 'none' }),
      ),
    ).rejects.toThrow(/MODEL_NOT_FOUND/);
  });
});
