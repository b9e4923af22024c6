/**
 * Transparent huge pages for the server processes, through glibc's malloc.
 *
 * The dense leg walks an HNSW graph whose vectors (1.4 KB each at 356 dimensions) are spread over tens of
 * megabytes to gigabytes: nearly every visited node is a TLB miss on 4 KiB pages. With the tunable
 * `glibc.malloc.hugetlb=1`, glibc (2.35 and later) asks the kernel to back large allocations with 2 MiB pages
 * (madvise MADV_HUGEPAGE), which a kernel whose transparent_hugepage setting is `madvise` or `always` grants.
 * glibc reads GLIBC_TUNABLES once, at process start, so only a process started with it benefits: the
 * cluster primary forks its workers so. Elsewhere (musl, macOS, THP `never`) the variable does nothing.
 */
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb';

/**
 * `tunables` (a GLIBC_TUNABLES value: colon-separated `name=value` pairs) with `glibc.malloc.hugetlb=1`
 * added. An operator's own setting of that tunable is kept, as are the others.
 */
export function withHugePages(tunables: string | undefined): string {
  const pairs = (tunables ?? '').split(':').filter((pair) => pair.length > 0);
  if (pairs.some((pair) => pair.split('=')[0] === HUGE_PAGES_TUNABLE)) return pairs.join(':');
  return [...pairs, `${HUGE_PAGES_TUNABLE}=1`].join(':');
}
