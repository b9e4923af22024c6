import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way, down the pipeline: a module may import from its own stage or an earlier
 * one, never a later one; and nothing runtime-neutral imports a Node-only (`*.node.ts`) module.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['core'],
  ['ingest'],
  ['chunk'],
  ['embed'],
  ['index'],
  ['retrieve'],
  ['eval'],
  ['feedback'],
  ['http', 'bots', 'mcp', 'widget'],
  ['cli', 'cluster', 'node.ts', 'worker.ts', 'worker'],
];

function layerOf(file: string): number {
  const top = file.split('/')[0] as string;
  const i = LAYERS.findIndex((names) => names.includes(top));
  if (i < 0) throw new Error(`${file} is in no layer; add its folder to LAYERS`);
  return i;
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe('src/ dependency direction', () => {
  it('imports only from the same or an earlier pipeline stage', async () => {
    const root = resolve('src');
    const violations: string[] = [];
    for (const path of await sources(root)) {
      const file = relative(root, path).split('\\').join('/');
      const text = await readFile(path, 'utf8');
      // Static imports, and the dynamic ones that load a module on first use.
      const specs = [
        ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/gu),
        ...text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gu),
      ];
      for (const [, spec] of specs) {
        const target = relative(root, resolve(path, '..', spec as string))
          .split('\\')
          .join('/');
        if (layerOf(target) > layerOf(file)) violations.push(`${file} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps Node-only modules out of runtime-neutral ones', async () => {
    const root = resolve('src');
    const violations: string[] = [];
    for (const path of await sources(root)) {
      const file = relative(root, path).split('\\').join('/');
      if (file.endsWith('.node.ts') || ['node.ts'].includes(file) || file.startsWith('cli/')) continue;
      const text = await readFile(path, 'utf8');
      for (const [, spec] of text.matchAll(/from\s+['"]([^'"]+)['"]/gu)) {
        if ((spec as string).endsWith('.node.ts') || (spec as string).startsWith('node:'))
          violations.push(`${file} → ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
