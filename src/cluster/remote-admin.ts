import type { AdminControl, ReindexStatus } from '../index/types.ts';
import type { RpcCall } from './rpc.ts';

/** A cluster worker's admin control: the primary builds once for all workers, so every call goes there. */
export function createRemoteAdmin(
  call: RpcCall,
): Pick<AdminControl, 'reindex' | 'status'> & { stop(): Promise<void> } {
  return {
    reindex: () => call('admin', 'reindex', []) as Promise<ReindexStatus>,
    status: () => call('admin', 'status', []) as Promise<ReindexStatus>,
    // A worker runs no build of its own: the primary stops its build when it shuts down.
    stop: async () => {},
  };
}

/** What the primary tells its workers: a new index is built and must be swapped in. */
export const SWAP_MESSAGE = { tag: 'kzqa-swap' } as const;

export const isSwapMessage = (message: unknown): boolean =>
  (message as { tag?: unknown } | null)?.tag === SWAP_MESSAGE.tag;
