import { AppError, isAppError } from '../../core/errors.ts';

/**
 * The little of a PostgreSQL client the index backend needs, so one backend runs on a `pg` pool (a real
 * server, or Hyperdrive from Workers) and on PGlite (in-process, for tests) alike.
 */
export interface SqlClient {
  /** One parameterised statement. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** `fn` on one connection between BEGIN and COMMIT; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** `fn` on one connection held throughout (session-level advisory locks live on a connection). */
  session<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** pgvector's text form of a vector; float32 values print exactly and parse back to the same float32. */
export function vectorLiteral(v: Float32Array): string {
  return `[${Array.from(v).join(',')}]`;
}

// SQLSTATE classes of a server that is gone or refusing: connection exceptions, operator intervention
// (shutdown, crash recovery), insufficient resources; plus the socket errors Node reports.
const UNREACHABLE_STATES = /^(08|57P|53)/;
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNREACHABLE_MESSAGE =
  /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout/i;

/** True when `error` means the database cannot be reached now (retrying later may work). */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_STATES.test(code) || UNREACHABLE_ERRNO.has(code))) return true;
  if (UNREACHABLE_MESSAGE.test(error.message)) return true;
  return error.cause !== undefined && isUnreachable(error.cause);
}

/** Runs a database call, turning "the server is gone" into DATABASE_UNAVAILABLE (503, retryable). */
export async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isAppError(error)) throw error;
    if (isUnreachable(error)) {
      throw new AppError(
        'DATABASE_UNAVAILABLE',
        `The index database cannot be reached (${what}); this replica retries on every request`,
        { cause: error },
      );
    }
    throw error;
  }
}
