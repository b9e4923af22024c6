/**
 * Markup removal with an exact map back to raw offsets. Display and embedding text is "clean" (no `**`,
 * `\*`, `<sup>`, `[bookmark: …]`, "(to contents)"; whitespace collapsed), but every clean
 * character remembers where it came from, so citations point into the raw file.
 */

export interface CleanText {
  text: string;
  /** Raw index (relative to the cleaned string's origin) of each character of `text`. */
  map: number[];
}

// Spans removed entirely. Each one starts and ends on characters that never survive cleaning, so
// cleaning a slice that starts and ends on kept characters gives the same result as cleaning the whole.
const REMOVED = [
  /\[bookmark:[^\]\n]*\]/g,
  /\(to contents\)/g,
  /<sup>[^<\n]*<\/sup>/g,
  /<\/?(?:i|b|em|strong|u|sub|sup|br|span)\s*\/?>/g,
  /\*+/g,
  // Markdown escapes: drop the backslash, keep what it escapes.
  /\\(?=[\\`*_{}[\]()#+\-.!<>|"'])/g,
];

// Angle brackets around URLs, each side on its own so a slice holding only one side cleans the same way.
const URL_BRACKETS = /<(?=https?:\/\/)|(?<=https?:\/\/[^\s<>]*)>/g;

/** Cleans `raw`; `map[i]` is the index in `raw` of clean character `i`. */
export function cleanText(raw: string): CleanText {
  const drop = new Uint8Array(raw.length);
  for (const pattern of [...REMOVED, URL_BRACKETS]) {
    pattern.lastIndex = 0;
    for (const m of raw.matchAll(pattern)) {
      const start = m.index ?? 0;
      drop.fill(1, start, start + m[0].length);
    }
  }
  const chars: string[] = [];
  const map: number[] = [];
  let pendingSpace = false;
  for (let i = 0; i < raw.length; i++) {
    if (drop[i]) continue;
    const c = raw[i] as string;
    if (/\s/u.test(c)) {
      pendingSpace = chars.length > 0;
      continue;
    }
    if (pendingSpace) {
      chars.push(' ');
      map.push(i - 1);
      pendingSpace = false;
    }
    chars.push(c);
    map.push(i);
  }
  return { text: chars.join(''), map };
}

/** The clean form of a raw span: markup removed, whitespace collapsed, trimmed. */
export function normalizeSpan(raw: string): string {
  return cleanText(raw).text;
}
