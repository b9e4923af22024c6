import { Hono } from 'hono';
import type { QaService } from '../retrieve/types.ts';
import { handleMcpRequest } from './server.ts';

/** Model Context Protocol over streamable HTTP (stateless JSON responses), mounted at `/mcp`. */
export function createMcpRoutes(service: QaService) {
  const app = new Hono();
  app.on(['GET', 'POST', 'DELETE'], '/', (c) => handleMcpRequest(service, c.req.raw));
  return app;
}
