/**
 * What the benchmark's peer servers share: the passages of a built index, and a plain Hono app with
 * `GET /healthz` and `POST /v1/ask {question}` answering the top 5 passages as JSON. Each peer is a
 * separate process started by bench/run.ts with INDEX_DIR and PORT in its environment.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

export interface PeerPassage {
  id: string;
  documentId: string;
  text: string;
}

export interface PeerHit {
  id: string;
  score: number;
}

/** The number of passages a peer answers with, as the service does by default. */
export const TOP_K = 5;

/** The manifest and passages of the index under `indexDir` (the service's own files, read as they are). */
export async function readIndex(indexDir: string) {
  const manifest = JSON.parse(await readFile(join(indexDir, 'manifest.json'), 'utf8')) as {
    buildId: string;
    model: { id: string; dims: number };
    hnsw: { efSearch: number };
  };
  const buildDir = join(indexDir, manifest.buildId);
  const passages = (JSON.parse(await readFile(join(buildDir, 'passages.json'), 'utf8')) as PeerPassage[]).map(
    ({ id, documentId, text }) => ({ id, documentId, text }),
  );
  return { manifest, buildDir, passages };
}

/** Serves `search` on PORT: the answer is the top passages in order, each with its score. */
export function servePeer(
  name: string,
  passages: readonly PeerPassage[],
  search: (question: string) => PeerHit[] | Promise<PeerHit[]>,
): void {
  const byId = new Map(passages.map((p) => [p.id, p]));
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', passages: passages.length }));
  app.post('/v1/ask', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: { code: 'INVALID_JSON', message: 'the body is not JSON' } }, 400);
    }
    const question = (body as { question?: unknown } | null)?.question;
    if (typeof question !== 'string' || question.trim() === '') {
      return c.json({ error: { code: 'INVALID_REQUEST', message: 'question: a non-empty string' } }, 400);
    }
    const hits = await search(question);
    return c.json({
      passages: hits.slice(0, TOP_K).map((hit) => ({ ...(byId.get(hit.id) as PeerPassage), score: hit.score })),
    });
  });
  const port = Number(process.env.PORT ?? 0);
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) =>
    process.stderr.write(`${name} peer listening on ${info.port} (${passages.length} passages)\n`),
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
