import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The Worker entry bundled as wrangler bundles it (esbuild, ES modules, no Node built-ins): nothing it
 * reaches may be a Node-only module, and it must fit Workers' script size limit.
 */
describe('src/worker.ts bundle', () => {
  it('reaches no *.node.ts module and no Node built-in, and fits the Workers free-plan limit', async () => {
    const result = await build({
      entryPoints: ['src/worker.ts'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['cloudflare:*'],
      // As wrangler.toml's [alias] does.
      alias: { 'node-fetch': './src/worker/node-fetch.ts' },
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => path.endsWith('.node.ts'))).toEqual([]);
    const imports = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.map((i) => i.path),
    );
    expect(imports.filter((path) => path.startsWith('node:') || path === 'fs' || path === 'path')).toEqual(
      [],
    );
    expect(inputs).toContain('src/worker.ts');
    const bytes = result.outputFiles[0]?.contents ?? new Uint8Array();
    // Workers Free allows 3 MiB (gzip) per Worker, Paid 10 MiB.
    expect(gzipSync(bytes).byteLength).toBeLessThan(3 * 2 ** 20);
  });
});
