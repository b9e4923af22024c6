import { z } from 'zod';
import { normalizeSpan } from '../core/clean.ts';
import { AppError } from '../core/errors.ts';
import { detectLanguage } from '../core/language.ts';
import type { Bibliography, DocumentInfo, Language, SourceFile } from '../core/types.ts';

/**
 * The catalogue: which citable documents each corpus file holds, with title, authors and languages.
 * Derived from the text where possible; `catalog.json` beside the corpus fills in or corrects the rest,
 * and splits collection files (a journal issue) into one document per article.
 */

const ID = /^[A-Za-z0-9._-]+$/;

/** Publication facts for citations; on a file entry they apply to all its units, which may add their own. */
export const BibliographySchema = z
  .strictObject({
    year: z.number().int().min(1000).max(9999).optional(),
    genre: z.string().min(1).optional(),
    journal: z.string().min(1).optional(),
    volume: z.string().min(1).optional(),
    issue: z.string().min(1).optional(),
    firstPage: z.number().int().positive().optional(),
    lastPage: z.number().int().positive().optional(),
    publisher: z.string().min(1).optional(),
    place: z.string().min(1).optional(),
    issn: z
      .string()
      .regex(/^\d{4}-\d{3}[\dX]$/, 'ISSN is NNNN-NNNN')
      .optional(),
    affiliations: z.array(z.string().min(1)).optional(),
  })
  .refine((b) => b.lastPage === undefined || (b.firstPage !== undefined && b.lastPage >= b.firstPage), {
    message: 'lastPage needs a firstPage no greater than it',
    path: ['lastPage'],
  });

const UnitSchema = z.strictObject({
  id: z.string().regex(ID, 'ids may only hold letters, digits, ".", "_" and "-"'),
  title: z.string().min(1),
  authors: z.array(z.string().min(1)).default([]),
  type: z.enum(['article', 'matter']).default('article'),
  /** Text the unit's first line starts with; the unit runs to the next unit. Omit for the start of the file. */
  anchor: z.string().min(1).optional(),
  languages: z.array(z.string()).optional(),
  bibliography: BibliographySchema.optional(),
});

const EntrySchema = z.strictObject({
  file: z.string().min(1),
  id: z.string().regex(ID).optional(),
  title: z.string().min(1).optional(),
  authors: z.array(z.string().min(1)).optional(),
  languages: z.array(z.string()).optional(),
  /** Title of the collection when the file holds several units. */
  collection: z.string().optional(),
  bibliography: BibliographySchema.optional(),
  /** Journal, site or publisher, shown in the citation. */
  venue: z.string().min(1).optional(),
  year: z.number().int().min(1000).max(2999).optional(),
  units: z.array(UnitSchema).min(1).optional(),
});

export const CatalogSidecarSchema = z.strictObject({ documents: z.array(EntrySchema) });
export type CatalogSidecar = z.infer<typeof CatalogSidecarSchema>;

