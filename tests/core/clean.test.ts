import { describe, expect, it } from 'vitest';
import { cleanText, normalizeSpan } from '../../src/core/clean.ts';

describe('cleanText', () => {
  it('removes markup and keeps escaped characters', () => {
    expect(normalizeSpan('*Suleimen\\*<sup>1</sup>* **bold** [bookmark: x]text (to contents) a\\_b')).toBe(
      'Suleimen bold text a_b',
    );
  });

  it('removes html tags and URL brackets', () => {
    expect(normalizeSpan('Title\n<i>x</i> see <https://kisi.kz/a>.')).toBe('Title x see https://kisi.kz/a.');
  });

  it('collapses whitespace, including NBSP, and trims', () => {
    expect(normalizeSpan('  a\u00a0\u00a0b\n\n\tc  ')).toBe('a b c');
  });

  it('maps every clean character back to the raw character it came from', () => {
    const raw = '**Akims** are\n\nelected.';
    const { text, map } = cleanText(raw);
    for (let i = 0; i < text.length; i++) {
      if (text[i] !== ' ') expect(raw[map[i] ?? -1]).toBe(text[i]);
    }
  });
});
