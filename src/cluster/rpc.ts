/**
 * Request/response over a message channel (a cluster worker's IPC link to the primary). Every message is
 * tagged, so the channel can carry other traffic; replies are matched by id, and a call not answered in
 * time rejects instead of hanging a request.
 */

/** The part of a Node IPC link (`process`, a `cluster.Worker`, a forked child) the RPC needs. */
export interface Channel {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

const TAG = 'kzqa-rpc';

interface Call {
  tag: typeof TAG;
  id: number;
  target: string;
  method: string;
  args: unknown[];
  /** The caller's clock, so time-dependent stores behave as if they were in the caller (testable). */
  now: number;
}

interface Reply {
  tag: typeof TAG;
  reply: number;
  value?: unknown;
  error?: string;
}

export type RpcCall = (target: string, method: string, args: unknown[]) => Promise<unknown>;

export interface RpcClientOptions {
  now: () => number;
  /** Milliseconds before an unanswered call rejects. */
  timeoutMs: number;
}

export function createRpcClient(channel: Channel, options: Partial<RpcClientOptions> = {}): RpcCall {
  const { now, timeoutMs } = { now: Date.now, timeoutMs: 5_000, ...options };
  let next = 0;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();
  channel.on('message', (message) => {
    const m = message as Partial<Reply>;
    if (m?.tag !== TAG || typeof m.reply !== 'number') return;
    const call = pending.get(m.reply);
    if (!call) return;
    pending.delete(m.reply);
    clearTimeout(call.timer);
    if (m.error !== undefined) call.reject(new Error(m.error));
    else call.resolve(m.value);
  });
  return (target, method, args) =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${target}.${method}: no answer from the primary in ${timeoutMs} ms`));
      }, timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      pending.set(id, { resolve, reject, timer });
      const call: Call = { tag: TAG, id, target, method, args, now: now() };
      channel.send(call);
    });
}

/** Answers calls arriving on `channel` with `handle` (which may answer asynchronously). */
export function serveRpc(
  channel: Channel,
  handle: (target: string, method: string, args: unknown[], now: number) => unknown,
): void {
  channel.on('message', (message) => {
    const m = message as Partial<Call>;
    if (m?.tag !== TAG || typeof m.id !== 'number' || typeof m.target !== 'string') return;
    const id = m.id;
    const answer = (reply: Omit<Reply, 'tag' | 'reply'>) => channel.send({ tag: TAG, reply: id, ...reply });
    try {
      Promise.resolve(handle(m.target, String(m.method), m.args ?? [], Number(m.now))).then(
        (value) => answer({ value }),
        (error: unknown) => answer({ error: error instanceof Error ? error.message : String(error) }),
      );
    } catch (error) {
      answer({ error: error instanceof Error ? error.message : String(error) });
    }
  });
}
