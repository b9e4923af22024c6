import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig } from '../core/config.ts';
import { createMcpServer } from '../mcp/server.ts';
import { createQaService } from '../retrieve/engine.ts';
import { openForCli, runCli } from './open.node.ts';

/** `npm run mcp`: the MCP server on stdio (logs and build progress go to stderr; stdout is the protocol). */
runCli(async () => {
  const { index, modelStatus, config } = await openForCli(loadConfig(process.env));
  const limits = {
    maxQuestionChars: config.MAX_QUESTION_CHARS,
    maxHistoryTurns: config.MAX_HISTORY_TURNS,
    maxTopK: config.MAX_TOP_K,
  };
  await createMcpServer(createQaService(index, { modelStatus }), limits).connect(new StdioServerTransport());
});
