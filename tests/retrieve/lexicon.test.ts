import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/core/types.ts';
import { createCognateMatcher } from '../../src/retrieve/cognates.ts';
import { induceLexicon, keywordItems, parallelPhrases } from '../../src/retrieve/lexicon.ts';

const cognates = createCognateMatcher(new Map([['philosophy', 1]]));

describe('induceLexicon', () => {
  it('links the words left over once cognates and earlier links are set aside', () => {
    const lexicon = induceLexicon(
      [
        { english: 'concept of power', other: 'билік ұғымы' },
        { english: 'philosophy of power', other: 'билік философиясы' },
        { english: 'political process', other: 'саяси процесс' },
      ],
      cognates,
    );
    expect(lexicon.get('билік')?.word).toBe('power');
    expect(lexicon.get('ұғым')?.word).toBe('concept');
    expect(lexicon.get('саяс')?.word).toBe('political');
    expect(lexicon.has('философияс')).toBe(false); // a cognate needs no entry
  });

  it('leaves ambiguous pairs alone', () => {
    expect(induceLexicon([{ english: 'modern society', other: 'қазіргі қоғам' }], cognates).size).toBe(0);
  });
});

describe('parallelPhrases', () => {
  const passage = (
    id: string,
    kind: Passage['kind'],
    language: Passage['language'],
    text: string,
    section: string[] = [],
  ) => ({ id, documentId: 'd', kind, language, text, section }) as unknown as Passage;

  it('pairs keyword lists item by item and abstract headings with the document title', () => {
    const phrases = parallelPhrases(
      [
        passage('a', 'keywords', 'en', 'digitalization, political process.'),
        passage('b', 'abstract', 'kk', 'Аңдатпа мәтіні', ['САЯСИ ПРОЦЕСТІ ЦИФРЛАНДЫРУ', 'Аңдатпа']),
        passage('c', 'keywords', 'kk', 'цифрландыру, саяси процесс.'),
        passage('d', 'keywords', 'ru', 'цифровизация'), // lengths differ: not paired
      ],
      () => 'Digitalization of Political Processes',
    );
    expect(phrases).toEqual([
      { english: 'Digitalization of Political Processes', other: 'САЯСИ ПРОЦЕСТІ ЦИФРЛАНДЫРУ' },
      { english: 'digitalization', other: 'цифрландыру' },
      { english: 'political process', other: 'саяси процесс' },
    ]);
  });

  it('splits keyword lines on commas and semicolons', () => {
    expect(keywordItems('power; state , society.')).toEqual(['power', 'state', 'society']);
  });
});
