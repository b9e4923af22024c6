import { AppError } from '../core/errors.ts';
import { DEFAULT_PASSAGE_KINDS, type Passage, type PassageKind } from '../core/types.ts';
import type { PassageFilter } from '../index/types.ts';
import type { CorpusStats } from './corpus-stats.ts';
import type { SearchFilters } from './types.ts';

/** Rejects filter values that match nothing in the corpus (an unknown document id or language). */
export function checkFilters(stats: CorpusStats, filters: SearchFilters | undefined): void {
  const unknownDocs = (filters?.documentIds ?? []).filter((id) => !stats.documentsById.has(id));
  if (unknownDocs.length > 0) {
    throw new AppError(
      'UNKNOWN_FILTER_VALUE',
      `filters.documentIds: unknown document id(s) ${unknownDocs.join(', ')}`,
      {
        details: [{ path: 'filters.documentIds', message: 'unknown document id', values: unknownDocs }],
      },
    );
  }
  const unknownLangs = (filters?.languages ?? []).filter((l) => !stats.languages.has(l));
  if (unknownLangs.length > 0) {
    throw new AppError(
      'UNKNOWN_FILTER_VALUE',
      `filters.languages: no passages in ${unknownLangs.join(', ')} (available: ${[...stats.languages].join(', ')})`,
      {
        details: [
          { path: 'filters.languages', message: 'no passages in this language', values: unknownLangs },
        ],
      },
    );
  }
}

/**
 * The filter as a predicate on passage labels, or undefined when it can drop no passage (no document or
 * language filter, and no passage of a kind left out): every leg then searches unfiltered, which for HNSW
 * saves a native→JS call per visited node and the over-fetch.
 */
export function acceptFor(
  passages: readonly Passage[],
  kindsPresent: ReadonlySet<PassageKind>,
  filters: SearchFilters | undefined,
): ((label: number) => boolean) | undefined {
  const docs = filters?.documentIds?.length ? new Set(filters.documentIds) : undefined;
  const langs = filters?.languages?.length ? new Set<string>(filters.languages) : undefined;
  const kinds = new Set<PassageKind>(filters?.kinds?.length ? filters.kinds : DEFAULT_PASSAGE_KINDS);
  if (!docs && !langs && [...kindsPresent].every((k) => kinds.has(k))) return undefined;
  return (label) => {
    const p = passages[label];
    if (!p) return false;
    return kinds.has(p.kind) && (!docs || docs.has(p.documentId)) && (!langs || langs.has(p.language));
  };
}

/** The same filters for backends that apply them inside a database query. */
export function passageFilter(filters: SearchFilters | undefined): PassageFilter {
  return {
    kinds: filters?.kinds?.length ? filters.kinds : DEFAULT_PASSAGE_KINDS,
    ...(filters?.documentIds?.length ? { documentIds: filters.documentIds } : {}),
    ...(filters?.languages?.length ? { languages: filters.languages } : {}),
  };
}
