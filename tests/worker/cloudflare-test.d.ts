/** The part of @cloudflare/vitest-pool-workers' `cloudflare:test` module these suites use. */
declare module 'cloudflare:test' {
  import type { WorkerEnv } from '../../src/worker.ts';
  /** The Worker under test (src/worker.ts with wrangler.toml's `test` environment). */
  export const SELF: { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
  export const env: WorkerEnv;
}
