import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onnx } from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder } from '../../src/embed/embedder.node.ts';
import { decodeGloveSif, gloveVector } from '../../src/embed/glove-sif.ts';
import {
  buildStaticModel,
  createTokenCounter,
  type StaticModelLayout,
  writeStaticTokenizer,
} from '../../src/embed/static-model.node.ts';
import { loadFeatureExtractor, loadTokenizer } from '../../src/embed/transformers.node.ts';

const GLOVE = resolve('models/glove-sif/glove-sif-100d.bin');
const corpus = [
  'Political modernization is a complex process of democratization of society.',
  'The elections of akims of rural districts started in 2021 as a pilot project.',
  'Political parties compete for seats in the Mazhilis after the constitutional reform.',
  'Digitalization changes political participation through social networks and the Internet.',
  'The philosophy of power studies the subject and the object of power.',
  'Local self-government bodies address issues of local significance.',
  'The President signed a decree on the referendum to amend the Constitution.',
  'Maslikhats approve local budgets and oversee the work of akimats.',
  'Civil society organisations monitor elections and report violations.',
  'The transition from authoritarian rule to democracy took decades in Southern Europe.',
  'A mixed electoral system combines party lists with single-member districts.',
  'Trust in state institutions grew after the anti-corruption campaign.',
  'The Senate reviews laws adopted by the Mazhilis.',
  'Youth participation in politics remains low according to the survey.',
  'Economic growth depends on oil exports and foreign investment.',
  'Independent media face pressure from regulators and owners.',
  'The Constitutional Court replaced the Constitutional Council in 2023.',
  'Regional governors were appointed by the president until the reform.',
  'Petitions can be filed online through the e-government portal.',
  'Scholars compare the Kazakh model with other post-Soviet states.',
  'Decentralisation transfers budget powers to district level.',
  'Turnout in the parliamentary elections was about sixty percent.',
  'The ombudsman protects human rights and freedoms of citizens.',
  'Саяси модернизация қоғамды демократияландыру процесі.',
  'Ауыл әкімдерін сайлау 2021 жылы басталды.',
  'Политическая модернизация — сложный процесс демократизации общества.',
  'Выборы акимов сельских округов прошли в 2021 году.',
  'Парламент Казахстана состоит из Сената и Мажилиса.',
  'Ұлттық құрылтай өңірлердің үнін тыңдайды; её мнение учтено в этой статье.',
  'Emoji and symbols 🇰🇿 ✓ appear in social media posts.',
];

async function buildModel(options: { sifWeight?: number } = {}): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'static-')), 'builtin-static');
  await writeStaticTokenizer(dir, corpus, GLOVE);
  await buildStaticModel(dir, corpus, GLOVE, options);
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

/** The float tables as written into model.onnx, decoded independently of the writer. */
async function readTables(dir: string) {
  const model = onnx.ModelProto.decode(await readFile(join(dir, 'onnx', 'model.onnx')));
  const tensor = (name: string) => {
    const t = model.graph?.initializer?.find((i) => i.name === name);
    if (!t?.rawData) throw new Error(`no initializer ${name}`);
    const raw = t.rawData;
    const buffer = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    return { dims: (t.dims ?? []).map(Number), buffer };
  };
  const sif = tensor('sif_table');
  const lsa = tensor('lsa_table');
  return {
    sif: new Float32Array(sif.buffer),
    sifDims: sif.dims[1] ?? 0,
    lsa: new Float32Array(lsa.buffer),
    lsaDims: lsa.dims[1] ?? 0,
    rowOf: Array.from(new BigInt64Array(tensor('lsa_row_of').buffer), Number),
  };
}

