/**
 * `npm run bench:soak [-- --minutes N]`: a reliability soak on loopback. The real server takes mixed
 * valid, invalid and abusive traffic for N minutes (default 2); a reindex (admin endpoint) runs at one
 * third and a SIGHUP reindex at two thirds. Prints requests by status, the 5xx count (must be 0), failed
 * valid requests (must be 0), server RSS start/peak/end and open file descriptors start/end; writes
 * bench/results/soak.json; exits 1 when a must-be-zero figure is not.
 *
 * Clients come from different loopback addresses (127.0.1.x valid, 127.0.2.x invalid, 127.0.3.x abusive),
 * so per-client limits apply to each group apart, as they would to different hosts.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/core/config.ts';
import { parseQuestions } from '../src/eval/evaluate.ts';
import { openOrBuildIndex } from '../src/index/load-index.node.ts';
import { runBenchmark, startProcess } from './processes.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MINUTES = option('minutes', 2);
const PORT = option('port', 24_000 + (process.pid % 1000));
const VALID_CLIENTS = option('clients', 6);
/** Each valid client stays under the per-client limit: 15 req/s is 900 a minute of RATE_LIMIT_PER_MINUTE 1200. */
const VALID_RATE = 15;
const TOKEN = 'soak-admin-token-0123456789';
const WEBHOOK_SECRET = 'soak-webhook-secret-0123456789';

type Group = 'valid' | 'invalid' | 'abusive';
const counts: Record<Group, Map<string, number>> = { valid: new Map(), invalid: new Map(), abusive: new Map() };
const failedValid: string[] = [];
const count = (group: Group, status: string) => counts[group].set(status, (counts[group].get(status) ?? 0) + 1);
let stopping = false;

interface Reply {
  status: number;
  body: string;
}

/** One HTTP/1.1 request from `localAddress` over `agent` (keep-alive per client). */
function call(
  agent: Agent,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: PORT, method, path, agent, headers: { ...headers }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const agentFor = (localAddress: string) => new Agent({ keepAlive: true, maxSockets: 1, localAddress });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signWebhook(body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const signature = createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest('hex');
  return { ...json, 'x-webhook-timestamp': timestamp, 'x-webhook-signature': `sha256=${signature}` };
}

/** A valid client: asks, browses documents and passages, uses the webhook and MCP; every answer must be 2xx. */
async function validClient(n: number, questions: string[], documentIds: string[]): Promise<void> {
  const agent = agentFor(`127.0.1.${n + 1}`);
  for (let i = 0; !stopping; i++) {
    const started = Date.now();
    const question = questions[(i * 7 + n) % questions.length] as string;
    const documentId = documentIds[i % documentIds.length] as string;
    const kind = i % 6;
    const [method, path, body, headers] =
      kind === 0 || kind === 1
        ? ['POST', '/v1/ask', JSON.stringify({ question, topK: 3 }), json]
        : kind === 2
          ? ['GET', `/v1/documents/${encodeURIComponent(documentId)}`, undefined, {}]
          : kind === 3
            ? ['GET', `/v1/passages/${encodeURIComponent(`${documentId}.p1`)}`, undefined, {}]
            : kind === 4
              ? ['POST', '/bots/webhook', JSON.stringify({ conversationId: `c${n}-${i % 20}`, text: question }), undefined]
              : [
                  'POST',
                  '/mcp',
                  JSON.stringify({
                    jsonrpc: '2.0',
                    id: i,
                    method: 'tools/call',
                    params: { name: 'search_corpus', arguments: { question, topK: 2 } },
                  }),
                  { ...json, accept: 'application/json, text/event-stream' },
                ];
    const sent = headers ?? signWebhook(body as string);
    try {
      const reply = await call(agent, method, path, body, sent);
      count('valid', String(reply.status));
      if (reply.status >= 300) failedValid.push(`${method} ${path} → ${reply.status} ${reply.body.slice(0, 200)}`);
    } catch (error) {
      count('valid', 'network error');
      failedValid.push(`${method} ${path} → ${String(error)}`);
    }
    await sleep(Math.max(0, 1000 / VALID_RATE - (Date.now() - started)));
  }
  agent.destroy();
}

/** An invalid client: malformed and mis-shaped requests that must get a 4xx. */
async function invalidClient(n: number): Promise<void> {
  const agent = agentFor(`127.0.2.${n + 1}`);
  const unknownFields = JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])));
  const cases: Array<[string, string, string | undefined, Record<string, string>]> = [
    ['POST', '/v1/ask', '{"question": ', json],
    ['POST', '/v1/ask', JSON.stringify({ question: 42, topK: '5' }), json],
    ['POST', '/v1/ask', unknownFields, json],
    ['POST', '/v1/ask', JSON.stringify({ question: 'q', filters: { documentIds: ['nope'] } }), json],
    ['POST', '/v1/ask', JSON.stringify({ question: 'q' }), { 'content-type': 'text/plain' }],
    ['POST', '/v1/ask', JSON.stringify({ question: 'x'.repeat(70_000) }), json],
    ['GET', '/v1/documents/%00nope', undefined, {}],
    ['DELETE', '/v1/ask', undefined, {}],
    ['GET', `/${'a'.repeat(2000)}`, undefined, {}],
    ['POST', '/bots/webhook', JSON.stringify({ text: 'q' }), { ...json, 'x-webhook-signature': 'sha256=00' }],
    ['POST', '/mcp', '{"jsonrpc":"2.0","id":1,"method":"nope"}', json],
    ['POST', '/admin/reindex', undefined, { authorization: 'Bearer wrong' }],
  ];
  for (let i = 0; !stopping; i++) {
    const [method, path, body, headers] = cases[i % cases.length] as (typeof cases)[number];
    try {
      const reply = await call(agent, method, path, body, headers);
      count('invalid', String(reply.status));
    } catch {
      // The server may close a connection after a refusal (413, 431); that is not a failure.
      count('invalid', 'closed');
    }
    await sleep(20);
  }
  agent.destroy();
}

