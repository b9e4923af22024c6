/**
 * Sentence boundaries in clean text. Splits after `.`, `!`, `?` or `…` (plus closing quotes) when the next
 * word starts like a sentence, except after initials ("K.K. Tokayev"), common abbreviations and list
 * numbers ("1. The concept").
 */

const ABBREVIATIONS = new Set(
  `etc e.g eg i.e ie vs cf al no nos p pp vol vols ed eds ch sec fig figs art arts mr mrs ms dr prof st jr sr
  approx est dept univ ibid op cit resp т.е т.д т.п г гг им см ст др проф рис табл с б.`.split(/\s+/),
);

const TERMINAL = /[.!?…]/u;
const CLOSERS = /["'”’»)\]]/u;
const OPENER = /[\p{Lu}\p{N}"“«'([]/u;

/** End offsets (exclusive, in `text`) of the sentences of `text`; the last one is `text.length`. */
export function sentenceEnds(text: string): number[] {
  const ends: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!TERMINAL.test(text[i] as string)) continue;
    let end = i + 1;
    while (end < text.length && (TERMINAL.test(text[end] as string) || CLOSERS.test(text[end] as string)))
      end++;
    if (text[end] !== ' ') continue;
    const next = text[end + 1];
    if (next === undefined || !OPENER.test(next)) continue;
    if (text[i] === '.' && !isSentenceFinalPeriod(text, i)) continue;
    ends.push(end);
    i = end;
  }
  if (ends[ends.length - 1] !== text.length && text.length > 0) ends.push(text.length);
  return ends;
}

function isSentenceFinalPeriod(text: string, dot: number): boolean {
  let start = dot;
  while (start > 0 && !/\s/u.test(text[start - 1] as string)) start--;
  const word = text.slice(start, dot).replace(/^["'“«([]+/u, '');
  if (word.length === 0) return true;
  // Initials: "M.", "M.V.", "K.K."
  if (/^(\p{Lu}\.)*\p{Lu}$/u.test(word)) return false;
  if (ABBREVIATIONS.has(word.toLowerCase())) return false;
  // List numbers "1." / "II." at the start of a sentence.
  const before = text.slice(0, start).trimEnd();
  if (/^(\d{1,2}|[IVX]{1,4})$/u.test(word) && (before === '' || /[.!?:;…]$/u.test(before))) return false;
  return true;
}
