import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./widget.ts', import.meta.url));

/** Bundles the widget's TypeScript into one small IIFE script (done at start-up; takes ~50 ms). */
export async function bundleWidget(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    legalComments: 'none',
  });
  return result.outputFiles[0]?.text ?? '';
}
