import { Hono } from 'hono';
import type { QaService } from '../retrieve/types.ts';
import { handleMcpRequest, type McpLimits } from './server.ts';

/**
 * Model Context Protocol over streamable HTTP, mounted at `/mcp`. The server is stateless and answers
 * each POST with JSON, so it never pushes anything: GET (an event stream for server messages) and DELETE
 * (ending a session) are 405, which the protocol allows, instead of holding a stream open forever.
 */
export function createMcpRoutes(service: QaService, limits?: McpLimits) {
  const app = new Hono();
  app.post('/', (c) => handleMcpRequest(service, c.req.raw, limits));
  return app;
}
