import { normalizeSpan } from '../core/clean.ts';
import { detectLanguage } from '../core/language.ts';
import type { DocumentInfo, PassageKind } from '../core/types.ts';

/**
 * Document structure: the lines of one catalogue unit classified as headings, text, list items, table rows
 * or noise (pull quotes, repeated paragraphs, empty markup), grouped into segments — runs of lines with the
 * same section path and kind and nothing dropped in between. Segments are what the chunker packs.
 */

export interface Line {
  /** Raw offsets of the line's content (without the newline). */
  start: number;
  end: number;
  raw: string;
  clean: string;
  kind: 'text' | 'list' | 'table';
}

export interface Segment {
  section: string[];
  kind: PassageKind;
  lines: Line[];
}

const ABSTRACT = /^(abstract|annotation|summary|аннотация|аңдатпа|түйіндеме|резюме)(?![\p{L}])/iu;
const KEYWORDS = /^(key ?words|ключевые слова|кілт сөздер|түйін(ді)? сөздер)(?![\p{L}])/iu;
const REFERENCES =
  /^(references?|bibliography|literature|list of references|список (использованной )?литературы|список использованных источников|пайдаланылған әдебиеттер( тізімі)?|әдебиеттер( тізімі)?|spisok ispolzovannich istochnikov)(?![\p{L}])/iu;

const RUN_IN_LABEL =
  /^[ \t]*(abstract|annotation|key ?words|аннотация|аңдатпа|ключевые слова|кілт сөздер|түйін(?:ді)? сөздер)[ \t]*[:.][ \t]*/iu;
const MARKDOWN_HEADING = /^[ \t]*(#{1,6})[ \t]+\S/u;
const MARKDOWN_HEADING_MARK = /^[ \t]*#{1,6}[ \t]+/u;
const BOLD_RUN_IN = /^[ \t]*\*\*([^*\n]{2,80}?)\*\*[ \t]*(?=\S)/u;
const LIST_ITEM = /^[ \t]*(?:[-•·–*][ \t]+|\d{1,2}[.)][ \t]+|\d{1,2}[ \t]+(?=\p{Lu})|[a-zа-я][)][ \t]+)/u;

/** Kind implied by a section heading. */
function kindOf(title: string): PassageKind | undefined {
  if (ABSTRACT.test(title)) return 'abstract';
  if (KEYWORDS.test(title)) return 'keywords';
  if (REFERENCES.test(title)) return 'references';
  return undefined;
}

function words(text: string): number {
  return text.split(' ').filter(Boolean).length;
}

/** Lower-case letters and digits only: the form used to spot repeated text. */
function fingerprint(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function isAllCaps(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length < 3) return false;
  const upper = letters.filter((c) => c === c.toUpperCase() && c !== c.toLowerCase()).length;
  return upper / letters.length >= 0.9;
}

interface Heading {
  title: string;
  level: number;
  /** Run-in label (abstract/keywords) that only covers its own line. */
  runIn: boolean;
  /** Raw offset where the line's text continues after a run-in heading, if it does. */
  rest?: number;
}

function headingOf(raw: string, lineStart: number): Heading | undefined {
  const md = MARKDOWN_HEADING.exec(raw);
  if (md)
    return {
      title: normalizeSpan(raw.replace(MARKDOWN_HEADING_MARK, '')),
      level: md[1]?.length ?? 2,
      runIn: false,
    };
  const label = RUN_IN_LABEL.exec(raw);
  if (label) {
    const rest = label[0].length;
    return {
      title: label[1] ?? '',
      level: 9,
      runIn: true,
      ...(rest < raw.length ? { rest: lineStart + rest } : {}),
    };
  }
  const bold = BOLD_RUN_IN.exec(raw);
  if (bold) {
    const title = normalizeSpan(bold[1] ?? '').replace(/[.:]$/u, '');
    const labelled = kindOf(title);
    return {
      title,
      level: labelled ? 9 : 3,
      runIn: labelled === 'abstract' || labelled === 'keywords',
      rest: lineStart + bold[0].length,
    };
  }
  const clean = normalizeSpan(raw);
  // A line that is only emphasis and names a known section ("*Пайдаланылған әдебиеттер тізімі*").
  if (/^[ \t]*\*[^*]+\*[ \t]*$/u.test(raw) && kindOf(clean)) return { title: clean, level: 4, runIn: false };
  if (!raw.includes('\t') && words(clean) <= 20 && isAllCaps(clean) && fingerprint(clean) !== '') {
    return { title: clean, level: 2, runIn: false };
  }
  if (kindOf(clean) && words(clean) <= 4 && !/[.!?]$/u.test(clean))
    return { title: clean, level: 2, runIn: false };
  return undefined;
}

/** True when `heading` repeats (part of) the document title rather than opening a section. */
function isTitle(heading: string, title: string): boolean {
  const h = fingerprint(heading);
  const t = fingerprint(title);
  return h !== '' && (t.includes(h) || h.includes(t));
}

/**
 * Splits a catalogue unit into segments. `text` is the whole raw file; the unit is `[doc.start, doc.end)`.
 */
