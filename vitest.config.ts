import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The Worker's suites run in workerd (vitest.workers.config.ts).
    exclude: ['tests/worker/**', '**/node_modules/**'],
    // onnxruntime-node fails to self-register under worker threads; child processes work.
    pool: 'forks',
    // Builds the shipped corpus' index once into .tmp/test-index for the suites that need a real index.
    globalSetup: ['tests/setup/build-test-index.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
