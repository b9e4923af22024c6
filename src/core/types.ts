/**
 * Shared data types of the pipeline: corpus → documents → passages → hits.
 * Everything here is plain data, serialisable as JSON, and runtime-neutral.
 */

/** ISO 639-1 code of a text's language; `und` when it cannot be told. */
export type Language = 'en' | 'ru' | 'kk' | 'und' | (string & {});

/** What part of a document a passage comes from. `references` is excluded from default retrieval. */
export type PassageKind = 'body' | 'abstract' | 'keywords' | 'table' | 'references' | 'meta';

export const PASSAGE_KINDS: readonly PassageKind[] = [
  'body',
  'abstract',
  'keywords',
  'table',
  'references',
  'meta',
];

/** Kinds searched when a request does not name any. */
export const DEFAULT_PASSAGE_KINDS: readonly PassageKind[] = [
  'body',
  'abstract',
  'keywords',
  'table',
  'meta',
];

/** A half-open range `[start, end)` of JS string indices into a raw corpus file. */
export interface Span {
  start: number;
  end: number;
}

/** One corpus file as read from disk. */
export interface SourceFile {
  /** File name relative to the corpus directory, e.g. `002_65d38c5c6c547e1f.txt`. */
  name: string;
  /** Full raw text; citation offsets index into this string. */
  text: string;
}

/**
 * A citable unit: a whole file, or one article (or front/back matter) inside a file.
 * Produced by the catalogue from the file plus an optional sidecar override.
 */
export interface DocumentInfo extends Span {
  /** Stable id, safe in URLs: `[A-Za-z0-9._-]+`. */
  id: string;
  /** File name in the corpus directory. */
  source: string;
  title: string;
  authors: string[];
  /** Languages present in the unit, main language first. */
  languages: Language[];
  /** `article` for a citable work; `matter` for front/back matter of a collection. */
  type: 'article' | 'matter';
  /** Title of the containing collection (a journal issue), when the file holds several articles. */
  collection?: string;
  /** Publication facts the corpus gives (from `catalog.json`), for citations; absent when it gives none. */
  bibliography?: Bibliography;
}

/** Where and when a document was published, as far as the corpus says. Every field is optional. */
export interface Bibliography {
  year?: number;
  /** Kind of work when it is not a journal article, e.g. `Lecture`. */
  genre?: string;
  /** Journal (or other container) title. */
  journal?: string;
  volume?: string;
  issue?: string;
  firstPage?: number;
  lastPage?: number;
  publisher?: string;
  place?: string;
  issn?: string;
  /** The authors' institutions, as printed. */
  affiliations?: string[];
}

/** A sentence inside a passage: clean text plus its raw span. */
export interface Sentence extends Span {
  text: string;
}

/** A retrieval unit: a few sentences of one document, with exact raw offsets. */
export interface Passage extends Span {
  /** Stable id `<documentId>.p<ordinal>`; unchanged while the document's text is unchanged. */
  id: string;
  /** Dense number of the passage in the whole corpus; used as the vector index label. */
  ordinal: number;
  documentId: string;
  source: string;
  /** Section headings from outermost to innermost (clean text). */
  section: string[];
  language: Language;
  kind: PassageKind;
  /** Clean display text: markup removed, whitespace collapsed; verbatim otherwise. */
  text: string;
  /** The sentences making up `text`, in order, with raw spans. */
  sentences: Sentence[];
}

/** A chat turn sent with a question. */
export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/** The bounds of one question request, from the configuration (shared by the HTTP API and the MCP tools). */
export interface RequestLimits {
  /** Longest question or history turn (MAX_QUESTION_CHARS). */
  maxQuestionChars: number;
  /** Most earlier turns (MAX_HISTORY_TURNS). */
  maxHistoryTurns: number;
  /** Most passages per request (MAX_TOP_K). */
  maxTopK: number;
}
