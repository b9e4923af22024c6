import { type ChildProcess, fork } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Channel, createRpcClient } from '../../src/cluster/rpc.ts';
import { botStores, createSharedStoreClients } from '../../src/cluster/shared-stores.ts';
import { conversationStoreContract, rateLimiterContract, replayGuardContract } from '../stores/contract.ts';

// The stores run in a real second process and are reached over Node's IPC, as cluster workers reach them.
let host: ChildProcess;
beforeAll(() => {
  host = fork('tests/cluster/fixtures/store-host.ts', [], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
});
afterAll(() => {
  host.kill();
});

const clients = (now: () => number) => createSharedStoreClients(createRpcClient(host as Channel, { now }));

rateLimiterContract('cluster primary over IPC', (perMinute, now) => clients(now).rateLimiter(perMinute));
replayGuardContract('cluster primary over IPC', (windowSeconds, now) =>
  clients(now).replayGuard({ windowSeconds }),
);
conversationStoreContract('cluster primary over IPC', (options, now) => clients(now).conversations(options));

describe('shared stores across workers', () => {
  it('gives two workers one budget, one set of signatures and one conversation', async () => {
    const [a, b] = [clients(Date.now), clients(Date.now)];
    const key = `client-${process.pid}-${Date.now()}`;
    const [limitA, limitB] = [a.rateLimiter(3), b.rateLimiter(3)];
    const waits = [
      await limitA.take(key),
      await limitB.take(key),
      await limitA.take(key),
      await limitB.take(key),
    ];
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    const sig = `sig-${key}`;
    expect(await botStores(a).replays.firstUse(sig, Date.now() / 1000)).toBe(true);
    expect(await botStores(b).replays.firstUse(sig, Date.now() / 1000)).toBe(false);
    await botStores(a).conversations.remember(key, 'Who won the 2019 election?');
    expect(await botStores(b).conversations.history(key)).toEqual([
      { role: 'user', content: 'Who won the 2019 election?' },
    ]);
  });

  it('rejects a call the primary cannot answer instead of hanging', async () => {
    const call = createRpcClient(host as Channel, { timeoutMs: 2_000 });
    await expect(call('["nothing",1]', 'take', [])).rejects.toThrow(/no shared store of kind "nothing"/);
    await expect(call('["rate",5]', 'steal', [])).rejects.toThrow(/has no method "steal"/);
  });
});
