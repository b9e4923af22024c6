import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLong } from '../../src/chunk/chunk-corpus.ts';

const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `w${from + i}`);
const pieces = (text: string, max: number) =>
  splitLong(text, 0, text.length, max).map(([a, b]) => text.slice(a, b));

describe('splitLong', () => {
  it('keeps a sentence within the limit whole', () => {
    const text = words(10).join(' ');
    expect(pieces(text, 10)).toEqual([text]);
  });

  it('cuts an enumeration after a semicolon rather than mid-clause', () => {
    const text = `${words(7).join(' ')}; ${words(7, 7).join(' ')}; ${words(7, 14).join(' ')}`;
    const out = pieces(text, 16);
    expect(out.every((p) => p.split(' ').length <= 16)).toBe(true);
    expect(out[0]?.endsWith(';')).toBe(true);
  });

  it('prefers a semicolon to a comma and a comma to a bare word boundary', () => {
    const text = `${words(3).join(' ')}, ${words(3, 3).join(' ')}; ${words(3, 6).join(' ')} ${words(5, 9).join(' ')}`;
    expect(pieces(text, 10)[0]).toMatch(/;$/);
    const commaOnly = `${words(3).join(' ')}, ${words(10, 3).join(' ')}`;
    expect(pieces(commaOnly, 10)[0]).toMatch(/,$/);
  });

  it('covers the input exactly, in order, every piece within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'bb', 'c;', 'd,', 'e:', 'f–'), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 2, max: 40 }),
        (tokens, max) => {
          const text = tokens.join(' ');
          const spans = splitLong(text, 0, text.length, max);
          expect(spans.map(([a, b]) => text.slice(a, b)).join(' ')).toBe(text);
          for (const [a, b] of spans) expect(text.slice(a, b).split(' ').length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});
