import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder } from '../../src/embed/embedder.node.ts';
import { decodeGloveSif } from '../../src/embed/glove-sif.ts';
import { buildStaticModel, writeStaticTokenizer } from '../../src/embed/static-model.node.ts';
import { loadFeatureExtractor, loadTokenizer } from '../../src/embed/transformers.node.ts';

const GLOVE = resolve('models/glove-sif/glove-sif-100d.bin');
const corpus = [
  'Political modernization is a complex process of democratization of society.',
  'The elections of akims of rural districts started in 2021 as a pilot project.',
  'Political parties compete for seats in the Mazhilis after the reform.',
  'Digitalization changes political participation through social networks.',
  'The philosophy of power studies the subject and the object of power.',
  'Local self-government bodies address issues of local significance.',
  'Саяси модернизация қоғамды демократияландыру процесі.',
  'Политическая модернизация — сложный процесс демократизации общества.',
];

async function buildModel(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'static-')), 'builtin-static');
  await writeStaticTokenizer(dir, corpus, GLOVE);
  await buildStaticModel(dir, corpus, GLOVE, { lsaDims: 6 });
  return dir;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('built-in static model', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await buildModel();
  });

  it('loads through the standard feature-extraction pipeline, whose output equals a direct table computation', async () => {
    const extractor = await loadFeatureExtractor(resolve(dir, '..'), 'builtin-static', false);
    const text = 'How are akims elected in rural districts?';
    const output = await extractor(text, { pooling: 'mean', normalize: false });
    const piped = output.data as Float32Array;

    // Direct: read the float tables back out of the model by running single tokens, then average by hand.
    const tokenizer = await loadTokenizer(resolve(dir, '..'), 'builtin-static');
    const ids = tokenizer.encode(text) as number[];
    const rows = await Promise.all(
      ids.map(async (id) => {
        const token = tokenizer.model.convert_ids_to_tokens([id])[0] as string;
        const single = await extractor.model(tokenizer([token], { add_special_tokens: false }));
        return Array.from(single.last_hidden_state.data as Float32Array).slice(0, piped.length);
      }),
    );
    const direct = new Float32Array(piped.length);
    for (const row of rows) {
      row.forEach((x, d) => {
        direct[d] = (direct[d] ?? 0) + x / rows.length;
      });
    }
    for (let d = 0; d < piped.length; d++) expect(piped[d]).toBeCloseTo(direct[d] ?? 0, 6);
  });

  it('stores each GloVe word’s SIF vector exactly as the committed table has it', async () => {
    const glove = decodeGloveSif(new Uint8Array(await readFile(GLOVE)));
    const extractor = await loadFeatureExtractor(resolve(dir, '..'), 'builtin-static', false);
    const tokenizer = await loadTokenizer(resolve(dir, '..'), 'builtin-static');
    const out = await extractor.model(tokenizer(['election'], { add_special_tokens: false }));
    const row = glove.words.indexOf('election');
    const got = Array.from(out.last_hidden_state.data as Float32Array).slice(0, glove.dims);
    const want = got.map((_, d) => (glove.values[row * glove.dims + d] ?? 0) * (glove.scales[row] ?? 0));
    expect(got.map((x, d) => Math.abs(x - (want[d] ?? 0)) < 1e-6)).not.toContain(false);
  });

  it('gives unit vectors whose halves are weighted as the layout says', async () => {
    const embedder = await createEmbedder({ model: dir, modelsDir: '.', quantized: false });
    const layout = JSON.parse(await readFile(join(dir, 'static.json'), 'utf8')) as {
      halves: Array<{ dims: number; weight: number }>;
    };
    const v = await embedder.embedQuery('political parties and elections');
    expect(v.length).toBe(embedder.dims);
    let offset = 0;
    for (const half of layout.halves) {
      const norm = Math.hypot(...v.subarray(offset, offset + half.dims));
      expect(norm).toBeCloseTo(Math.sqrt(half.weight), 5);
      offset += half.dims;
    }
  });

  it('never produces NaN, even for text with no known word', async () => {
    const embedder = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    for (const text of ['', '???', 'ЖЖЖЖ 漢字 🇰🇿', 'Қазақстан', '\ud800']) {
      const v = await embedder.embedQuery(text);
      expect(v.every((x) => Number.isFinite(x))).toBe(true);
    }
  });

  it('ranks related texts above unrelated ones', async () => {
    const embedder = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    const [q, near, far] = await embedder.embedPassages([
      'voting for local akims',
      'The elections of akims of rural districts started in 2021 as a pilot project.',
      'The philosophy of power studies the subject and the object of power.',
    ]);
    expect(cosine(q as Float32Array, near as Float32Array)).toBeGreaterThan(
      cosine(q as Float32Array, far as Float32Array),
    );
  });

  it('keeps the int8 model within 0.999 cosine of the float model', async () => {
    const float = await createEmbedder({ model: dir, modelsDir: '.', quantized: false });
    const int8 = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    for (const text of corpus) {
      expect(cosine(await float.embedQuery(text), await int8.embedQuery(text))).toBeGreaterThan(0.999);
    }
    expect(float.fingerprint).not.toBe(int8.fingerprint);
  });

  it('is reproducible: two builds give identical files', async () => {
    const other = await buildModel();
    for (const file of ['tokenizer.json', 'static.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      expect(Buffer.compare(await readFile(join(dir, file)), await readFile(join(other, file)))).toBe(0);
    }
  });

  it('applies the configured query and passage prefixes', async () => {
    const plain = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    const prefixed = await createEmbedder({
      model: dir,
      modelsDir: '.',
      quantized: true,
      queryPrefix: 'akims ',
    });
    expect(await prefixed.embedQuery('parties')).toEqual(await plain.embedQuery('akims parties'));
  });

  it('reports a missing model with an actionable error', async () => {
    await expect(
      createEmbedder({ model: 'Xenova/not-here', modelsDir: 'models', quantized: true }),
    ).rejects.toThrow(/MODEL_NOT_FOUND.*Xenova\/not-here/);
  });
});
