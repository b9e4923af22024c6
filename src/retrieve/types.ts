import type {
  DocumentInfo,
  Language,
  PageSpan,
  Passage,
  PassageKind,
  SkippedFile,
  SourceFormat,
  Turn,
} from '../core/types.ts';
import type { IndexBackendStatus } from '../index/types.ts';
import type { ConfidenceSignals } from './confidence.ts';

/** What the caller may restrict a search to. Every value must exist in the corpus. */
export interface SearchFilters {
  documentIds?: string[];
  languages?: Language[];
  /** Passage kinds to search; defaults to every kind but `references`. */
  kinds?: PassageKind[];
}

export interface AskRequest {
  question: string;
  /** The conversation so far, oldest first; the question itself is not repeated here. */
  history?: Turn[];
  /** Number of passages to return (1..50). */
  topK?: number;
  filters?: SearchFilters;
}

export type Confidence = 'high' | 'medium' | 'low';

/** Where a passage comes from, precise enough to quote. */
export interface Citation {
  /** File name in the corpus directory. */
  source: string;
  documentId: string;
  title: string;
  authors: string[];
  /** Section path joined with ` › `; empty when the document has no headings. */
  section: string;
  /** Raw character offsets of the passage in `source`. */
  start: number;
  end: number;
  /** Page or page range (`3`, `3–4`) of the quoted sentence, for paginated sources (PDF). */
  pages?: string;
  /** Human-readable reference, e.g. `Nechaeva, E. "Prospects for party field reform…", § Findings`. */
  label: string;
}

/** The sentence(s) of a passage that best support the answer. */
export interface Quote {
  text: string;
  start: number;
  end: number;
  /** Raw offset ranges of query terms inside the quote, for highlighting. */
  highlights: Array<{ start: number; end: number }>;
  /** The same terms as offsets into `text`, for clients that display the clean quote. */
  marks: Array<{ start: number; end: number }>;
}

/** Per-leg scores explaining a rank. */
export interface Why {
  dense?: { rank: number; score: number };
  lexical?: { rank: number; score: number };
  /** Rank of the passage by its best sentence's cosine with the question, and that cosine. */
  sentence?: { rank: number; score: number };
  fused: number;
  matchedTerms: string[];
}

export interface RankedPassage {
  id: string;
  rank: number;
  score: number;
  text: string;
  language: Language;
  kind: PassageKind;
  quote: Quote;
  citation: Citation;
  why?: Why;
}

export interface AskResult {
  query: {
    text: string;
    language: Language;
    usedHistory: boolean;
    /** The embedding model that searched; `modelFallback` says why it is not the configured one. */
    model: string;
    modelFallback?: string;
  };
  confidence: Confidence;
  /** The evidence behind `confidence` (see README, "How confidence works"). */
  signals: ConfidenceSignals;
  passages: RankedPassage[];
  tookMs: number;
}

export interface DocumentSummary extends DocumentInfo {
  passageCount: number;
}

export interface PassageContext {
  passage: Passage;
  document: DocumentInfo;
  previousId: string | null;
  nextId: string | null;
}

export interface HealthReport {
  status: 'ok';
  documents: number;
  passages: number;
  model: ModelInfo;
  indexBuiltAt: string;
  /** Corpus files left out of the index, with the reason. */
  skipped: SkippedFile[];
  /** Which backend serves the index; with PostgreSQL, the version and the database's state. */
  index?: IndexBackendStatus;
}

/** The text a document's citation offsets index into: its source file as extracted, with page spans. */
export interface DocumentText {
  documentId: string;
  source: string;
  format: SourceFormat;
  /** The document's own range in `text` (a file may hold several documents). */
  start: number;
  end: number;
  text: string;
  pages?: PageSpan[];
}

/** The embedding model answering, and the one configured when it could not be had. */
export interface ModelInfo {
  id: string;
  dims: number;
  /** EMBEDDING_MODEL as configured, when it is not the model in use. */
  requested?: string;
  /** Why the configured model is not in use (the service fell back to the built-in one). */
  fallbackReason?: string;
}

/** What the HTTP layer, the bots and the CLI need from the search engine. */
export interface QaService {
  ask(request: AskRequest): Promise<AskResult>;
  listDocuments(): DocumentSummary[];
  getDocument(id: string): DocumentSummary | undefined;
  getPassage(id: string): PassageContext | undefined;
  /** The extracted text of a document's source file, so that citation offsets can be checked. */
  getDocumentText(id: string): DocumentText | undefined;
  /** Corpus files left out of the index, with the reason. */
  listSkipped(): SkippedFile[];
  health(): HealthReport;
}
