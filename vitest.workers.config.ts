import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/**
 * The Worker's suites, run inside workerd by @cloudflare/vitest-pool-workers against src/worker.ts with
 * wrangler.toml's `test` environment (its assets: the export of the shared test index, written by the
 * global setup, which runs in Node). `npm test` runs these after the Node suites.
 */
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml', environment: 'test' } })],
  test: {
    include: ['tests/worker/**/*.test.ts'],
    globalSetup: ['tests/worker/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