/** URL-safe id from a file name: `My Notes (v2).md` → `my-notes-v2`. */
export function slugify(name: string): string {
  const slug = name
    .replace(/\.[^.]+$/, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'document';
}

/** Title from the first markdown heading, else the first non-empty line, else the file name. */
export function deriveTitle(text: string, fileName: string): string {
  const heading = /^[ \t]*#{1,6}[ \t]+(.+)$/m.exec(text);
  const line = heading?.[1] ?? text.split('\n').find((l) => normalizeSpan(l) !== '');
  const title = line ? normalizeSpan(line) : '';
  if (!title) return fileName.replace(/\.[^.]+$/, '');
  return title.length > 160 ? `${title.slice(0, 157)}…` : title;
}

/** Languages of a text, most used first, judged paragraph by paragraph. */
export function detectLanguages(text: string): Language[] {
  const weight = new Map<Language, number>();
  for (const para of text.split(/\n+/)) {
    const lang = detectLanguage(para);
    if (lang !== 'und') weight.set(lang, (weight.get(lang) ?? 0) + para.length);
  }
  const langs = [...weight].sort((a, b) => b[1] - a[1]).map(([l]) => l);
  return langs.length > 0 ? langs : ['und'];
}

/** The entry's bibliography with the unit's fields over it; undefined when neither gives any. */
function mergeBibliography(...parts: Array<z.infer<typeof BibliographySchema> | undefined>): {
  bibliography?: Bibliography;
} {
  const merged = Object.assign({}, ...parts.filter(Boolean)) as Bibliography;
  return Object.keys(merged).length > 0 ? { bibliography: merged } : {};
}

function findAnchor(text: string, anchor: string, from: number): number {
  if (from === 0 && text.startsWith(anchor)) return 0;
  const at = text.indexOf(`\n${anchor}`, Math.max(0, from - 1));
  return at >= 0 ? at + 1 : -1;
}

/**
 * Bibliography and format of a file's documents: the file's own metadata (a PDF's subject, an HTML
 * page's site name and date) first, overridden by catalog.json (`venue`/`year` shorthands, then
 * `bibliography`), then by the entry's per-article bibliography.
 */
function publication(
  file: SourceFile,
  entry: { venue?: string; year?: number; bibliography?: Bibliography } | undefined,
  unit?: Bibliography,
): Pick<DocumentInfo, 'bibliography' | 'format'> {
  const shorthand = (venue?: string, year?: number): Bibliography => ({
    ...(venue ? { journal: venue } : {}),
    ...(year ? { year } : {}),
  });
  return {
    ...mergeBibliography(
      shorthand(file.meta?.venue, file.meta?.year),
      shorthand(entry?.venue, entry?.year),
      entry?.bibliography,
      unit,
    ),
    ...(file.format && file.format !== 'text' ? { format: file.format } : {}),
  };
}

/** Builds the catalogue; throws CORPUS_INVALID when the sidecar does not fit the files. */
export function buildCatalog(files: readonly SourceFile[], sidecar?: CatalogSidecar): DocumentInfo[] {
  const entries = new Map((sidecar?.documents ?? []).map((e) => [e.file, e]));
  const documents: DocumentInfo[] = [];
  for (const file of files) {
    const entry = entries.get(file.name);
    if (entry?.units) {
      const starts: number[] = [];
      entry.units.forEach((unit, i) => {
        const from = i === 0 ? 0 : (starts[i - 1] ?? 0) + 1;
        const start =
          unit.anchor === undefined ? (i === 0 ? 0 : -1) : findAnchor(file.text, unit.anchor, from);
        if (start < 0) {
          throw new AppError(
            'CORPUS_INVALID',
            `catalog.json: unit ${unit.id} of ${file.name}: no line starting with "${unit.anchor ?? ''}" after the previous unit`,
          );
        }
        starts.push(start);
      });
      entry.units.forEach((unit, i) => {
        const start = starts[i] ?? 0;
        const end = starts[i + 1] ?? file.text.length;
        documents.push({
          id: unit.id,
          source: file.name,
          title: unit.title,
          authors: unit.authors,
          languages: unit.languages ?? detectLanguages(file.text.slice(start, end)),
          type: unit.type,
          ...(entry.collection ? { collection: entry.collection } : {}),
          ...publication(file, entry, unit.bibliography),
          start,
          end,
        });
      });
    } else {
      documents.push({
        id: entry?.id ?? slugify(file.name),
        source: file.name,
        title: entry?.title ?? file.meta?.title ?? deriveTitle(file.text, file.name),
        authors: entry?.authors ?? file.meta?.authors ?? [],
        languages: entry?.languages ?? detectLanguages(file.text),
        type: 'article',
        ...(entry?.collection ? { collection: entry.collection } : {}),
        ...publication(file, entry),
        start: 0,
        end: file.text.length,
      });
    }
  }
  const seen = new Set<string>();
  for (const d of documents) {
    if (seen.has(d.id)) {
      throw new AppError(
        'CORPUS_INVALID',
        `Two documents share the id ${d.id}; give one an id in catalog.json`,
      );
    }
    seen.add(d.id);
  }
  return documents;
}
