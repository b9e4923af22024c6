import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { openTestIndex, TEST_INDEX_ENV } from '../setup/test-index.ts';

type ToolResult = {
  content: Array<{ type: string; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

describe('MCP over streamable HTTP', () => {
  let client: Client;
  beforeAll(async () => {
    const service = createQaService((await openTestIndex()).index);
    const app = createApp({
      service,
      config: { MAX_BODY_BYTES: 65_536, MAX_QUESTION_CHARS: 2000, RATE_LIMIT_PER_MINUTE: 0 },
    });
    client = new Client({ name: 'test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('http://localhost/mcp'), {
        fetch: async (url, init) => app.request(String(url), init as RequestInit),
      }),
    );
  });

  it('lists the two tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_passage', 'search_corpus']);
  });

  it('searches the corpus and fetches a passage it cites', async () => {
    const search = (await client.callTool({
      name: 'search_corpus',
      arguments: { question: 'How are akims of rural districts elected?', topK: 3 },
    })) as ToolResult;
    expect(search.content[0]?.text).toMatch(/^confidence: (high|medium|low)/);
    const passages = (
      search.structuredContent as { passages: Array<{ id: string; citation: { source: string } }> }
    ).passages;
    expect(passages).toHaveLength(3);
    const passage = (await client.callTool({
      name: 'get_passage',
      arguments: { id: passages[0]?.id },
    })) as ToolResult;
    expect(passage.isError).toBeFalsy();
    expect((passage.structuredContent as { passage: { id: string } }).passage.id).toBe(passages[0]?.id);
  });

  it('reports unknown ids and filter values as tool errors', async () => {
    const missing = (await client.callTool({ name: 'get_passage', arguments: { id: 'nope' } })) as ToolResult;
    expect(missing.isError).toBe(true);
    const bad = (await client.callTool({
      name: 'search_corpus',
      arguments: { question: 'q', documentIds: ['nope'] },
    })) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(bad.content[0]?.text).toMatch(/UNKNOWN_FILTER_VALUE/);
  });
});

describe('MCP over stdio', () => {
  it('serves the same tools from `npm run mcp`', async () => {
    const client = new Client({ name: 'test', version: '1' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli/mcp.ts'],
      env: { ...(process.env as Record<string, string>), ...TEST_INDEX_ENV },
      stderr: 'ignore',
    });
    await client.connect(transport);
    const result = (await client.callTool({
      name: 'search_corpus',
      arguments: { question: 'What is political modernization?' },
    })) as ToolResult;
    expect(result.content[0]?.text).toContain('Political Modernization');
    await client.close();
  });
});
