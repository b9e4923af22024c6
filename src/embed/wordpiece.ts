import { preTokenize, SPECIAL_TOKENS } from './tokenizer-files.ts';

/** Options of the generated WordPiece tokenizer (tokenizer-files.ts), as Transformers.js applies them. */
export interface WordPieceOptions {
  /** Longest encoding, special tokens included; longer inputs are cut at the end (like `truncation: true`). */
  maxLength: number;
  /** Words longer than this many characters become `[UNK]`. */
  maxInputCharsPerWord: number;
}

export const DEFAULT_WORDPIECE_OPTIONS: WordPieceOptions = { maxLength: 512, maxInputCharsPerWord: 200 };

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The built-in model's tokenizer in plain TypeScript, for runtimes without Transformers.js (Workers):
 * special tokens split out first, then BertNormalizer + BertPreTokenizer (`preTokenize`), greedy
 * longest-match WordPiece, `[CLS] … [SEP]`, truncation to `maxLength`. Produces the same ids as
 * Transformers.js 2.17 for the generated tokenizer.json (tests/embed/wordpiece.test.ts).
 */
export function createWordPiece(vocab: readonly string[], options: Partial<WordPieceOptions> = {}) {
  const { maxLength, maxInputCharsPerWord } = { ...DEFAULT_WORDPIECE_OPTIONS, ...options };
  const ids = new Map(vocab.map((t, i) => [t, i]));
  const idOf = (token: string) => {
    const id = ids.get(token);
    if (id === undefined) throw new Error(`tokenizer vocabulary lacks ${token}`);
    return id;
  };
  const unk = idOf('[UNK]');
  const cls = idOf('[CLS]');
  const sep = idOf('[SEP]');
  const specials = new RegExp(`(${SPECIAL_TOKENS.map(escapeRegExp).join('|')})`);

  function word(token: string, out: number[]): void {
    const chars = [...token];
    if (chars.length > maxInputCharsPerWord) {
      out.push(unk);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const piece = chars.slice(start, end).join('');
        found = ids.get(start > 0 ? `##${piece}` : piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        out.push(unk);
        return;
      }
      pieces.push(found);
      start = end;
    }
    out.push(...pieces);
  }

  return {
    /** Token ids of `text` with `[CLS]` and `[SEP]`, cut to `maxLength`. */
    encode(text: string): number[] {
      const out = [cls];
      for (const section of text.split(specials)) {
        if (section === '') continue;
        const special = ids.get(section);
        if (special !== undefined && (SPECIAL_TOKENS as readonly string[]).includes(section)) {
          out.push(special);
          continue;
        }
        for (const token of preTokenize(section)) word(token, out);
      }
      out.push(sep);
      return out.slice(0, maxLength);
    },
  };
}
