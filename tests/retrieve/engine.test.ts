import { beforeAll, describe, expect, it } from 'vitest';
import { createQaService } from '../../src/retrieve/engine.ts';
import type { QaService } from '../../src/retrieve/types.ts';
import { openTestIndex } from '../setup/test-index.ts';

describe('search service over the shipped corpus', () => {
  let service: QaService;
  beforeAll(async () => {
    service = createQaService((await openTestIndex()).index);
  });

  it('restricts results to the requested documents, inside the search', async () => {
    const result = await service.ask({
      question: 'What is political modernization?',
      topK: 8,
      filters: { documentIds: ['004-digitalization'] },
    });
    expect(result.passages).toHaveLength(8);
    expect(result.passages.every((p) => p.citation.documentId === '004-digitalization')).toBe(true);
  });

  it('leaves reference lists out unless asked for them', async () => {
    const plain = await service.ask({ question: 'Tokayev constitution reform references', topK: 20 });
    expect(plain.passages.some((p) => p.kind === 'references')).toBe(false);
    const refs = await service.ask({
      question: 'Tokayev constitution',
      topK: 5,
      filters: { kinds: ['references'] },
    });
    expect(refs.passages.length).toBeGreaterThan(0);
    expect(refs.passages.every((p) => p.kind === 'references')).toBe(true);
  });

  it('filters by language', async () => {
    const result = await service.ask({
      question: 'билік философиясы',
      topK: 3,
      filters: { languages: ['kk'] },
    });
    expect(result.passages.length).toBeGreaterThan(0);
    expect(result.passages.every((p) => p.language === 'kk')).toBe(true);
  });

  it('names unknown filter values', async () => {
    await expect(service.ask({ question: 'q', filters: { documentIds: ['nope'] } })).rejects.toThrow(
      /UNKNOWN_FILTER_VALUE.*filters\.documentIds.*nope/,
    );
    await expect(service.ask({ question: 'q', filters: { languages: ['fr'] } })).rejects.toThrow(
      /UNKNOWN_FILTER_VALUE.*filters\.languages/,
    );
  });

  it('uses the conversation for a follow-up and ignores it for a standalone question', async () => {
    const history = [
      { role: 'user' as const, content: 'What typology of modernization does M.V. Ilyin propose?' },
    ];
    const followUp = await service.ask({
      question: 'Which countries does he place in the mixed category?',
      history,
    });
    expect(followUp.query.usedHistory).toBe(true);
    expect(followUp.query.text).toContain('Ilyin');
    const alone = await service.ask({ question: 'Which countries does he place in the mixed category?' });
    expect(followUp.passages.map((p) => p.id)).not.toEqual(alone.passages.map((p) => p.id));

    const standalone = 'How many residents must a village have to get its own akim office?';
    const withHistory = await service.ask({ question: standalone, history });
    const without = await service.ask({ question: standalone });
    expect(withHistory.query.usedHistory).toBe(false);
    expect(withHistory.passages.map((p) => p.id)).toEqual(without.passages.map((p) => p.id));
  });

  it('returns no two passages that share most of their text', async () => {
    const result = await service.ask({ question: 'role of political parties in Kazakhstan', topK: 10 });
    const ps = result.passages;
    for (let i = 0; i < ps.length; i++) {
      for (let j = i + 1; j < ps.length; j++) {
        const a = ps[i]?.citation;
        const b = ps[j]?.citation;
        if (!a || !b || a.source !== b.source) continue;
        const shared = Math.min(a.end, b.end) - Math.max(a.start, b.start);
        expect(shared * 2).toBeLessThan(Math.min(a.end - a.start, b.end - b.start));
      }
    }
  });

  it('quotes sentences inside the passage and highlights inside the quote', async () => {
    const result = await service.ask({ question: 'When will district akims be directly elected?' });
    for (const p of result.passages) {
      expect(p.quote.start).toBeGreaterThanOrEqual(p.citation.start);
      expect(p.quote.end).toBeLessThanOrEqual(p.citation.end);
      for (const h of p.quote.highlights) {
        expect(h.start).toBeGreaterThanOrEqual(p.quote.start);
        expect(h.end).toBeLessThanOrEqual(p.quote.end);
      }
      expect(p.why?.fused).toBeGreaterThan(0);
    }
  });

  it('answers the same conversation the same way every time', async () => {
    const a = await service.ask({ question: 'What is the Second Republic?' });
    const b = await service.ask({ question: 'What is the Second Republic?' });
    expect({ ...a, tookMs: 0 }).toEqual({ ...b, tookMs: 0 });
  });

  it('links a passage to its neighbours within the document', () => {
    const first = service.getPassage('001-political-parties.p1');
    expect(first?.previousId).toBeNull();
    expect(first?.nextId).toBe('001-political-parties.p2');
    expect(service.getPassage('001-political-parties.p2')?.previousId).toBe('001-political-parties.p1');
  });

  it('rates an off-corpus question low and still returns passages', async () => {
    const result = await service.ask({
      question: "What were the results of Uzbekistan's 2023 presidential election?",
    });
    expect(result.confidence).toBe('low');
    expect(result.passages.length).toBeGreaterThan(0);
  });

  it('searches the English body with the cognates and corpus translations of a Kazakh question', async () => {
    const question = 'Хантингтон саяси модернизацияны қалай түсінеді?';
    const result = await service.ask({ question, topK: 10 });
    expect(result.query.text).toBe(`${question} [English: huntington, political, modernization]`);
    expect(result.passages.some((p) => p.language === 'en' && /Huntington/.test(p.text))).toBe(true);
    const without = createQaService((await openTestIndex()).index, { cognates: false });
    const plain = await without.ask({ question, topK: 10 });
    expect(plain.query.text).toBe(question);
  });

  it('rates a question about the present low even when passages match its words', async () => {
    const result = await service.ask({ question: "Who is the current chairman of Kazakhstan's Senate?" });
    expect(result.signals.asksAboutNow).toBe(true);
    expect(result.confidence).toBe('low');
    expect(result.passages.length).toBeGreaterThan(0);
  });

  it('never shows the same supporting quote twice', async () => {
    // Neighbouring passages share a sentence; these questions used to get it quoted twice in the top 5.
    for (const question of [
      "Who is the current chairman of Kazakhstan's Senate?",
      "Who led Finland's cabinet during the current welfare overhaul?",
      'What is the goal of the Finnish welfare reform?',
    ]) {
      const { passages } = await service.ask({ question, topK: 10 });
      expect(passages).toHaveLength(10);
      passages.forEach((a, i) => {
        for (const b of passages.slice(i + 1)) {
          expect(b.quote.text).not.toBe(a.quote.text);
          const overlap =
            a.citation.source === b.citation.source &&
            a.quote.start < b.quote.end &&
            b.quote.start < a.quote.end;
          expect(overlap).toBe(false);
        }
      });
      expect(passages.map((p) => p.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
  });
});

describe('the lexical leg beside the dense leg', () => {
  it('starts the lexical search before the dense one and finishes it, even when the dense one fails', async () => {
    const { index } = await openTestIndex();
    const events: string[] = [];
    const lexical = index.lexical;
    const recording = {
      size: lexical.size,
      search: lexical.search.bind(lexical),
      begin: (...args: Parameters<typeof lexical.search>) => {
        events.push('lexical begun');
        return () => {
          events.push('lexical finished');
          return lexical.search(...args);
        };
      },
    };
    const dense = (fail: boolean) => ({
      ...index.vectors,
      search: (...args: Parameters<typeof index.vectors.search>) => {
        events.push('dense');
        if (fail) throw new Error('dense leg down');
        return index.vectors.search(...args);
      },
    });
    // Per-language indexes would search instead of `vectors` for some questions: none here.
    const { vectorsByLanguage: _, ...shared } = index;
    const served = createQaService({ ...shared, lexical: recording, vectors: dense(false) });
    const withBegin = await served.ask({ question: 'What is political modernization?' });
    expect(events).toEqual(['lexical begun', 'dense', 'lexical finished']);
    // The same answer as the plain search gives.
    const plain = await createQaService({ ...shared, vectors: dense(false) }).ask({
      question: 'What is political modernization?',
    });
    expect(withBegin.passages.map((p) => p.id)).toEqual(plain.passages.map((p) => p.id));

    events.length = 0;
    const failing = createQaService({ ...shared, lexical: recording, vectors: dense(true) });
    await expect(failing.ask({ question: 'What is political modernization?' })).rejects.toThrow(
      'dense leg down',
    );
    expect(events).toEqual(['lexical begun', 'dense', 'lexical finished']);
  });
});

describe('stage timings', () => {
  it('reports every stage of an ask once, the confidence rating included', async () => {
    const { index } = await openTestIndex();
    const reports: Array<Record<string, number>> = [];
    const timed = createQaService(index, { onTimings: (t) => reports.push({ ...t }) });
    const started = performance.now();
    const result = await timed.ask({ question: 'What is political modernization?' });
    const wall = performance.now() - started;
    expect(reports).toHaveLength(1);
    const laps = reports[0] as Record<string, number>;
    expect(Object.keys(laps).sort()).toEqual(
      ['confidence', 'dense', 'embed', 'fusion', 'lexical', 'quotes', 'sentences'].sort(),
    );
    expect(Object.values(laps).every((ms) => ms >= 0)).toBe(true);
    // Laps are consecutive slices of the one ask: together no longer than it took.
    const total = Object.values(laps).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(wall + 0.001);
    expect(total).toBeLessThanOrEqual(result.tookMs + 0.001);
    expect(total).toBeGreaterThan(0);
  });
});
