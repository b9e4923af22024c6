import { describe, expect, it } from 'vitest';
import { createCognateMatcher, cyrillicShapes, isCognate, latinShape } from '../../src/retrieve/cognates.ts';

const vocabulary = new Map([
  ['huntington', 3],
  ['modernization', 40],
  ['modern', 12],
  ['constitution', 20],
  ['constitutional', 9],
  ['democracy', 30],
  ['democratization', 5],
  ['consists', 2],
  ['privately', 1],
  ['kazakhstan', 100],
  ['thousand', 4],
]);

describe('skeletons', () => {
  it('spell the same sounds alike in both scripts', () => {
    expect(latinShape('modernization')?.skeleton).toBe(cyrillicShapes('модернизация')[0]?.skeleton);
    expect(latinShape('process')?.skeleton).toBe(cyrillicShapes('процесс')[0]?.skeleton);
    expect(latinShape('huntington')?.skeleton).toBe(cyrillicShapes('хантингтон')[0]?.skeleton);
  });

  it('tries both readings of х and rejects mixed scripts', () => {
    expect(cyrillicShapes('хабар')).toHaveLength(2);
    expect(cyrillicShapes('kазах')).toEqual([]);
    expect(latinShape('naïve')).toBeUndefined();
  });
});

describe('createCognateMatcher', () => {
  const matcher = createCognateMatcher(vocabulary);

  it('finds names and international words through Russian and Kazakh endings', () => {
    expect(matcher.cognatesOf('хантингтон').map((c) => c.word)).toEqual(['huntington']);
    expect(matcher.cognatesOf('модернизацияны').map((c) => c.word)).toEqual(['modernization']);
    expect(matcher.cognatesOf('конституциясы').map((c) => c.word)).toEqual(['constitution']);
    expect(matcher.cognatesOf('демократия').map((c) => c.word)).toEqual(['democracy']);
    expect(matcher.cognatesOf('қазақстанда').map((c) => c.term)).toEqual(['kazakhstan']);
  });

  it('prefers the longest match', () => {
    expect(matcher.cognatesOf('демократизация').map((c) => c.word)).toEqual(['democratization']);
    expect(matcher.cognatesOf('конституциялық').map((c) => c.word)).toEqual(['constitutional']);
  });

  it('rejects words whose vowels or length disagree', () => {
    expect(matcher.cognatesOf('правителям')).toEqual([]); // p-r-v-t-l, but not "privately"
    expect(matcher.cognatesOf('түсінеді')).toEqual([]); // too short a skeleton to trust
    expect(matcher.cognatesOf('билік')).toEqual([]);
  });
});

describe('isCognate', () => {
  it('accepts shorter words when comparing phrases known to be translations', () => {
    expect(isCognate('процесс', 'process')).toBe(true);
    expect(isCognate('философиясы', 'philosophy')).toBe(true);
    expect(isCognate('саяси', 'political')).toBe(false);
  });
});
