/**
 * Compiles the Node server into dist/ so production runs JavaScript, not TypeScript compiled at start
 * (`npm start` runs `node dist/node.js`; `npm run dev` keeps tsx).
 *
 *   node scripts/build.mjs              build dist/
 *   node scripts/build.mjs --if-stale   build only when dist/ is missing or older than its sources
 *   node scripts/build.mjs --outdir D   build into D instead (tests use a directory of their own)
 *   node scripts/build.mjs --entry F --outdir D   compile another entry the same way (`bench:scale` runs the
 *                                       engine so, as `npm start` runs it, not under tsx)
 *
 * Plain JavaScript so that it runs before anything is compiled.
 */
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'src/node.ts');
/** What the output depends on besides src/: a change to any of them makes dist/ stale. */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];

/**
 * Inside the bundle every module shares one `import.meta.url` (the output file's). The server finds some
 * files next to its sources (the widget's entry, the reindex CLI, the model converters under scripts/,
 * Swagger UI through `createRequire`), so each inlined module gets back the URL of its own source file,
 * written relative to the output so that dist/ can move with the checkout.
 * @param {string} outdir
 * @returns {import('esbuild').Plugin}
 */
function keepSourceLocations(outdir) {
  return {
    name: 'keep-source-locations',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const fromOutput = relative(outdir, args.path).split('\\').join('/');
        const url = `new URL(${JSON.stringify(fromOutput)}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/**
 * The server bundles the widget's TypeScript with esbuild at start (src/widget/bundle.node.ts). The build
 * does it once instead: that module is replaced by one returning the finished script, so the compiled
 * server neither loads esbuild nor spends the time. The options are bundle.node.ts's; a smoke test
 * (tests/http/server.test.ts) checks both serve the same /widget.js.
 * @param {typeof import('esbuild').build} build
 * @returns {import('esbuild').Plugin}
 */
function precompileWidget(build) {
  return {
    name: 'precompile-widget',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]src[\\/]widget[\\/]bundle\.node\.ts$/ }, async () => {
        const result = await build({
          entryPoints: [join(ROOT, 'src/widget/widget.ts')],
          bundle: true,
          minify: true,
          format: 'iife',
          target: 'es2020',
          write: false,
          legalComments: 'none',
        });
        const script = result.outputFiles[0]?.text ?? '';
        return {
          contents: `export async function bundleWidget() { return ${JSON.stringify(script)}; }`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * npm packages bundled into the output instead of loaded from node_modules. snowball-stemmers is one
 * 870 KB CommonJS file, and Node scans a CommonJS module that an ES module imports for its export names
 * (cjs-module-lexer) before running it: 0.1–0.3 s of every start here, measured. In the bundle it is
 * parsed like the rest of the code. It has no dependencies and reads no file of its own.
 */
const BUNDLED_PACKAGES = new Set(['snowball-stemmers']);

/**
 * Every other npm package (and Node's built-ins) stays external.
 * @returns {import('esbuild').Plugin}
 */
function externalPackages() {
  return {
    name: 'external-packages',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        return BUNDLED_PACKAGES.has(name ?? '') ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/**
 * Bundles src/node.ts (or `entry`) and everything it imports from src/ into `outdir` (ES modules, one entry
 * plus the chunks of modules the server loads lazily, such as the PDF and DOCX extractors, the MCP server
 * and Transformers.js's adapter). npm packages stay external but for BUNDLED_PACKAGES: native modules
 * (hnswlib-node, better-sqlite3, onnxruntime-node) and the files packages locate next to themselves
 * (pdf.js's worker, Swagger UI) are loaded from node_modules as under tsx.
 * @param {{ outdir?: string, entry?: string }} [options]
 */
export async function buildServer(options = {}) {
  const outdir = resolve(ROOT, options.outdir ?? 'dist');
  // Built beside the old output and swapped in whole: a server running from it keeps finding its chunks.
  const staging = `${outdir}.${process.pid}.tmp`;
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: options.entry ? [resolve(ROOT, options.entry)] : { node: ENTRY },
    outdir: staging,
    bundle: true,
    // Dynamic imports stay lazy: each becomes a chunk loaded on first use, as in the sources.
    splitting: true,
    chunkNames: '[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    legalComments: 'none',
    plugins: [externalPackages(), precompileWidget(build), keepSourceLocations(outdir)],
    metafile: true,
    logLevel: 'warning',
  });
  // keepSourceLocations writes paths relative to the output directory itself: nothing may go deeper.
  const nested = Object.keys(result.metafile.outputs).filter(
    (file) => dirname(resolve(ROOT, file)) !== staging,
  );
  if (nested.length > 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`build output in a subdirectory: ${nested.join(', ')}`);
  }
  await rm(outdir, { recursive: true, force: true });
  await rename(staging, outdir);
  return { outdir, files: Object.keys(result.metafile.outputs).length };
}

/** @param {{ entry?: string }} options @returns {string} the output file to run */
const mainFile = (options) => (options.entry ? basename(options.entry).replace(/\.ts$/, '.js') : 'node.js');

/** @param {string} path @returns {Promise<number>} the newest modification time under `path` */
async function newestUnder(path) {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((name) => newestUnder(join(path, name))));
  return Math.max(info.mtimeMs, ...times);
}

/**
 * True when `outdir` has no build or one older than a source file.
 * @param {{ outdir?: string, entry?: string }} [options]
 */
export async function isStale(options = {}) {
  const built = await stat(join(resolve(ROOT, options.outdir ?? 'dist'), mainFile(options))).catch(
    () => undefined,
  );
  if (!built) return true;
  const paths = options.entry ? [...INPUTS, dirname(options.entry)] : INPUTS;
  const inputs = await Promise.all(paths.map((input) => newestUnder(resolve(ROOT, input))));
  return Math.max(...inputs) > built.mtimeMs;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  const entryAt = args.indexOf('--entry');
  const options = {
    ...(at >= 0 ? { outdir: args[at + 1] } : {}),
    ...(entryAt >= 0 ? { entry: args[entryAt + 1] } : {}),
  };
  if (!args.includes('--if-stale') || (await isStale(options))) {
    const started = performance.now();
    const { outdir, files } = await buildServer(options);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stderr.write(
      `built ${relative(ROOT, outdir) || '.'}/${mainFile(options)} (${files} files) in ${seconds} s\n`,
    );
  }
}
