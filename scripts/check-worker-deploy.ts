/**
 * `npm run check:worker-deploy` (CI): writes the Worker's assets (`npm run build:worker`), bundles the
 * Worker with `wrangler deploy --dry-run`, and fails when the bundle or any asset exceeds Workers' limits:
 * 3 MiB gzip for the script (Free plan; 10 MiB on Paid), 25 MiB per asset, 20,000 assets. Prints sizes.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMITS = { scriptGzipBytes: 3 * 2 ** 20, assetBytes: 25 * 2 ** 20, assetCount: 20_000 };
const ASSETS = '.worker/assets';
const OUT = '.tmp/worker-bundle';
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

const run = (args: string[]) => execFileSync('npx', args, { stdio: 'inherit' });
run(['tsx', 'src/cli/build-worker.ts']);
run(['wrangler', 'deploy', '--dry-run', '--outdir', OUT]);

const problems: string[] = [];
const script = await readFile(join(OUT, 'worker.js'));
const gzip = gzipSync(script).byteLength;
process.stdout.write(`worker bundle: ${mib(script.byteLength)}, ${mib(gzip)} gzip\n`);
if (gzip > LIMITS.scriptGzipBytes) problems.push(`bundle ${mib(gzip)} gzip > ${mib(LIMITS.scriptGzipBytes)}`);

const assets = (await readdir(ASSETS, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
let total = 0;
for (const entry of assets) {
  const path = join(entry.parentPath, entry.name);
  const { size } = await stat(path);
  total += size;
  process.stdout.write(`  asset ${relative(ASSETS, path)}: ${mib(size)}\n`);
  if (size > LIMITS.assetBytes) problems.push(`asset ${path} ${mib(size)} > ${mib(LIMITS.assetBytes)}`);
}
process.stdout.write(`assets: ${assets.length} files, ${mib(total)}\n`);
if (assets.length > LIMITS.assetCount) problems.push(`${assets.length} assets > ${LIMITS.assetCount}`);
if (problems.length > 0) {
  process.stderr.write(`Worker deploy check failed:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