/** Raw socket exchanges for behaviour that HTTP clients do not produce. */
function rawExchange(text: string, localAddress: string, hangUpAfterMs?: number, trickle?: boolean): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port: PORT, localAddress }, () => {
      if (!trickle) socket.write(text);
      else {
        let i = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || i >= text.length) return clearInterval(timer);
          socket.write(text[i++] as string);
        }, 500);
      }
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    if (hangUpAfterMs) setTimeout(() => socket.destroy(), hangUpAfterMs);
    setTimeout(() => socket.destroy(), 30_000);
  });
}

const statusOf = (response: string) => response.split(' ')[1] ?? 'closed';

/** Abusive clients: floods, slow and abandoned bodies, hoarded connections, oversized heads, replays, spoofing. */
async function abusiveClient(n: number): Promise<void> {
  const address = `127.0.3.${n + 1}`;
  const agent = agentFor(address);
  const flood = new Agent({ keepAlive: true, maxSockets: 8, localAddress: address });
  const replayBody = JSON.stringify({ conversationId: `replay-${n}`, text: 'How are akims elected?' });
  const partialPost = (path: string) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"question": "wh`;
  for (let i = 0; !stopping; i++) {
    const kind = i % 8;
    if (kind === 0) {
      // A burst well past the per-client rate, over several connections.
      const replies = await Promise.all(
        Array.from({ length: 600 }, () => call(flood, 'GET', '/v1/documents').catch(() => undefined)),
      );
      for (const r of replies) count('abusive', r ? String(r.status) : 'closed');
    } else if (kind === 1) {
      count('abusive', statusOf(await rawExchange(partialPost('/v1/ask'), address)));
    } else if (kind === 2) {
      for (const path of ['/v1/ask', '/mcp', '/bots/webhook'])
        count('abusive', statusOf(await rawExchange(partialPost(path), address, 50)));
    } else if (kind === 3) {
      // Hoard connections: more than MAX_CONNECTIONS_PER_CLIENT half-sent heads at once.
      const head = 'GET /v1/documents HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
      const replies = await Promise.all(Array.from({ length: 48 }, () => rawExchange(head, address)));
      for (const r of replies) count('abusive', statusOf(r));
    } else if (kind === 4) {
      const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`;
      count('abusive', statusOf(await rawExchange(head, address)));
    } else if (kind === 5) {
      // The same signed webhook twice: the second is a replay.
      const headers = signWebhook(replayBody.replace('replay-', `replay-${i}-`));
      const body = replayBody.replace('replay-', `replay-${i}-`);
      for (let k = 0; k < 2; k++) {
        const r = await call(agent, 'POST', '/bots/webhook', body, headers).catch(() => undefined);
        count('abusive', r ? String(r.status) : 'closed');
      }
    } else if (kind === 6) {
      const r = await call(agent, 'POST', '/v1/ask', JSON.stringify({ question: 'q' }), {
        ...json,
        'x-forwarded-for': `203.0.113.${i % 250}, 1.1.1.1`,
      }).catch(() => undefined);
      count('abusive', r ? String(r.status) : 'closed');
      const mcp = await call(agent, 'GET', '/mcp', undefined, { accept: 'text/event-stream' }).catch(() => undefined);
      count('abusive', mcp ? String(mcp.status) : 'closed');
    } else {
      // A body trickled one byte every 500 ms.
      count('abusive', statusOf(await rawExchange(partialPost('/v1/ask').slice(0, 120), address, undefined, true)));
    }
    await sleep(200);
  }
  agent.destroy();
  flood.destroy();
}

async function sample(pid: number): Promise<{ rss: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rss = Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  return { rss, fds };
}

async function adminStatus(): Promise<{ state: string; indexBuiltAt?: string; error?: string }> {
  const agent = agentFor('127.0.0.1');
  const reply = await call(agent, 'GET', '/admin/reindex', undefined, { authorization: `Bearer ${TOKEN}` });
  agent.destroy();
  return JSON.parse(reply.body);
}

async function waitForReindex(label: string, before: string | undefined): Promise<string> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    await sleep(500);
    const status = await adminStatus();
    if (status.state === 'failed') throw new Error(`${label} failed: ${status.error}`);
    if (status.state === 'idle' && status.indexBuiltAt && status.indexBuiltAt !== before) return status.indexBuiltAt;
  }
  throw new Error(`${label} did not finish`);
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'soak-'));
  const env = { CORPUS_DIR: 'corpus', INDEX_DIR: join(root, 'index'), MODELS_DIR: 'models', LOG_LEVEL: 'silent' };
  process.stderr.write(`soak: building an index in ${env.INDEX_DIR}\n`);
  await openOrBuildIndex(loadConfig(env));
  const questions = parseQuestions(await readFile('eval/dev.jsonl', 'utf8')).map((q) => q.turns.at(-1) as string);

  const logLines: string[] = [];
  // The server as `npm start` runs it: the compiled build, made first if stale.
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--if-stale']);
  const server: ChildProcess = startProcess(process.execPath, ['dist/node.js'], {
    env: {
      ...process.env,
      ...env,
      PORT: String(PORT),
      LOG_LEVEL: 'warn',
      AUTO_BUILD: 'false',
      ADMIN_TOKEN: TOKEN,
      // Answers are recorded as in production, into the run's own folder (never the developer's data/).
      ANALYTICS_DB: join(root, 'analytics.sqlite'),
      WEBHOOK_SECRET,
      RATE_LIMIT_PER_MINUTE: '1200',
      BODY_TIMEOUT_MS: '3000',
      HEADERS_TIMEOUT_MS: '5000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server.stdout?.on('data', (c: Buffer) => logLines.push(...c.toString().split('\n').filter(Boolean)));
  const pid = server.pid as number;
  const probe = agentFor('127.0.0.1');
  for (let i = 0; ; i++) {
    if (await call(probe, 'GET', '/healthz').then((r) => r.status === 200, () => false)) break;
    if (i > 600) throw new Error('the server did not start');
    await sleep(100);
  }
  const documents = JSON.parse((await call(probe, 'GET', '/v1/documents')).body) as { documents: Array<{ id: string }> };
  const documentIds = documents.documents.map((d) => d.id);
  const firstBuild = JSON.parse((await call(probe, 'GET', '/healthz')).body).indexBuiltAt as string;
  probe.destroy();

  const idle = await sample(pid);
  const durationMs = MINUTES * 60_000;
  const started = Date.now();
  process.stderr.write(`soak: ${MINUTES} min on port ${PORT} (server pid ${pid})\n`);
  const clients = [
    ...Array.from({ length: VALID_CLIENTS }, (_, n) => validClient(n, questions, documentIds)),
    ...Array.from({ length: 2 }, (_, n) => invalidClient(n)),
    ...Array.from({ length: 3 }, (_, n) => abusiveClient(n)),
  ];

  // Start figures after a warm-up: caches (stems, query vectors, expansions; all bounded) fill first.
  const warmUpMs = Math.min(30_000, durationMs / 4);
  await sleep(warmUpMs);
  const start = await sample(pid);
  let peak = start.rss;
  const timeline: Array<{ second: number; rss: number; fds: number }> = [];
  const sampler = setInterval(() => {
    sample(pid).then((s) => {
      peak = Math.max(peak, s.rss);
      timeline.push({ second: Math.round((Date.now() - started) / 1000), ...s });
    }, () => {});
  }, 1000);

  await sleep(Math.max(0, started + durationMs / 3 - Date.now()));
  process.stderr.write('soak: POST /admin/reindex\n');
  const adminAgent = agentFor('127.0.0.1');
  await call(adminAgent, 'POST', '/admin/reindex', undefined, { authorization: `Bearer ${TOKEN}` });
  adminAgent.destroy();
  const secondBuild = await waitForReindex('admin reindex', firstBuild);
  await sleep(Math.max(0, started + (2 * durationMs) / 3 - Date.now()));
  process.stderr.write('soak: SIGHUP\n');
  server.kill('SIGHUP');
  const thirdBuild = await waitForReindex('SIGHUP reindex', secondBuild);

  await sleep(Math.max(0, started + durationMs - Date.now()));
  stopping = true;
  await Promise.all(clients);
  await sleep(3000);
  clearInterval(sampler);
  const end = await sample(pid);
  const errorLines = logLines.filter((l) => /"level":(50|60)/.test(l));
  server.kill('SIGTERM');
  const exitCode = await new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
  await rm(root, { recursive: true, force: true });

  const byStatus = (group: Group) => Object.fromEntries([...counts[group].entries()].sort());
  const total = (group: Group) => [...counts[group].values()].reduce((a, b) => a + b, 0);
  const fiveHundreds = (['valid', 'invalid', 'abusive'] as Group[]).reduce(
    (sum, g) => sum + [...counts[g].entries()].filter(([s]) => s.startsWith('5')).reduce((a, [, n]) => a + n, 0),
    0,
  );
  const result = {
    minutes: MINUTES,
    requests: { valid: total('valid'), invalid: total('invalid'), abusive: total('abusive') },
    byStatus: { valid: byStatus('valid'), invalid: byStatus('invalid'), abusive: byStatus('abusive') },
    fiveHundreds,
    failedValid: failedValid.length,
    failedValidSamples: failedValid.slice(0, 5),
    reindexes: { builds: [firstBuild, secondBuild, thirdBuild] },
    rssMiB: { beforeTraffic: idle.rss, start: start.rss, peak, end: end.rss },
    warmUpSeconds: warmUpMs / 1000,
    timeline,
    fileDescriptors: { beforeTraffic: idle.fds, start: start.fds, end: end.fds },
    serverErrorLogLines: errorLines.length,
    exitCode,
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/soak.json', `${JSON.stringify(result, null, 2)}\n`);

  const lines = [
    `soak: ${MINUTES} min, ${VALID_CLIENTS} valid + 2 invalid + 3 abusive clients, reindex at 1/3 (admin) and 2/3 (SIGHUP)`,
    '',
    '| group | requests | by status |',
    '|---|---|---|',
    ...(['valid', 'invalid', 'abusive'] as Group[]).map(
      (g) =>
        `| ${g} | ${total(g)} | ${Object.entries(byStatus(g))
          .map(([s, n]) => `${s}: ${n}`)
          .join(', ')} |`,
    ),
    '',
    `5xx responses:            ${fiveHundreds} (must be 0)`,
    `failed valid requests:    ${failedValid.length} (must be 0)`,
    `server RSS MiB:           before traffic ${idle.rss}, start ${start.rss} (after ${warmUpMs / 1000} s warm-up), peak ${peak}, end ${end.rss}`,
    `RSS over time (s: MiB):   ${timeline
      .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 10)) === 0)
      .map((t) => `${t.second}: ${t.rss}`)
      .join(', ')}`,
    `open file descriptors:    before traffic ${idle.fds}, start ${start.fds}, end ${end.fds} (clients gone)`,
    `error lines in the log:   ${errorLines.length}`,
    `reindexes:                2 of 2 swapped in (${secondBuild}, ${thirdBuild})`,
    `exit on SIGTERM:          ${exitCode}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const sample of failedValid.slice(0, 5)) process.stdout.write(`  failed: ${sample}\n`);
  const ok = fiveHundreds === 0 && failedValid.length === 0 && errorLines.length === 0 && exitCode === 0;
  process.exit(ok ? 0 : 1);
}

runBenchmark(main);
