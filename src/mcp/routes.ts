import { z } from '@hono/zod-openapi';
import { createOpenApiApp, documented, errorResponses } from '../http/openapi.ts';
import type { QaService } from '../retrieve/types.ts';
import type { McpLimits } from './server.ts';

const JsonRpcId = z.union([z.string(), z.number().int()]);

/** A JSON-RPC 2.0 message as MCP clients send it (`tools/list`, `tools/call`, `initialize`, …). */
export const McpRequestSchema = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: JsonRpcId.optional().openapi({ description: 'Absent for notifications, which are answered 202' }),
    method: z.string().max(200),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('McpRequest');

export const McpResponseSchema = z
  .object({
    jsonrpc: z.literal('2.0').optional(),
    id: JsonRpcId.nullable().optional(),
    result: z.unknown().optional(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
  })
  .openapi('McpResponse');

const rpcError = (description: string) => ({
  description,
  content: { 'application/json': { schema: McpResponseSchema } },
});

/**
 * Model Context Protocol over streamable HTTP, mounted at `/mcp`. The server is stateless and answers
 * each POST with JSON, so it never pushes anything: GET (an event stream for server messages) and DELETE
 * (ending a session) are 405, which the protocol allows, instead of holding a stream open forever.
 */
export function createMcpRoutes(service: QaService, limits?: McpLimits) {
  const app = createOpenApiApp();
  documented(
    app,
    {
      method: 'post',
      path: '/',
      operationId: 'mcp',
      summary: 'MCP tools search_corpus and get_passage (JSON-RPC over streamable HTTP, stateless)',
      tags: ['mcp'],
      request: {
        headers: z.object({
          accept: z.string().openapi({
            description: 'Must accept both application/json and text/event-stream (the protocol requires it)',
            example: 'application/json, text/event-stream',
          }),
        }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: McpRequestSchema,
              example: {
                jsonrpc: '2.0',
                id: 1,
                method: 'tools/call',
                params: { name: 'search_corpus', arguments: { question: 'How are akims elected?', topK: 3 } },
              },
            },
          },
        },
      },
      responses: {
        200: rpcError('The JSON-RPC result, or a JSON-RPC error such as an unknown method or tool'),
        202: { description: 'A notification was accepted; no body' },
        400: rpcError('Not a JSON-RPC message'),
        406: rpcError('Accept does not list both application/json and text/event-stream'),
        415: rpcError('Body not sent as application/json'),
        ...errorResponses(408, 413, 429, 500),
      },
    },
    // The MCP SDK (with ajv) takes a few hundred milliseconds to import: loaded on the first call, not at start.
    async (c) => (await import('./server.ts')).handleMcpRequest(service, c.req.raw, limits),
  );
  return app;
}
