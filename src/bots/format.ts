import { readerNotice } from '../retrieve/reader-notice.ts';
import type { AskResult, RankedPassage } from '../retrieve/types.ts';

/**
 * Turning an answer into chat messages: the quote first (it is what a reader wants), then the citation,
 * trimmed to each platform's limits without cutting a citation in half.
 */

/** The notice put above a low-confidence answer (names as the reader wrote them), or undefined. */
export function lowConfidence(
  result: Pick<AskResult, 'confidence' | 'signals' | 'query'>,
): string | undefined {
  return readerNotice(result);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shortens `text` to at most `max` characters at a word boundary, with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function passageLink(publicUrl: string | undefined, passage: RankedPassage): string | undefined {
  return publicUrl ? `${publicUrl.replace(/\/$/, '')}/passages/${encodeURIComponent(passage.id)}` : undefined;
}

/** Plain-text rendering used by the generic webhook and as a fallback. */
export function formatPlain(result: AskResult, maxChars = 4000): string {
  const parts: string[] = [];
  const note = lowConfidence(result);
  if (note) parts.push(note);
  for (const p of result.passages) {
    const block = `${p.rank}. “${clip(p.quote.text, 600)}”\n   — ${p.citation.label}`;
    if ([...parts, block].join('\n\n').length > maxChars) break;
    parts.push(block);
  }
  if (result.passages.length === 0) parts.push('No passage found.');
  return parts.join('\n\n');
}

/** Telegram HTML (parse_mode HTML), within the 4096-character message limit. */
export function formatTelegram(result: AskResult, publicUrl?: string, maxChars = 4096): string {
  const parts: string[] = [];
  const note = lowConfidence(result);
  if (note) parts.push(`<i>${escapeHtml(note)}</i>`);
  for (const p of result.passages) {
    const link = passageLink(publicUrl, p);
    const cite = link
      ? `<a href="${escapeHtml(link)}">${escapeHtml(p.citation.label)}</a>`
      : escapeHtml(p.citation.label);
    const block = `<b>${p.rank}.</b> <blockquote>${escapeHtml(clip(p.quote.text, 700))}</blockquote>— ${cite}`;
    if ([...parts, block].join('\n\n').length > maxChars - 40) break;
    parts.push(block);
  }
  if (result.passages.length === 0) parts.push('No passage found.');
  return parts.join('\n\n');
}
