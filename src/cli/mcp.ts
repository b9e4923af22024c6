import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig } from '../core/config.ts';
import { createMcpServer } from '../mcp/server.ts';
import { createQaService } from '../retrieve/engine.ts';
import { openForCli, runCli } from './open.node.ts';

/** `npm run mcp`: the MCP server on stdio (logs and build progress go to stderr; stdout is the protocol). */
runCli(async () => {
  const { index, modelStatus } = await openForCli(loadConfig(process.env));
  await createMcpServer(createQaService(index, { modelStatus })).connect(new StdioServerTransport());
});
