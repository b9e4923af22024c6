import { cleanText } from '../core/clean.ts';
import { detectLanguage } from '../core/language.ts';
import type { DocumentInfo, PageSpan, Passage, Sentence, SourceFile } from '../core/types.ts';
import { sentenceEnds } from './sentences.ts';
import { type Line, type Segment, segmentDocument } from './structure.ts';

/** Bump whenever chunking output changes, so existing indexes are rebuilt. */
export const CHUNKER_VERSION = 4;

export interface ChunkOptions {
  /** Token count of a text under the active model's tokenizer, special tokens included. */
  countTokens: (text: string) => number;
  /** Hard limit per passage in tokens (below the model's window, leaving room for a header). */
  maxTokens: number;
  /** Passages shorter than this are merged into their neighbour when the section allows. */
  minWords: number;
  /** Target upper size; a passage only exceeds it when a single sentence does (and is then cut). */
  maxWords: number;
  /** Sentences repeated at the start of the next passage of the same section, so no answer is cut in two. */
  overlapSentences: number;
}

/** Conservative token estimate for when no tokenizer is at hand: words and punctuation marks, plus specials. */
export function estimateTokens(text: string): number {
  return (text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0) + 2;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = {
  countTokens: estimateTokens,
  maxTokens: 480,
  minWords: 60,
  maxWords: 220,
  overlapSentences: 1,
};

const TERMINAL_END = /[.!?…:;]["'”’»)\]]*$/u;
const CONTINUATION_START = /^[\p{Ll}"“«'([–-]/u;
const CONTINUABLE_END = /[\p{Ll},\-–]$/u;

function wordCount(text: string): number {
  return text.split(' ').filter(Boolean).length;
}

/** True when a sentence runs on from `line` into `next` (a paragraph broken by a page or line break). */
function continues(line: Line, next: Line): boolean {
  if (line.kind !== 'text' || next.kind !== 'text') return false;
  if (TERMINAL_END.test(line.clean)) return false;
  return CONTINUATION_START.test(next.clean) || CONTINUABLE_END.test(line.clean);
}

/** The sentences of a segment with raw spans; long sentences are cut at word boundaries. */
function segmentSentences(segment: Segment, maxWords: number): Sentence[] {
  const chars: string[] = [];
  const rawAt: number[] = [];
  const forced = new Set<number>();
  segment.lines.forEach((line, i) => {
    const { text, map } = cleanText(line.raw);
    if (text === '') return;
    if (chars.length > 0) {
      const prev = segment.lines[i - 1];
      if (prev && !continues(prev, line)) forced.add(chars.length);
      chars.push(' ');
      rawAt.push(line.start - 1);
    }
    for (let k = 0; k < text.length; k++) {
      chars.push(text[k] as string);
      rawAt.push(line.start + (map[k] ?? 0));
    }
  });
  const text = chars.join('');
  const ends = [...new Set([...sentenceEnds(text), ...forced, text.length])].sort((a, b) => a - b);
  const sentences: Sentence[] = [];
  let from = 0;
  for (const end of ends) {
    let a = from;
    let b = end;
    from = end;
    while (a < b && text[a] === ' ') a++;
    while (b > a && text[b - 1] === ' ') b--;
    if (a >= b) continue;
    for (const [pa, pb] of splitLong(text, a, b, maxWords)) {
      sentences.push({ text: text.slice(pa, pb), start: rawAt[pa] ?? 0, end: (rawAt[pb - 1] ?? 0) + 1 });
    }
  }
  return sentences;
}

/** How good a place for cutting an over-long sentence the space after `char` is: clause ends first. */
function breakPriority(char: string | undefined): number {
  if (char === ';') return 3;
  if (char === ':') return 2;
  if (char === ',' || char === '–' || char === '—' || char === ')') return 1;
  return 0;
}

/**
 * Cuts `[a, b)` of `text` into pieces of at most `maxWords` words. A sentence that long is usually an
 * enumeration, so pieces end at a clause boundary (`;`, then `:`, then a comma or dash) near an even
 * share of the words, and only a clause with no boundary at all is cut between two words: every piece
 * then reads as a quotable clause.
 */
export function splitLong(text: string, a: number, b: number, maxWords: number): Array<[number, number]> {
  const spaces: number[] = [];
  for (let i = a; i < b; i++) if (text[i] === ' ') spaces.push(i);
  if (spaces.length < maxWords) return [[a, b]];
  const pieces: Array<[number, number]> = [];
  let start = a;
  let first = 0;
  while (spaces.length - first >= maxWords) {
    const left = spaces.length - first + 1;
    const target = left / Math.ceil(left / maxWords);
    let best = first + maxWords - 1;
    let bestScore = -Infinity;
    for (let j = first; j < first + maxWords; j++) {
      const words = j - first + 1;
      const priority = breakPriority(text[(spaces[j] as number) - 1]);
      if (priority === 0 && j !== first + maxWords - 1) continue;
      // A clause boundary outranks evenness; among equals, the one nearest an even share wins.
      const score = priority * maxWords - Math.abs(words - target);
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    }
    const cut = spaces[best] as number;
    pieces.push([start, cut]);
    start = cut + 1;
    first = best + 1;
  }
  pieces.push([start, b]);
  return pieces;
}

interface Draft {
  sentences: Sentence[];
  segment: Segment;
}

/** Packs a segment's sentences into passages of about minWords..maxWords with sentence overlap. */
function packSegment(segment: Segment, options: ChunkOptions): Draft[] {
  const sentences = segmentSentences(segment, options.maxWords);
  const words = sentences.map((s) => wordCount(s.text));
  const tokens = sentences.map((s) => Math.max(0, options.countTokens(s.text) - 2));
  const drafts: Draft[] = [];
  let from = 0;
  while (from < sentences.length) {
    let to = from;
    let w = 0;
    let t = 2;
    while (to < sentences.length) {
      const nw = w + (words[to] ?? 0);
      const nt = t + (tokens[to] ?? 0);
      if (to > from && (nw > options.maxWords || nt > options.maxTokens)) break;
      w = nw;
      t = nt;
      to++;
    }
    const rest = sentences.slice(to);
    const restWords = rest.reduce((s, x) => s + wordCount(x.text), 0);
    // Fold a short tail into this passage rather than leaving a fragment.
    if (rest.length > 0 && restWords < options.minWords / 2 && w + restWords <= options.maxWords * 1.25) {
      const restTokens = tokens.slice(to).reduce((s, x) => s + x, 0);
      if (t + restTokens <= options.maxTokens) to = sentences.length;
    }
    drafts.push({ sentences: sentences.slice(from, to), segment });
    if (to >= sentences.length) break;
    const overlap = Math.min(options.overlapSentences, to - from - 1);
    from = to - Math.max(0, overlap);
  }
  return drafts;
}

/** Keeps every passage within the token limit by halving any that the sentence-sum estimate let through. */
function enforceTokenLimit(draft: Draft, options: ChunkOptions): Draft[] {
  const text = draft.sentences.map((s) => s.text).join(' ');
  if (draft.sentences.length < 2 || options.countTokens(text) <= options.maxTokens) return [draft];
  const mid = Math.ceil(draft.sentences.length / 2);
  return [
    ...enforceTokenLimit({ ...draft, sentences: draft.sentences.slice(0, mid) }, options),
    ...enforceTokenLimit({ ...draft, sentences: draft.sentences.slice(mid) }, options),
  ];
}

/** Labels of the first and last page that `[start, end)` touches, for paginated sources. */
export function pageRange(
  pages: readonly PageSpan[] | undefined,
  start: number,
  end: number,
): [string, string] | undefined {
  if (!pages || pages.length === 0) return undefined;
  const first = pages.find((p) => p.end > start) ?? pages[pages.length - 1];
  const last = [...pages].reverse().find((p) => p.start < end) ?? first;
  if (!first || !last) return undefined;
  return [first.label, last.label];
}

/** Passages of one catalogue unit, numbered from 1 within the unit; ordinals start at `firstOrdinal`. */
export function chunkDocument(
  file: SourceFile,
  doc: DocumentInfo,
  firstOrdinal: number,
  options: ChunkOptions = DEFAULT_CHUNK_OPTIONS,
): Passage[] {
  const drafts = segmentDocument(file.text, doc)
    .flatMap((segment) => packSegment(segment, options))
    .flatMap((draft) => enforceTokenLimit(draft, options));
  return drafts.map((draft, i) => {
    const text = draft.sentences.map((s) => s.text).join(' ');
    const detected = detectLanguage(text);
    const start = draft.sentences[0]?.start ?? doc.start;
    const end = draft.sentences[draft.sentences.length - 1]?.end ?? doc.start;
    const pages = pageRange(file.pages, start, end);
    return {
      id: `${doc.id}.p${i + 1}`,
      ordinal: firstOrdinal + i,
      documentId: doc.id,
      source: file.name,
      section: draft.segment.section,
      language: detected === 'und' ? (doc.languages[0] ?? 'und') : detected,
      kind: draft.segment.kind,
      text,
      sentences: draft.sentences,
      start,
      end,
      ...(pages ? { pages } : {}),
    };
  });
}

/**
 * The catalogue cut into runs of consecutive units from the same file, in catalogue order (the units of a
 * file are consecutive), so chunking file by file and concatenating keeps the catalogue's passage order.
 */
export function catalogByFile(catalog: readonly DocumentInfo[]): DocumentInfo[][] {
  const runs: DocumentInfo[][] = [];
  for (const doc of catalog) {
    const last = runs[runs.length - 1];
    if (last && last[0]?.source === doc.source) last.push(doc);
    else runs.push([doc]);
  }
  return runs;
}

/** Passages of one file's catalogue units, with ordinals counted from 0 within the file. */
export function chunkFile(
  file: SourceFile,
  docs: readonly DocumentInfo[],
  options: Partial<ChunkOptions> = {},
): Passage[] {
  const opts = { ...DEFAULT_CHUNK_OPTIONS, ...options };
  const passages: Passage[] = [];
  for (const doc of docs) passages.push(...chunkDocument(file, doc, passages.length, opts));
  return passages;
}

/** Passages of the whole corpus in catalogue order, with dense ordinals. */
export function chunkCorpus(
  files: readonly SourceFile[],
  catalog: readonly DocumentInfo[],
  options: Partial<ChunkOptions> = {},
): Passage[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  const passages: Passage[] = [];
  for (const docs of catalogByFile(catalog)) {
    const file = byName.get(docs[0]?.source ?? '');
    if (!file) continue;
    for (const p of chunkFile(file, docs, options)) passages.push({ ...p, ordinal: passages.length });
  }
  return passages;
}
