import type { DocumentInfo } from '../core/types.ts';
import type { SearchIndex } from '../index/search-index.ts';
import type { CorpusStats } from './corpus-stats.ts';
import type { DocumentSummary, DocumentText, HealthReport, PassageContext, QaService } from './types.ts';

/** The service's read-only views of the corpus: documents, passages, texts, health. */
export function createCatalog(
  index: SearchIndex,
  stats: CorpusStats,
  modelStatus: { requested: string; fallbackReason?: string } | undefined,
): Omit<QaService, 'ask'> {
  const summarize = (d: DocumentInfo): DocumentSummary => ({
    ...d,
    passageCount: stats.passageCounts.get(d.id) ?? 0,
  });
  const fallbackReason = modelStatus?.fallbackReason;
  return {
    listDocuments: () => index.documents.map(summarize),
    getDocument: (id) => {
      const d = stats.documentsById.get(id);
      return d ? summarize(d) : undefined;
    },
    getPassage: (id): PassageContext | undefined => {
      const passage = stats.passagesById.get(id);
      if (!passage) return undefined;
      const prev = index.passages[passage.ordinal - 1];
      const next = index.passages[passage.ordinal + 1];
      return {
        passage,
        document: stats.documentsById.get(passage.documentId) as DocumentInfo,
        previousId: prev && prev.documentId === passage.documentId ? prev.id : null,
        nextId: next && next.documentId === passage.documentId ? next.id : null,
      };
    },
    health: (): HealthReport => ({
      status: 'ok',
      documents: index.documents.length,
      passages: index.passages.length,
      model: {
        id: index.embedder.id,
        dims: index.embedder.dims,
        ...(fallbackReason ? { requested: modelStatus?.requested, fallbackReason } : {}),
      },
      indexBuiltAt: index.builtAt,
      skipped: [...(index.skipped ?? [])],
    }),
    listSkipped: () => [...(index.skipped ?? [])],
    getDocumentText: (id): DocumentText | undefined => {
      const document = stats.documentsById.get(id);
      const text = document ? index.sources.get(document.source) : undefined;
      if (!document || text === undefined) return undefined;
      const layout = index.sourceLayout?.get(document.source);
      return {
        documentId: document.id,
        source: document.source,
        format: layout?.format ?? document.format ?? 'text',
        start: document.start,
        end: document.end,
        text,
        ...(layout?.pages ? { pages: layout.pages } : {}),
      };
    },
  };
}
