import { describe, expect, it } from 'vitest';
import { withHugePages } from '../../src/cluster/huge-pages.ts';

describe('withHugePages', () => {
  it('sets the huge-page tunable when there are no tunables', () => {
    expect(withHugePages(undefined)).toBe('glibc.malloc.hugetlb=1');
    expect(withHugePages('')).toBe('glibc.malloc.hugetlb=1');
  });

  it("adds it to an operator's other tunables, keeping them", () => {
    expect(withHugePages('glibc.malloc.arena_max=2')).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it("keeps an operator's own huge-page setting", () => {
    expect(withHugePages('glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2')).toBe(
      'glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2',
    );
  });
});
