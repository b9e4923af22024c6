import { describe, expect, it } from 'vitest';
import { fuseRankings } from '../../src/retrieve/fuse.ts';

describe('fuseRankings', () => {
  it('ranks an item found by both legs above items found by one', () => {
    const fused = fuseRankings(
      [
        { label: 1, score: 0.9 },
        { label: 2, score: 0.8 },
      ],
      [
        { label: 3, score: 12 },
        { label: 2, score: 10 },
      ],
    );
    expect(fused[0]?.label).toBe(2);
    expect(fused[0]?.dense).toEqual({ rank: 2, score: 0.8 });
    expect(fused[0]?.lexical).toEqual({ rank: 2, score: 10 });
  });

  it('breaks ties by label so the order is deterministic', () => {
    const fused = fuseRankings([{ label: 5, score: 1 }], [{ label: 4, score: 1 }]);
    expect(fused.map((h) => h.label)).toEqual([4, 5]);
  });

  it('lets a weight of zero switch a leg off', () => {
    const fused = fuseRankings([{ label: 1, score: 1 }], [{ label: 2, score: 1 }], { denseWeight: 0 });
    expect(fused[0]?.label).toBe(2);
  });
});
