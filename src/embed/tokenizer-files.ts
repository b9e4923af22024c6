/**
 * Generates a BERT-style WordPiece tokenizer (Hugging Face `tokenizer.json` + `tokenizer_config.json`) and
 * `config.json` for a static model, so Transformers.js loads it like any pretrained BERT.
 * Normalisation and pre-tokenisation mirror Transformers.js' BertNormalizer (lower-case, accents kept so
 * Cyrillic й/ё and Kazakh letters survive) and BertPreTokenizer (split on whitespace and punctuation).
 */

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const MODEL_MAX_LENGTH = 512;

const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PRE_TOKEN = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');
// Characters BertNormalizer drops: NUL, U+FFFD and control/format/private-use/surrogate code points.
const DROPPED = /[\uFFFD\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;

// CJK ideographs, which BertNormalizer (handle_chinese_chars) surrounds with spaces. Transformers.js tests
// UTF-16 code units, so only the BMP blocks ever match; mirror that rather than the Rust tokenizer.
const CJK = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])/g;

/** The words and punctuation marks a text splits into before WordPiece, exactly as the tokenizer sees them. */
export function preTokenize(text: string): string[] {
  const cleaned = text
    .replace(/[\t\n\r]/g, ' ')
    .replace(DROPPED, '')
    .replace(CJK, ' $1 ')
    .toLowerCase();
  return cleaned.trim().match(PRE_TOKEN) ?? [];
}

/**
 * Vocabulary: specials, every character seen (alone and as `##` continuation, so no corpus text is ever
 * `[UNK]`), then the corpus words, then the extra words (e.g. GloVe's), without repeats, in that order.
 */
export function buildVocabulary(corpusTexts: readonly string[], extraWords: readonly string[]): string[] {
  const chars = new Set<string>();
  const words = new Map<string, number>();
  for (const text of corpusTexts) {
    for (const token of preTokenize(text)) {
      for (const c of token) chars.add(c);
      words.set(token, (words.get(token) ?? 0) + 1);
    }
  }
  for (const w of extraWords) for (const c of w) chars.add(c);
  const vocab: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(vocab);
  const push = (t: string) => {
    if (!seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  const sortedChars = [...chars].sort();
  for (const c of sortedChars) push(c);
  for (const c of sortedChars) push(`##${c}`);
  for (const w of [...words.keys()].sort()) push(w);
  for (const w of extraWords) push(w);
  return vocab;
}

export function tokenizerJson(vocab: readonly string[]): string {
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const special = (t: string) => ({
    id: ids[t],
    content: t,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: false,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 200,
      vocab: ids,
    },
  });
}

export function tokenizerConfigJson(): string {
  return JSON.stringify({
    tokenizer_class: 'BertTokenizer',
    model_max_length: MODEL_MAX_LENGTH,
    do_lower_case: true,
    strip_accents: false,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
}

export function modelConfigJson(hiddenSize: number, vocabSize: number): string {
  return JSON.stringify({
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: hiddenSize,
    vocab_size: vocabSize,
    max_position_embeddings: MODEL_MAX_LENGTH,
  });
}