export function segmentDocument(text: string, doc: DocumentInfo): Segment[] {
  const lines: Array<{ start: number; end: number; raw: string }> = [];
  let pos = doc.start;
  while (pos < doc.end) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0 || nl > doc.end) nl = doc.end;
    lines.push({ start: pos, end: nl, raw: text.slice(pos, nl) });
    pos = nl + 1;
  }

  // Repeated text: exact repeats anywhere in the unit, and short lines contained in a nearby longer line
  // (magazine pull quotes, a paragraph printed again in extended form).
  const prints = lines.map((l) => fingerprint(normalizeSpan(l.raw)));
  const dropped = new Set<number>();
  const firstSeen = new Map<string, number>();
  prints.forEach((p, i) => {
    if (words(p) < 4) return;
    const earlier = firstSeen.get(p);
    if (earlier !== undefined) dropped.add(i);
    else firstSeen.set(p, i);
  });
  const WINDOW = 30;
  const LONE_QUOTE = /^[\s*"“”«»„]+$/u;
  prints.forEach((p, i) => {
    // A short all-caps line found in the text nearby is a heading that the text mentions, not a pull quote.
    if (dropped.has(i) || words(p) < 5 || (words(p) < 10 && isAllCaps(lines[i]?.raw ?? ''))) return;
    for (let j = Math.max(0, i - WINDOW); j < Math.min(prints.length, i + WINDOW); j++) {
      const other = prints[j] ?? '';
      if (j !== i && !dropped.has(j) && other.length > p.length && other.includes(p)) {
        dropped.add(i);
        return;
      }
    }
  });

  // Lines before the first section of a unit with an abstract are its front matter (authors, affiliations).
  const hasAbstract = lines.some((l) => RUN_IN_LABEL.test(l.raw) || ABSTRACT.test(normalizeSpan(l.raw)));
  // Pull-quote boxes: a line holding only a quote mark opens one; it runs to the next blank line.
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]?.raw ?? '';
    if (raw.trim() === '' || !LONE_QUOTE.test(raw)) continue;
    dropped.add(i);
    for (let j = i + 1; j < lines.length && (lines[j]?.raw.trim() ?? '') !== ''; j++) {
      dropped.add(j);
      i = j;
    }
  }
  const segments: Segment[] = [];
  let stack: Array<{ title: string; level: number; lang: string }> = [];
  let current: Segment | undefined;
  let sawSection = false;
  const flush = () => {
    if (current && current.lines.length > 0) segments.push(current);
    current = undefined;
  };
  const sectionKind = (): PassageKind => {
    if (doc.type === 'matter') return 'meta';
    for (let i = stack.length - 1; i >= 0; i--) {
      const k = kindOf(stack[i]?.title ?? '');
      if (k) return k;
    }
    return 'body';
  };
  const add = (line: Line, kind: PassageKind) => {
    const section = stack.map((s) => s.title);
    const joinable =
      current &&
      current.kind === kind &&
      current.section.join('\u0000') === section.join('\u0000') &&
      (kind !== 'table') === (current.lines[0]?.kind !== 'table');
    if (!joinable) {
      flush();
      current = { section, kind, lines: [] };
    }
    current?.lines.push(line);
  };

  lines.forEach((l, i) => {
    const clean = normalizeSpan(l.raw);
    if (clean === '') return; // blank or markup only: invisible, does not break a passage
    if (dropped.has(i) || !/[\p{L}\p{N}]/u.test(clean)) {
      flush(); // a passage never spans removed text, so its raw slice still cleans to its text
      return;
    }
    const heading = headingOf(l.raw, l.start);
    if (heading) {
      flush();
      // The unit's own title (possibly over two lines) is not a section.
      if (!heading.runIn && isTitle(heading.title, doc.title) && (!sawSection || words(heading.title) >= 4))
        return;
      const lang = detectLanguage(heading.title);
      // A heading in another language (a parallel title block) does not nest into the previous block.
      if (stack.length > 0 && stack[stack.length - 1]?.lang !== lang && lang !== 'und') stack = [];
      while (stack.length > 0 && (stack[stack.length - 1]?.level ?? 0) >= heading.level) stack.pop();
      stack.push({ title: heading.title, level: heading.level, lang });
      sawSection = true;
      if (heading.rest !== undefined && heading.rest < l.end) {
        const raw = text.slice(heading.rest, l.end);
        add({ start: heading.rest, end: l.end, raw, clean: normalizeSpan(raw), kind: 'text' }, sectionKind());
      }
      if (heading.runIn) {
        flush();
        const kind = kindOf(heading.title);
        // Keywords close the abstract block they follow.
        stack = stack.filter(
          (s) => s !== stack[stack.length - 1] && !(kind === 'keywords' && kindOf(s.title)),
        );
      }
      return;
    }
    const lineKind: Line['kind'] = l.raw.includes('\t') ? 'table' : LIST_ITEM.test(l.raw) ? 'list' : 'text';
    let kind = sectionKind();
    if (lineKind === 'table' && kind === 'body') kind = 'table';
    if (kind === 'body' && !sawSection && hasAbstract) kind = 'meta';
    add({ ...l, clean, kind: lineKind }, kind);
  });
  flush();
  return segments;
}
