import { describe, expect, it } from 'vitest';
import { rateConfidence } from '../../src/retrieve/confidence.ts';

describe('rateConfidence', () => {
  it('is low when most of the question is about words the corpus never uses', () => {
    expect(rateConfidence({ coverage: 0.3, support: 0.9, agreement: true })).toBe('low');
  });

  it('is high when the best passage holds the question terms and both legs agree', () => {
    expect(rateConfidence({ coverage: 1, support: 0.8, agreement: true })).toBe('high');
  });

  it('is low when neither the words nor the legs support the best passage', () => {
    expect(rateConfidence({ coverage: 0.9, support: 0.1, agreement: false })).toBe('low');
  });

  it('is medium in between', () => {
    expect(rateConfidence({ coverage: 0.9, support: 0.4, agreement: true })).toBe('medium');
  });
});
