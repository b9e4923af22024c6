import { beforeAll, describe, expect, it } from 'vitest';
import { createQaService } from '../../src/retrieve/engine.ts';
import { namesAsWritten, readerNotice } from '../../src/retrieve/reader-notice.ts';
import type { AskResult, QaService } from '../../src/retrieve/types.ts';
import { confidentSignals } from '../setup/fixtures.ts';
import { openTestIndex } from '../setup/test-index.ts';

describe('readerNotice', () => {
  let service: QaService;
  beforeAll(async () => {
    service = createQaService((await openTestIndex()).index);
  });

  it('maps stems back to the words as the reader typed them', () => {
    expect(
      namesAsWritten('What did Amanat and the Mazhilis decide in Uzbekistan?', [
        'mazhili',
        'amanat',
        'uzbekistan',
      ]),
    ).toEqual(['Mazhilis', 'Amanat', 'Uzbekistan']);
    expect(namesAsWritten('Is Tashkenty here?', ['tashkenti'])).toEqual(['Tashkenty']);
    expect(namesAsWritten('nothing matches', ['zzz'])).toEqual(['zzz']);
    expect(namesAsWritten("Uzbekistan's elections?", ['uzbekistan'])).toEqual(['Uzbekistan']);
  });

  it('names the missing names of a real low answer as written, never as stems', async () => {
    const result = await service.ask({ question: 'Did the Mazhilis debate the transport of Almaty?' });
    expect(result.confidence).toBe('low');
    // The signals carry stems; the reader sees the words they typed.
    expect(result.signals.missingNames).toEqual(['mazhili', 'almati']);
    expect(readerNotice(result)).toBe(
      'The closest passages do not mention Mazhilis, Almaty; the documents may not cover this.',
    );
  });

  it('says what kind of answer a real low answer lacks before the names it lacks', async () => {
    const result = await service.ask({ question: 'Did the Mazhilis approve the budget of Almaty?' });
    expect(result.confidence).toBe('low');
    expect(result.signals).toMatchObject({ missingAnswer: 'amount', missingNames: ['mazhili', 'almati'] });
    expect(readerNotice(result)).toBe(
      'The closest passages give no amount of money for this; the documents may not contain it.',
    );
  });

  const low = (text: string, signals: Partial<AskResult['signals']>) => ({
    confidence: 'low' as const,
    query: { text, language: 'en' as const, usedHistory: false, model: 'm' },
    signals: { ...confidentSignals, ...signals },
  });

  it('keeps the other signals: the kind of answer missing is said before missing names', () => {
    expect(
      readerNotice(
        low('How many seats did Amanat win?', { missingAnswer: 'count', missingNames: ['amanat'] }),
      ),
    ).toBe('The closest passages give no figure for this; the documents may not contain it.');
    expect(readerNotice(low('What share of voters came?', { missingAnswer: 'share' }))).toBe(
      'The closest passages give no percentage for this; the documents may not contain it.',
    );
    expect(readerNotice(low('In which year was it founded?', { missingAnswer: 'year' }))).toBe(
      'The closest passages give no year for this; the documents may not contain it.',
    );
    expect(readerNotice(low('Кто такой Токаев?', { otherLanguage: true, similarity: 0.5 }))).toBe(
      'The documents do not seem to cover this; these are the closest passages.',
    );
  });

  it('names Cyrillic names as typed, and takes names from the question, not from what the engine added', () => {
    expect(readerNotice(low('Что решил Мажилис? [English: mazhilis]', { missingNames: ['мажилис'] }))).toBe(
      'The closest passages do not mention Мажилис; the documents may not cover this.',
    );
    expect(
      readerNotice(
        low('And in Almaty? [context: What did Almatinsky district decide?]', { missingNames: ['almati'] }),
      ),
    ).toBe('The closest passages do not mention Almaty; the documents may not cover this.');
  });

  it('says nothing for an answer that is not rated low', async () => {
    expect(readerNotice(await service.ask({ question: 'What is political modernization?' }))).toBeUndefined();
  });
});
