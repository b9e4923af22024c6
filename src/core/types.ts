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

/** The formats a corpus file may have; told from the content, not only the extension. */
export type SourceFormat = 'text' | 'markdown' | 'pdf' | 'docx' | 'html';

export const SOURCE_FORMATS: readonly SourceFormat[] = ['text', 'markdown', 'pdf', 'docx', 'html'];

/** Where one page of a paginated source lies in its extracted text. */
export interface PageSpan extends Span {
  /** 1-based page number in the file. */
  page: number;
  /** The page's printed label when the PDF declares one (`iv`, `113`), else the number as text. */
  label: string;
}

/** Bibliographic details an extractor found in the file itself (PDF info, HTML meta tags). */
export interface SourceMeta {
  title?: string;
  authors?: string[];
  year?: number;
  venue?: string;
}

/** One corpus file after extraction: the text every citation offset indexes into. */
export interface SourceFile {
  /** File name relative to the corpus directory, e.g. `002_65d38c5c6c547e1f.txt`. */
  name: string;
  /** Full text (the file itself for text and Markdown, the extracted text otherwise); offsets index into it. */
  text: string;
  /** Format of the original file; `text` when absent. */
  format?: SourceFormat;
  /** Page boundaries in `text`, for paginated formats (PDF). */
  pages?: PageSpan[];
  meta?: SourceMeta;
}

/** A corpus file left out of the index, and why. */
export interface SkippedFile {
  file: string;
  reason: SkipReason;
  message: string;
}

/** Why a file was left out: each has its own advice in `message`. */
export type SkipReason =
  | 'encrypted'
  | 'no-text'
  | 'truncated'
  | 'corrupt'
  | 'mislabelled'
  | 'too-large'
  | 'unsupported'
  | 'empty';

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
  /** Format of the source file; `text` when absent. */
  format?: SourceFormat;
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
  /** Labels of the first and last page the passage lies on, for paginated sources. */
  pages?: [string, string];
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
