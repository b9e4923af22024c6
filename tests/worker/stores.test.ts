import { env } from 'cloudflare:test';
import { createDurableStores } from '../../src/worker/state.ts';
import { conversationStoreContract, rateLimiterContract, replayGuardContract } from '../stores/contract.ts';

// The Durable Object of wrangler.toml's STATE binding, in workerd: the same contracts as in memory.
rateLimiterContract('Durable Object', (perMinute, now) =>
  createDurableStores(env.STATE, { now }).rateLimiter(perMinute),
);
replayGuardContract(
  'Durable Object',
  (windowSeconds, now) =>
    createDurableStores(env.STATE, { now, replayWindowSeconds: windowSeconds }).bots.replays,
);
conversationStoreContract(
  'Durable Object',
  (conversation, now) => createDurableStores(env.STATE, { now, conversation }).bots.conversations,
);
