import { memoize } from '../core/memo.ts';
import { stem } from '../core/terms.ts';

/**
 * Cross-lingual matching of Russian and Kazakh words to English words of the same origin
 * (Хантингтон → Huntington, модернизацияны → modernization, конституция → constitution). Political
 * vocabulary is full of such international words and names, so a question in Cyrillic can reach the
 * English body through them without a dictionary. Each word is reduced to a consonant skeleton (spellings
 * of one sound merged, vowels dropped); a Cyrillic word matches the English words whose skeleton is the
 * longest prefix of its own (leaving room for Russian and Kazakh endings) and whose vowels mostly agree.
 */

// Cyrillic letters to the consonant classes of `LATIN_RULES`; vowels and signs map to nothing. Н stands
// for the n of "-tion"/"-sion", which Russian -ция/-сия lacks.
// biome-ignore format: a table
const CYRILLIC_CONSONANTS: Record<string, string> = {
  б: 'b', в: 'v', г: 'g', ғ: 'g', д: 'd', ж: 'j', з: 'z', к: 'k', қ: 'k', л: 'l', м: 'm', н: 'n', ң: 'n',
  п: 'p', р: 'r', с: 's', т: 't', ф: 'f', ц: 's', ч: 'c', ш: 's', щ: 's', Н: 'n',
};
// English writes х as h (dropped like every h: Huntington) or as kh (Kazakh); both are tried.
const KH = 'k';

// Vowel classes compared between the two words; и/ы/і/е/э and i/e/y are one class (both spell unstressed
// vowels inconsistently).
const CYRILLIC_VOWELS: Record<string, string> = {
  а: 'a',
  ә: 'a',
  я: 'a',
  о: 'o',
  ө: 'o',
  ё: 'o',
  е: 'e',
  э: 'e',
  и: 'e',
  ы: 'e',
  і: 'e',
  у: 'u',
  ұ: 'u',
  ү: 'u',
  ю: 'u',
};
const LATIN_VOWELS: Record<string, string> = { a: 'a', o: 'o', e: 'e', i: 'e', y: 'e', u: 'u' };

// English spellings rewritten to single sound classes, in order; then vowels, h and doubles go.
const LATIN_RULES: Array<[RegExp, string]> = [
  [/ph/g, 'f'],
  [/ch/g, 'c'],
  [/sh/g, 's'],
  [/ck/g, 'k'],
  [/qu/g, 'kv'],
  [/q/g, 'k'],
  [/x/g, 'ks'],
  [/w/g, 'v'],
  // The t of "-tion", "-tial" is said ts, which Russian spells ц (модернизация, потенциал); ts and s are one
  // class, since English also spells ц as c (process, процесс).
  [/t(?=i[aeiou])/g, 's'],
  [/c(?=[eiy])/g, 's'],
  [/c/g, 'k'],
  [/g(?=[eiy])/g, 'j'],
];

const LATIN_WORD = /^[a-z]+$/;
const CYRILLIC_WORD = /^[\u0400-\u04FF]+$/u;

interface Shape {
  skeleton: string;
  vowels: string;
}

const collapseDoubles = (s: string) => s.replace(/(.)\1+/g, '$1');

/** Vowel classes of a word, one per run of vowels. */
function vowelRuns(word: string, classes: Record<string, string>): string {
  let out = '';
  let inRun = false;
  for (const ch of word) {
    const v = classes[ch];
    if (v && !inRun) out += v;
    inRun = v !== undefined;
  }
  return out;
}

/** Skeletons of a lower-case Cyrillic word (two when it has х), or none when it has other letters. */
export function cyrillicShapes(word: string): Shape[] {
  if (!CYRILLIC_WORD.test(word)) return [];
  // -ция/-сия are "-tion"/"-sion"; -тия is "-cy" (демократия, бюрократия).
  const marked = word.replace(/([цс])и[яиюей]/gu, '$1Н').replace(/ти(?=[яиюей])/gu, 'с');
  const vowels = vowelRuns(word, CYRILLIC_VOWELS);
  const variants = marked.includes('х') ? ['', KH] : [''];
  return variants.map((kh) => {
    const letters = kh === '' ? marked.replaceAll('х', '') : marked;
    let out = CYRILLIC_VOWELS[letters[0] ?? ''] ? 'V' : '';
    for (const ch of letters) out += ch === 'х' ? kh : (CYRILLIC_CONSONANTS[ch] ?? '');
    return { skeleton: collapseDoubles(out), vowels };
  });
}

