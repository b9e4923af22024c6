/**
 * Calls to a chat platform's Web API (Slack `chat.postMessage`/`views.open`, Telegram `sendMessage`): a JSON
 * POST whose answer says `{"ok": true, …}`. Both platforms answer a refused call with HTTP 200 and
 * `ok: false`, so the body is checked, not only the status.
 */

export interface PlatformCall {
  fetch: typeof fetch;
  /** The method's URL (Telegram's carries the bot token: it never goes into an error message). */
  url: string;
  /** What the error message calls the call, e.g. `Slack views.open`. */
  name: string;
  headers?: Record<string, string>;
  body: unknown;
  /** Slack's interactions give 3 s to act on a trigger; nothing here waits longer than this. */
  timeoutMs?: number;
}

/** Posts the call and returns the platform's answer; throws on a network error, a timeout or `ok: false`. */
export async function callPlatform(call: PlatformCall): Promise<Record<string, unknown>> {
  const res = await call.fetch(call.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...call.headers },
    body: JSON.stringify(call.body),
    signal: AbortSignal.timeout(call.timeoutMs ?? 2500),
  });
  const answer: unknown = await res.json().catch(() => undefined);
  const record = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
  if (record.ok !== true) {
    const why = record.error ?? record.description ?? 'no JSON answer';
    throw new Error(`${call.name} failed: HTTP ${res.status}, ${String(why)}`);
  }
  return record;
}
