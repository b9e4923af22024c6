import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, openEmbedder } from '../../src/embed/embedder.node.ts';
import { createStaticQueryEmbedder } from '../../src/embed/static-query.ts';
import { loadTokenizer, locateModel } from '../../src/embed/transformers.node.ts';
import { createWordPiece } from '../../src/embed/wordpiece.ts';
import { parseQuestions } from '../../src/eval/evaluate.ts';
import type { LoadedIndex } from '../../src/index/load-index.node.ts';
import { openTestIndex, testConfig } from '../setup/test-index.ts';

/** Every turn of every question file, plus inputs that exercise the tokenizer's edge cases. */
async function probes(): Promise<string[]> {
  const texts: string[] = [];
  for (const file of (await readdir('eval')).filter((f) => f.endsWith('.jsonl')))
    for (const q of parseQuestions(await readFile(join('eval', file), 'utf8'), file)) texts.push(...q.turns);
  texts.push(
    'Ауыл әкімдерін сайлау 2021 жылы басталды?',
    'Выборы акимов — «пилотный проект»… ёлка',
    'What is [MASK] in the [CLS]constitution[SEP]?',
    'tabs\tand\nnewlines\r and \u0000nul \u200bzero-width \uFFFD',
    '中文字符 and 日本語 mixed with akims',
    'emoji 🇰🇿 ✓ 👍🏽 and symbols ∑ ≥ € ₸',
    `${'a'.repeat(201)} longword`,
    'supercalifragilisticexpialidociousness antidisestablishmentarianism',
    '',
    '   ',
    '?!.,;:',
    Array.from({ length: 700 }, (_, i) => `word${i % 50} parliament`).join(' '),
  );
  return texts;
}

describe('createStaticQueryEmbedder', () => {
  let loaded: LoadedIndex;
  let modelDir: string;
  let texts: string[];
  beforeAll(async () => {
    loaded = await openTestIndex();
    const { manifest } = loaded;
    modelDir = join(resolve(testConfig().INDEX_DIR), manifest.buildId, manifest.model.generatedDir ?? '');
    texts = await probes();
  });

  const files = async (quantized: boolean) => ({
    tokenizer: JSON.parse(await readFile(join(modelDir, 'tokenizer.json'), 'utf8')),
    layout: JSON.parse(await readFile(join(modelDir, 'static.json'), 'utf8')),
    onnx: new Uint8Array(
      await readFile(join(modelDir, 'onnx', quantized ? 'model_quantized.onnx' : 'model.onnx')),
    ),
    id: 'builtin-static',
  });

  it('tokenises every probe to the ids Transformers.js gives', async () => {
    const { root, id } = locateModel(modelDir, '.');
    const reference = await loadTokenizer(root, id);
    const tokenizer = JSON.parse(await readFile(join(modelDir, 'tokenizer.json'), 'utf8'));
    const vocab: string[] = [];
    for (const [token, i] of Object.entries(tokenizer.model.vocab as Record<string, number>))
      vocab[i] = token;
    const ours = createWordPiece(vocab);
    for (const text of texts) {
      const expected = Array.from(
        reference(text, { truncation: true }).input_ids.data as BigInt64Array,
        Number,
      );
      expect(ours.encode(text), text).toEqual(expected);
    }
  });

  /** The built-in model run by onnxruntime through Transformers.js, as index builds run it. */
  const reference = (quantized: boolean) => createEmbedder({ model: modelDir, modelsDir: '.', quantized });

  it('embeds every probe as the Node embedder does, to 1e-6', async () => {
    const ours = createStaticQueryEmbedder(await files(loaded.manifest.model.quantized));
    const onnx = await reference(loaded.manifest.model.quantized);
    expect(ours.dims).toBe(onnx.dims);
    let worst = 0;
    for (const text of texts) {
      const [a, b] = [await ours.embedQuery(text), await onnx.embedQuery(text)];
      expect(a.length).toBe(b.length);
      for (let d = 0; d < a.length; d++) worst = Math.max(worst, Math.abs((a[d] ?? 0) - (b[d] ?? 0)));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  // The server answers with openEmbedder: answers stay those of the ONNX model only if nothing differs.
  it.each([true, false])(
    'serves the built-in model with the ONNX vectors bit for bit (quantized: %s)',
    async (quantized) => {
      const options = { model: modelDir, modelsDir: '.', quantized, label: 'builtin-static' };
      const [served, onnx] = await Promise.all([openEmbedder(options), createEmbedder(options)]);
      expect([served.id, served.dims, served.fingerprint, served.maxTokens]).toEqual([
        onnx.id,
        onnx.dims,
        onnx.fingerprint,
        onnx.maxTokens,
      ]);
      let differing = 0;
      for (const text of texts) {
        const [a, b] = [await served.embedQuery(text), await onnx.embedQuery(text)];
        if (a.length !== b.length || a.some((x, d) => x !== b[d])) differing++;
        expect(served.countTokens(text), text).toBe(onnx.countTokens(text));
      }
      expect(differing).toBe(0);
      // Builds embed passages this way too: every passage of the test corpus, the probes, and passages run
      // together past the model's 512-token window (truncated alike), in one batch each way.
      const shipped = loaded.index.passages.map((p) => p.text);
      const long = Array.from({ length: 8 }, (_, i) => shipped.slice(i * 40, i * 40 + 40).join(' '));
      const passages = [...shipped, ...texts, ...long];
      expect(long.every((t) => onnx.countTokens(t) > 512)).toBe(true);
      const [ours, theirs] = [await served.embedPassages(passages), await onnx.embedPassages(passages)];
      const unequal = passages.filter((_, i) => {
        const [a, b] = [ours[i] as Float32Array, theirs[i] as Float32Array];
        return a.length !== b.length || a.some((x, d) => x !== b[d]);
      });
      expect(unequal).toEqual([]);
    },
  );

  it('refuses a model whose layout does not match its tables', async () => {
    const good = await files(true);
    const layout = { halves: good.layout.halves.map((h: { dims: number }) => ({ ...h, dims: h.dims + 1 })) };
    expect(() => createStaticQueryEmbedder({ ...good, layout })).toThrow(/does not match/);
  });
});
