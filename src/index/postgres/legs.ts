import { PASSAGE_KINDS } from '../../core/types.ts';
import {
  DEFAULT_LEXICAL_OPTIONS,
  type LexicalHit,
  type LexicalOptions,
  type WeightedTerms,
} from '../lexical.ts';
import type { LexicalSearch } from '../search-index.ts';
import { EXACT_SEARCH_MAX_ROWS, type PassageFilter, type VectorHit, type VectorIndex } from '../types.ts';
import { guarded, type SqlClient, vectorLiteral } from './sql.ts';

/** Lexical fields as stored in `kzqa_postings.field`. */
export const FIELD = { text: 0, context: 1 } as const;

/** Names of the per-version vector tables. */
export const vectorTable = (version: number) => `kzqa_vectors_${version}`;
export const sentenceTable = (version: number) => `kzqa_sentence_vectors_${version}`;

const FILTER_SQL = `kind = ANY($3::text[])
  AND ($4::text[] IS NULL OR document_id = ANY($4::text[]))
  AND ($5::text[] IS NULL OR language = ANY($5::text[]))`;

/** No filter means every passage, as an absent `accept` does for the in-memory legs. */
function filterParams(filter: PassageFilter | undefined): [string[], string[] | null, string[] | null] {
  return [
    [...(filter?.kinds ?? PASSAGE_KINDS)],
    filter?.documentIds ? [...filter.documentIds] : null,
    filter?.languages ? [...filter.languages] : null,
  ];
}

/**
 * The statement of a nearest-vector search and the settings it runs under: an exact scan ordered by
 * distance then label, or pgvector's iterative HNSW walk (which an ORDER BY with a second key would defeat).
 * Each setting rules the other plan out, so which one runs does not depend on the planner's estimates.
 */
export function vectorSearchSql(
  table: string,
  label: 'ordinal' | 'row',
  exact: boolean,
  ef: number,
  language?: string,
): { settings: string; sql: string } {
  // A literal, not a parameter: the planner matches a partial index's predicate only against constants.
  const ofLanguage = language === undefined ? '' : ` AND language = ${sqlLiteral(language)}`;
  return {
    settings: exact
      ? 'SET LOCAL enable_indexscan = off'
      : `SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = strict_order`,
    sql: `SELECT ${label} AS label, -(embedding <#> $1::vector) AS score FROM ${table}
      WHERE ${FILTER_SQL}${ofLanguage} ORDER BY embedding <#> $1::vector${exact ? `, ${label}` : ''} LIMIT $2`,
  };
}

/** A string as an SQL literal (standard_conforming_strings, on by default since PostgreSQL 9.1). */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The partial HNSW graph of one language's passages (index/language-partitions.ts), beside the table's
 * graph of every passage; searched by a PostgresVectorIndex with that `language`.
 */
export function languageGraphSql(table: string, language: string, m: number, efConstruction: number): string {
  return `CREATE INDEX ON ${table} USING hnsw (embedding vector_ip_ops)
    WITH (m = ${Number(m)}, ef_construction = ${Number(efConstruction)}) WHERE language = ${sqlLiteral(language)}`;
}

/**
 * Nearest passages (or sentences) by inner product through pgvector's HNSW graph of one version's table.
 * Filters are conditions of the same scan; the iterative scan (pgvector ≥ 0.8) keeps walking the graph
 * until `k` rows pass them, in exact distance order, as hnswlib's filtered walk does. A table of up to
 * {@link EXACT_SEARCH_MAX_ROWS} rows is scanned in full instead (ties by label), as the file backend does.
 */
export class PostgresVectorIndex implements VectorIndex {
  readonly dims: number;
  readonly size: number;
  readonly #client: SqlClient;
  readonly #table: string;
  readonly #label: 'ordinal' | 'row';
  readonly #efSearch: number;
  readonly #exact: boolean;
  readonly #language: string | undefined;

  constructor(options: {
    client: SqlClient;
    table: string;
    /** Column returned as the label: `ordinal` for passages, `row` for sentences. */
    label: 'ordinal' | 'row';
    dims: number;
    size: number;
    efSearch: number;
    /** Tables up to this many rows are scanned in full; {@link EXACT_SEARCH_MAX_ROWS} unless set. */
    exactMaxRows?: number;
    /**
     * Only the passages of this language (`size` of them), through its partial graph (languageGraphSql) or
     * a scan: one of the per-language indexes of index/language-partitions.ts.
     */
    language?: string;
  }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#label = options.label;
    this.dims = options.dims;
    this.size = options.size;
    this.#efSearch = options.efSearch;
    this.#exact = this.size <= (options.exactMaxRows ?? EXACT_SEARCH_MAX_ROWS);
    this.#language = options.language;
  }

