import snowball from 'snowball-stemmers';
import { memoize } from './memo.ts';

/**
 * Word-level text analysis shared by the lexical index, quote selection and query handling:
 * tokenise, drop stopwords, stem by script (English Snowball for Latin, Russian Snowball for Cyrillic,
 * which also strips the commonest Kazakh endings it shares with Russian).
 */

/** A token with its position in the analysed string (JS indices), before stemming. */
export interface Token {
  /** Lower-cased surface form. */
  word: string;
  /** Stemmed form used for matching; empty for stopwords. */
  term: string;
  start: number;
  end: number;
}

// Letters (any script) and digits, joined by inner apostrophes or dots inside numbers ("37,0", "2.5").
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+|[.,]\p{N}+)*/gu;

const EN_STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he
her here hers herself him himself his how i if in into is it its itself just let me more most my myself no nor
not now of off on once only or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves may might must shall
upon within without via per etc eg ie yes one two whose whether yet still even much many well however thus
therefore according give find tell show quote say says said does did get got make made way ways something`.split(
    /\s+/,
  ),
);

const RU_STOPWORDS = new Set(
  `и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня
еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там
потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже
себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас
были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них
какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда
конечно всю между это как каков какие какое также`.split(/\s+/),
);

const KK_STOPWORDS = new Set(
  `және мен бен пен да де та те ма ме ба бе па пе бұл сол осы ол олар біз сіз не қандай қалай қашан қайда кім
неше үшін бойынша туралы арқылы ретінде болып болды болса бар жоқ еді екен ғана әр барлық кез кейін дейін
сияқты тиіс керек`.split(/\s+/),
);

const english = snowball.newStemmer('english');
const russian = snowball.newStemmer('russian');
const CYRILLIC = /[\u0400-\u04FF]/;

/** True for words that carry no topic (function words in en/ru/kk). */
export function isStopword(word: string): boolean {
  return EN_STOPWORDS.has(word) || RU_STOPWORDS.has(word) || KK_STOPWORDS.has(word);
}

// Snowball is the slowest step of analysis; a corpus and its questions reuse a few thousand words.
const STEM_CACHE_LIMIT = 200_000;
/** Stem one lower-cased word with the stemmer of its script; numbers stay as they are. */
const stemWord = memoize(STEM_CACHE_LIMIT, (word: string) => {
  if (/^\p{N}/u.test(word)) return word;
  const base = word.replace(/['’]s$/u, '').replace(/['’]/gu, '');
  return CYRILLIC.test(base) ? russian.stem(base) : english.stem(base);
});
export const stem: (word: string) => string = stemWord;

/**
 * `[word, stem]` of the words of `texts` that are stemmed (stopwords, single letters and numbers are not
 * looked up), the most frequent first, at most `limit`: what {@link rememberStems} takes back.
 */
export function stemTable(texts: Iterable<string>, limit = STEM_CACHE_LIMIT / 2): Array<[string, string]> {
  const counts = new Map<string, { stem: string; count: number }>();
  for (const text of texts) {
    for (const { word, term } of tokenize(text)) {
      if (term === '' || /^\p{N}/u.test(word)) continue;
      const seen = counts.get(word);
      if (seen) seen.count++;
      else counts.set(word, { stem: term, count: 1 });
    }
  }
  return [...counts]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([word, { stem }]) => [word, stem]);
}

/**
 * Takes stems {@link stem} gave before (an index's table of its corpus words, made at build time), so that
 * analysing passages and quotes does not run Snowball on words the build already stemmed: most of a
 * fresh process's first answer went there.
 */
export function rememberStems(table: Iterable<readonly [string, string]>): void {
  for (const [word, stemmed] of table) stemWord.remember(word, stemmed);
}

/** Tokens of `text` with positions; stopwords and single letters keep `term: ''`. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    const start = match.index ?? 0;
    const keep = !isStopword(word) && (word.length > 1 || /\p{N}/u.test(word));
    out.push({ word, term: keep ? stem(word) : '', start, end: start + match[0].length });
  }
  return out;
}

/** The content terms of `text` (stemmed, stopwords removed), in order, with repeats. */
export function terms(text: string): string[] {
  return tokenize(text)
    .map((t) => t.term)
    .filter((t) => t !== '');
}
