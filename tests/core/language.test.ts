import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/core/language.ts';

describe('detectLanguage', () => {
  it('tells English, Russian and Kazakh apart by script and letters', () => {
    expect(detectLanguage('What is political modernization?')).toBe('en');
    expect(detectLanguage('Что такое политическая модернизация?')).toBe('ru');
    expect(detectLanguage('Саяси модернизация дегеніміз не?')).toBe('kk');
  });

  it('returns und for text without letters', () => {
    expect(detectLanguage('2022 — 42 %')).toBe('und');
  });
});
