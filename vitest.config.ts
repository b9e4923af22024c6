import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // onnxruntime-node 1.14 fails to self-register under worker threads; forks isolate it per file.
    pool: 'forks',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
