import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terms } from '../../src/core/terms.ts';
import { type LexicalDocument, LexicalIndex, miniSearchState } from '../../src/index/lexical.ts';
import { collectPostings, type MiniSearchState } from '../../src/index/postings.ts';

const WORDS = (
  'akim akims election elections party parliament reform region digital citizen budget court the of and ' +
  'выборы акимов партия парламент реформа сайлау әкімдер'
).split(' ');

const text = (max: number) => fc.array(fc.constantFrom(...WORDS), { maxLength: max }).map((w) => w.join(' '));

/** A state with its terms in one order: MiniSearch lists them in its radix tree's order, ours in first use. */
function normalised(state: MiniSearchState) {
  const plain = JSON.parse(JSON.stringify(state)) as MiniSearchState;
  return { ...plain, index: [...plain.index].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
}

describe('collectPostings', () => {
  it('writes the state MiniSearch builds from the same passages, bit for bit (labels in any order)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ text: text(60), context: text(5) }), { minLength: 1, maxLength: 80 }),
        fc.boolean(),
        (raw, shuffled) => {
          const docs: LexicalDocument[] = raw.map((d, i) => ({
            ordinal: shuffled ? raw.length - 1 - i : i,
            ...d,
          }));
          const ours = JSON.parse(LexicalIndex.build(docs).toJSON()) as MiniSearchState;
          expect(normalised(ours)).toEqual(normalised(miniSearchState(docs)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps postings ascending by label with per-field frequencies and document frequencies', () => {
    const collector = collectPostings<{ label: number; body: string; head: string }>(
      ['body', 'head'],
      (d, f) => (f === 0 ? d.body : d.head),
      (d) => d.label,
      terms,
    );
    collector.add({ label: 2, body: 'reform reform budget', head: 'reform' });
    collector.add({ label: 0, body: 'budget', head: '' });
    collector.add({ label: 5, body: 'court', head: 'reform budget' });
    const built = collector.finish();
    const reform = built.terms.get(terms('reform')[0] as string);
    expect(Array.from(reform?.labels ?? [])).toEqual([2, 5]);
    expect(reform?.tf.map((t) => Array.from(t))).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(reform?.fieldDf).toEqual([1, 2]);
    expect(Array.from(built.order)).toEqual([2, 0, 5]);
    expect(built.fieldLength.map((l) => Array.from(l))).toEqual([
      [1, 0, 2, 0, 0, 1],
      [0, 0, 1, 0, 0, 2],
    ]);
    expect(built.averageFieldLength).toEqual([4 / 3, 1]);
  });

  it('refuses a label given twice or one that is not a passage index', () => {
    const collector = collectPostings<number>(
      ['body'],
      () => 'vote',
      (d) => d,
      terms,
    );
    collector.add(1);
    expect(() => collector.add(1)).toThrow(/given twice/);
    expect(() => collector.add(-1)).toThrow(/not an index/);
    expect(() => collector.add(1.5)).toThrow(/not an index/);
  });
});