describe('static model build', () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await buildModel();
    root = resolve(dir, '..');
  });

  it('writes a Transformers.js model directory with the halves described in static.json', async () => {
    const layout = JSON.parse(await readFile(join(dir, 'static.json'), 'utf8')) as StaticModelLayout;
    expect(layout.halves.map((h) => [h.name, h.dims, h.weight, h.nullDims])).toEqual([
      ['sif', 101, 0.45, 1],
      ['lsa', corpus.length, 0.55, 1],
    ]);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'bert', hidden_size: 101 + corpus.length });
  });

  it('keeps Cyrillic й/ё and Kazakh letters through the generated tokenizer', async () => {
    const tokenizer = await loadTokenizer(root, 'builtin-static');
    const text = 'Ұлттық құрылтай өңірлердің үнін её этой';
    const tokens = tokenizer.model.convert_ids_to_tokens(
      tokenizer.encode(text, null, { add_special_tokens: false }) as number[],
    ) as string[];
    expect(tokens.join(' ').replace(/ ##/g, '')).toBe(text.toLowerCase());
    expect(tokens).toContain('өңірлердің');
  });

  it('counts tokens with the generated tokenizer, special tokens included', async () => {
    const counter = await createTokenCounter(dir);
    expect(counter.countTokens('political parties')).toBe(4);
    expect(counter.maxTokens).toBe(512);
  });

  it('stores each GloVe word’s SIF vector exactly as the committed table has it', async () => {
    const glove = decodeGloveSif(new Uint8Array(await readFile(GLOVE)));
    const tables = await readTables(dir);
    const tokenizer = await loadTokenizer(root, 'builtin-static');
    const [id] = tokenizer.encode('election', null, { add_special_tokens: false }) as number[];
    const got = tables.sif.subarray((id ?? 0) * tables.sifDims, (id ?? 0) * tables.sifDims + glove.dims);
    expect(Array.from(got)).toEqual(Array.from(gloveVector(glove, glove.words.indexOf('election'))));
  });

  it('gives embedder vectors equal to a direct computation from the tables', async () => {
    const tables = await readTables(dir);
    const tokenizer = await loadTokenizer(root, 'builtin-static');
    const embedder = await createEmbedder({ model: dir, modelsDir: '.', quantized: false });
    expect(embedder.dims).toBe(tables.sifDims - 1 + tables.lsaDims - 1);
    const texts = ['How are akims elected in rural districts?', corpus[2] ?? '', 'Выборы акимов 2021'];
    const vectors = await embedder.embedPassages(texts);
    texts.forEach((text, i) => {
      const sum = new Float64Array(tables.sifDims + tables.lsaDims);
      for (const id of tokenizer.encode(text) as number[]) {
        for (let d = 0; d < tables.sifDims; d++)
          sum[d] = (sum[d] ?? 0) + (tables.sif[id * tables.sifDims + d] ?? 0);
        const row = tables.rowOf[id] ?? 0;
        for (let d = 0; d < tables.lsaDims; d++)
          sum[tables.sifDims + d] =
            (sum[tables.sifDims + d] ?? 0) + (tables.lsa[row * tables.lsaDims + d] ?? 0);
      }
      const half = (from: number, kept: number, weight: number) => {
        const part = Array.from(sum.subarray(from, from + kept));
        const norm = Math.hypot(...part);
        return part.map((x) => (norm > 0 ? (x / norm) * Math.sqrt(weight) : 0));
      };
      const direct = [
        ...half(0, tables.sifDims - 1, 0.45),
        ...half(tables.sifDims, tables.lsaDims - 1, 0.55),
      ];
      const got = Array.from(vectors[i] ?? []);
      expect(got.length).toBe(direct.length);
      expect(Math.max(...got.map((x, d) => Math.abs(x - (direct[d] ?? 0))))).toBeLessThan(1e-5);
    });
  });

  it('loads through the standard pipeline with mean pooling and normalisation', async () => {
    const extractor = await loadFeatureExtractor(root, 'builtin-static', true);
    for (const text of ['', 'ЖЖЖЖ 漢字 🇰🇿', 'political parties']) {
      const out = await extractor(text, { pooling: 'mean', normalize: true });
      const data = Array.from(out.data as Float32Array);
      expect(data.every(Number.isFinite)).toBe(true);
      expect(Math.hypot(...data)).toBeCloseTo(1, 5);
    }
  });

  it('never produces NaN, and text with no known word embeds as the zero vector', async () => {
    const embedder = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    const odd = [
      '',
      '???',
      'ЖЖЖЖ 漢字 🇰🇿',
      'the of and',
      '\ud800',
      'Саяси модернизация 🙂',
      'x'.repeat(5000),
    ];
    const vectors = await embedder.embedPassages(odd);
    for (const v of vectors) expect(v.every(Number.isFinite)).toBe(true);
    expect(Math.hypot(...(vectors[0] ?? []))).toBe(0);
    expect(Math.hypot(...(vectors[3] ?? []))).toBe(0);
    // Kazakh corpus words have LSA rows but no GloVe vector: only the LSA half (weight 0.55) is set.
    expect(Math.hypot(...(vectors[5] ?? []))).toBeCloseTo(Math.sqrt(0.55), 5);
    expect(Math.hypot(...(await embedder.embedQuery('akims and elections')))).toBeCloseTo(1, 5);
  });

  it('ranks related texts above unrelated ones', async () => {
    const embedder = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    const [q, near, far] = await embedder.embedPassages([
      'voting for local akims',
      corpus[1] ?? '',
      corpus[4] ?? '',
    ]);
    expect(cosine(q as Float32Array, near as Float32Array)).toBeGreaterThan(
      cosine(q as Float32Array, far as Float32Array),
    );
  });

  it('keeps the int8 model within 0.999 cosine of the float model', async () => {
    const float = await createEmbedder({ model: dir, modelsDir: '.', quantized: false });
    const int8 = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    const a = await float.embedPassages(corpus);
    const b = await int8.embedPassages(corpus);
    a.forEach((v, i) => {
      expect(cosine(v, b[i] as Float32Array)).toBeGreaterThan(0.999);
    });
    expect(float.fingerprint).not.toBe(int8.fingerprint);
  });

  it('is reproducible: two builds give identical files', async () => {
    const other = await buildModel();
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'static.json'];
    for (const file of [...files, 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      expect(Buffer.compare(await readFile(join(dir, file)), await readFile(join(other, file)))).toBe(0);
    }
  });

  it('applies configured prefixes, and e5-style prefixes by default to e5 models', async () => {
    const plain = await createEmbedder({ model: dir, modelsDir: '.', quantized: true });
    const prefixed = await createEmbedder({
      model: dir,
      modelsDir: '.',
      quantized: true,
      queryPrefix: 'akims ',
    });
    expect(await prefixed.embedQuery('parties')).toEqual(await plain.embedQuery('akims parties'));

    await cp(dir, join(root, 'static-e5'), { recursive: true });
    const e5 = await createEmbedder({ model: 'static-e5', modelsDir: root, quantized: true });
    expect(e5.countTokens('parties')).toBe(plain.countTokens('passage: parties'));
    expect(await e5.embedQuery('parties')).toEqual(await plain.embedQuery('query: parties'));
  });

  it('reports a missing model with an actionable error', async () => {
    await expect(
      createEmbedder({ model: 'Xenova/not-here', modelsDir: 'models', quantized: true }),
    ).rejects.toThrow(/MODEL_NOT_FOUND.*Xenova\/not-here.*onnx\/model_quantized\.onnx/);
  });
});
