import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import { isAppError } from '../core/errors.ts';
import type { RequestLimits } from '../core/types.ts';
import type { QaService } from '../retrieve/types.ts';

/**
 * The corpus as tools for AI agents (Model Context Protocol): `search_corpus` returns ranked verbatim
 * passages with citations, `get_passage` a passage with its neighbours. Same service as the HTTP API.
 */
export type McpLimits = RequestLimits;

export const DEFAULT_MCP_LIMITS: McpLimits = { maxQuestionChars: 2000, maxHistoryTurns: 20, maxTopK: 50 };

export function createMcpServer(
  service: QaService,
  limits: McpLimits = DEFAULT_MCP_LIMITS,
  version = '0.1.0',
): McpServer {
  const server = new McpServer({ name: 'kz-retrieval-qa', version });
  const { maxQuestionChars, maxHistoryTurns, maxTopK } = limits;

  server.registerTool(
    'search_corpus',
    {
      title: 'Search the corpus',
      description:
        'Ranked verbatim passages from the document corpus that answer a question, each with a quote and a citation ' +
        '(document, title, authors, section, character offsets). Never paraphrases. `confidence: low` means the corpus ' +
        'probably does not cover the question.',
      inputSchema: {
        question: z
          .string()
          .min(1)
          .max(maxQuestionChars)
          .describe('The question, in English, Russian or Kazakh'),
        history: z
          .array(z.string().max(maxQuestionChars))
          .max(maxHistoryTurns)
          .optional()
          .describe('Earlier user questions, oldest first'),
        topK: z.number().int().min(1).max(maxTopK).optional().describe('How many passages (default 5)'),
        documentIds: z.array(z.string()).max(100).optional().describe('Restrict to these document ids'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ question, history, topK, documentIds }) => {
      try {
        const result = await service.ask({
          question,
          history: (history ?? []).map((content) => ({ role: 'user' as const, content })),
          topK,
          ...(documentIds ? { filters: { documentIds } } : {}),
        });
        const text = result.passages
          .map(
            (p) =>
              `[${p.rank}] “${p.quote.text}” — ${p.citation.label} (${p.citation.source} ${p.citation.start}-${p.citation.end}, id ${p.id})`,
          )
          .join('\n\n');
        return {
          content: [{ type: 'text' as const, text: `confidence: ${result.confidence}\n\n${text}` }],
          structuredContent: result as unknown as Record<string, unknown>,
        };
      } catch (error) {
        if (isAppError(error))
          return { isError: true, content: [{ type: 'text' as const, text: error.message }] };
        throw error;
      }
    },
  );

  server.registerTool(
    'get_passage',
    {
      title: 'Get a passage',
      description:
        'A passage by id (from search_corpus), with its document and the ids of the passages before and after it.',
      inputSchema: { id: z.string().min(1).max(200) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ id }) => {
      const context = service.getPassage(id);
      if (!context)
        return {
          isError: true,
          content: [{ type: 'text' as const, text: `NOT_FOUND: no passage with id "${id}"` }],
        };
      return {
        content: [
          {
            type: 'text' as const,
            text: `${context.passage.text}\n\n— ${context.document.title} (${context.passage.source} ${context.passage.start}-${context.passage.end})`,
          },
        ],
        structuredContent: context as unknown as Record<string, unknown>,
      };
    },
  );
  return server;
}

/** Streamable HTTP, stateless: one server and transport per request, answers as JSON. */
export async function handleMcpRequest(
  service: QaService,
  request: Request,
  limits: McpLimits = DEFAULT_MCP_LIMITS,
): Promise<Response> {
  const server = createMcpServer(service, limits);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  return transport.handleRequest(request);
}
