import { describe, expect, it } from 'vitest';
import { terms, tokenize } from '../../src/core/terms.ts';
import { buildQuery, isFollowUp } from '../../src/retrieve/query.ts';

const history = [
  { role: 'user' as const, content: 'What does Huntington say about political modernization?' },
];

describe('isFollowUp', () => {
  it('recognises questions that lean on an earlier turn', () => {
    expect(isFollowUp('and about parties?')).toBe(true);
    expect(isFollowUp('Who disagreed with him?')).toBe(true);
    expect(isFollowUp('Which countries does he place in the mixed category?')).toBe(true);
  });

  it('recognises questions that stand alone', () => {
    expect(isFollowUp('How are akims of rural districts elected in Kazakhstan?')).toBe(false);
  });
});

describe('buildQuery', () => {
  it("keeps the question's tokens, whose content terms are its terms", () => {
    const q = buildQuery('  How are akims of rural districts elected? ');
    expect(q.tokens).toEqual(tokenize('How are akims of rural districts elected?'));
    expect(q.questionTerms).toEqual(terms(q.question));
    expect(q.questionTerms).toContain('akim');
  });

  it('carries earlier user turns into a follow-up at a lower weight', () => {
    const q = buildQuery('and about parties?', history);
    expect(q.usedHistory).toBe(true);
    expect(q.terms.get('parti')).toBe(1);
    expect(q.terms.get('huntington')).toBeGreaterThan(0);
    expect(q.terms.get('huntington')).toBeLessThan(1);
    expect(q.text).toContain('Huntington');
  });

  it('ignores history for a standalone question', () => {
    const q = buildQuery('How are akims of rural districts elected in Kazakhstan?', history);
    expect(q.usedHistory).toBe(false);
    expect(q.terms.has('huntington')).toBe(false);
    expect(q.text).toBe('How are akims of rural districts elected in Kazakhstan?');
  });

  it('ignores assistant turns and is deterministic', () => {
    const turns = [
      ...history,
      { role: 'assistant' as const, content: 'Samuel Huntington argues about Greece' },
    ];
    const a = buildQuery('and about parties?', turns);
    const b = buildQuery('and about parties?', turns);
    expect(a).toEqual(b);
    expect(a.terms.has('greec')).toBe(false);
  });

  it('weights older turns less than recent ones', () => {
    const q = buildQuery('who criticised it?', [
      { role: 'user', content: 'Tell me about Ilyin' },
      { role: 'user', content: 'What about Huntington' },
    ]);
    expect(q.terms.get('huntington') ?? 0).toBeGreaterThan(q.terms.get('ilyin') ?? 0);
  });

  it('detects the question language', () => {
    expect(buildQuery('Саяси модернизация дегеніміз не?').language).toBe('kk');
  });
});

describe('isFollowUp in Russian and Kazakh', () => {
  it('recognises pronouns in Cyrillic questions', () => {
    expect(isFollowUp('Что он сказал о партиях и выборах?')).toBe(true);
    expect(isFollowUp('Ол партиялар туралы не айтты?')).toBe(true);
  });

  it('does not treat a possessive inside a full question as a reference back', () => {
    expect(isFollowUp('How many residents must a village have to get its own akim office?')).toBe(false);
  });
});