  async search(
    vector: Float32Array,
    k: number,
    _accept?: (label: number) => boolean,
    filter?: PassageFilter,
  ): Promise<VectorHit[]> {
    const n = Math.min(k, this.size);
    if (n <= 0) return [];
    // pgvector's limit on ef_search; like hnswlib, never below k.
    const ef = Math.min(1000, Math.max(this.#efSearch, n));
    const rows = await guarded('vector search', () =>
      this.#client.transaction(async (tx) => {
        const { settings, sql } = vectorSearchSql(this.#table, this.#label, this.#exact, ef, this.#language);
        await tx.exec(settings);
        return (
          await tx.query<{ label: number; score: number }>(sql, [
            vectorLiteral(vector),
            n,
            ...filterParams(filter),
          ])
        ).rows;
      }),
    );
    return rows
      .map((r) => ({ label: Number(r.label), score: Number(r.score) }))
      .sort((a, b) => b.score - a.score || a.label - b.label);
  }
}

/**
 * Exact BM25 over the postings of one version, computed in SQL with the embedded engine's formula and
 * order of operations (BM25+ with d = 0.5, per-field document frequency and average length, field boosts,
 * term weights, the sum multiplied by the number of query terms matched), so scores agree to the last bits
 * and ties break the same way (by ordinal).
 */
export const BM25_SQL = `
WITH q AS (
  SELECT u.term, u.weight, u.position::int AS position
  FROM unnest($2::text[], $3::float8[]) WITH ORDINALITY AS u(term, weight, position)
), per_field AS (
  SELECT p.ordinal, q.position, p.field,
    (q.weight * (CASE WHEN p.field = 0 THEN 1::float8 ELSE $6::float8 END))
      * (ln(1::float8 + ($5::float8 - s.df::float8 + 0.5::float8) / (s.df::float8 + 0.5::float8))
        * ($9::float8 + (p.tf::float8 * ($7::float8 + 1::float8))
          / (p.tf::float8 + $7::float8 * (1::float8 - $8::float8 + ($8::float8 * p.length::float8) / f.avg_length)))) AS score
  FROM q
  JOIN kzqa_postings p ON p.version_id = $1 AND p.term = q.term
  JOIN kzqa_term_stats s ON s.version_id = $1 AND s.term = p.term AND s.field = p.field
  JOIN kzqa_field_stats f ON f.version_id = $1 AND f.field = p.field
), per_term AS (
  SELECT ordinal, position, sum(score ORDER BY field) AS score
  FROM per_field GROUP BY ordinal, position
), per_passage AS (
  SELECT ordinal, sum(score ORDER BY position) * count(*)::float8 AS score,
    array_agg(position ORDER BY position) AS positions
  FROM per_term GROUP BY ordinal
)
SELECT pp.ordinal, pp.score, pp.positions
FROM per_passage pp
JOIN kzqa_passages x ON x.version_id = $1 AND x.ordinal = pp.ordinal
WHERE x.kind = ANY($10::text[])
  AND ($11::text[] IS NULL OR x.document_id = ANY($11::text[]))
  AND ($12::text[] IS NULL OR x.language = ANY($12::text[]))
ORDER BY pp.score DESC, pp.ordinal
LIMIT $4`;

/** The lexical leg in PostgreSQL: the same BM25 scores and order as {@link LexicalIndex}. */
export class PostgresLexicalIndex implements LexicalSearch {
  readonly size: number;
  readonly #client: SqlClient;
  readonly #version: number;
  readonly #options: LexicalOptions;

  constructor(options: {
    client: SqlClient;
    version: number;
    size: number;
    lexical?: Partial<LexicalOptions>;
  }) {
    this.#client = options.client;
    this.#version = options.version;
    this.size = options.size;
    this.#options = { ...DEFAULT_LEXICAL_OPTIONS, ...options.lexical };
  }

  async search(
    query: WeightedTerms,
    k: number,
    _accept?: (label: number) => boolean,
    filter?: PassageFilter,
  ): Promise<LexicalHit[]> {
    if (query.size === 0 || k <= 0) return [];
    // Terms without weight count for nothing, not even towards the number matched, as in the embedded engine.
    const terms = [...query.keys()].filter((t) => (query.get(t) ?? 0) > 0);
    if (terms.length === 0) return [];
    const weights = terms.map((t) => query.get(t) as number);
    const { k1, b, contextBoost } = this.#options;
    const [kinds, documentIds, languages] = filterParams(filter);
    const { rows } = await guarded('lexical search', () =>
      this.#client.query<{ ordinal: number; score: number; positions: number[] }>(BM25_SQL, [
        this.#version,
        terms,
        weights,
        k,
        this.size,
        contextBoost,
        k1,
        b,
        BM25_D,
        kinds,
        documentIds,
        languages,
      ]),
    );
    return rows.map((r) => ({
      label: Number(r.ordinal),
      score: Number(r.score),
      // In query order, as the embedded engine lists them (positions arrive sorted).
      matched: r.positions.map((p) => terms[Number(p) - 1] as string),
    }));
  }
}

/** BM25+'s lower bound on a matching term's contribution, as the embedded engine uses it. */
const BM25_D = 0.5;