/** Skeleton of a lower-case English word, or undefined when it has other letters. */
export function latinShape(word: string): Shape | undefined {
  if (!LATIN_WORD.test(word)) return undefined;
  let s = word;
  for (const [pattern, replacement] of LATIN_RULES) s = s.replace(pattern, replacement);
  s = s.replace(/h/g, '');
  const initial = LATIN_VOWELS[s[0] ?? ''] ? 'V' : '';
  return {
    skeleton: collapseDoubles(initial + s.replace(/[aeiouy]/g, '')),
    vowels: vowelRuns(s, LATIN_VOWELS),
  };
}

/** Share of the first vowel runs (up to the shorter word's count) that agree in class. */
function vowelAgreement(a: string, b: string): number {
  const n = Math.min(a.length, b.length, 4);
  if (n === 0) return 1;
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return same / n;
}

export interface CognateOptions {
  /** Least skeleton length of an English word that may match; shorter skeletons collide too often. */
  minSkeleton: number;
  /** Most consonants the Cyrillic word may have beyond the English one (its ending). */
  maxExtra: number;
  /** Least share of agreeing vowels. */
  minVowelAgreement: number;
  /** Cognates kept per word, the most frequent English words first. */
  perWord: number;
}

export const DEFAULT_COGNATE_OPTIONS: CognateOptions = {
  minSkeleton: 5,
  maxExtra: 3,
  minVowelAgreement: 0.6,
  perWord: 2,
};

export interface Cognate {
  /** The English word matched (the shortest of its stem's forms in the vocabulary). */
  word: string;
  /** Its stem, as searched. */
  term: string;
}

/**
 * True when a Cyrillic word and an English word look like the same word, with a shorter least skeleton:
 * for comparing the words of two phrases known to translate each other.
 */
export function isCognate(cyrillic: string, english: string, options: Partial<CognateOptions> = {}): boolean {
  const opts = { ...DEFAULT_COGNATE_OPTIONS, minSkeleton: 3, ...options };
  const target = latinShape(english);
  if (!target || target.skeleton.replace('V', '').length < opts.minSkeleton) return false;
  return cyrillicShapes(cyrillic).some(
    ({ skeleton, vowels }) =>
      skeleton.startsWith(target.skeleton) &&
      skeleton.length - target.skeleton.length <= opts.maxExtra &&
      vowelAgreement(vowels, target.vowels) >= opts.minVowelAgreement,
  );
}

export interface CognateMatcher {
  /** English cognates of a lower-case Cyrillic word; empty when none is found. */
  cognatesOf(word: string): Cognate[];
}

/**
 * A matcher over an English vocabulary (the words of the corpus with their counts). A lookup tries the
 * Cyrillic skeleton's prefixes from the longest down, so it costs a few map lookups.
 */
export function createCognateMatcher(
  vocabulary: ReadonlyMap<string, number>,
  options: Partial<CognateOptions> = {},
): CognateMatcher {
  const opts = { ...DEFAULT_COGNATE_OPTIONS, ...options };
  const bySkeleton = new Map<string, Array<Cognate & { vowels: string; count: number }>>();
  for (const [word, count] of vocabulary) {
    const shape = latinShape(word);
    if (!shape || shape.skeleton.replace('V', '').length < opts.minSkeleton) continue;
    const term = stem(word);
    const list = bySkeleton.get(shape.skeleton) ?? [];
    const same = list.find((c) => c.term === term);
    if (!same) list.push({ word, term, vowels: shape.vowels, count });
    else {
      same.count += count;
      if (word.length < same.word.length) Object.assign(same, { word, vowels: shape.vowels });
    }
    bySkeleton.set(shape.skeleton, list);
  }
  const cognatesOf = memoize(50_000, (word: string): Cognate[] => {
    const found: Array<Cognate & { count: number }> = [];
    for (const { skeleton, vowels } of cyrillicShapes(word)) {
      // The longest matching prefix wins: "демократизация" is democratization, not democrat.
      for (let n = skeleton.length; n >= skeleton.length - opts.maxExtra && found.length === 0; n--) {
        for (const c of bySkeleton.get(skeleton.slice(0, n)) ?? []) {
          if (vowelAgreement(vowels, c.vowels) >= opts.minVowelAgreement) found.push(c);
        }
      }
    }
    const result = found
      .sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1))
      .slice(0, opts.perWord)
      .map(({ word, term }) => ({ word, term }));
    return result;
  });
  return { cognatesOf };
}
