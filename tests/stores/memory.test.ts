import { createConversationStore } from '../../src/bots/conversations.ts';
import { createReplayGuard } from '../../src/bots/replay.ts';
import { createRateLimiter } from '../../src/http/rate-limit.ts';
import { conversationStoreContract, rateLimiterContract, replayGuardContract } from './contract.ts';

rateLimiterContract('in memory', (perMinute, now) => createRateLimiter(perMinute, now));
replayGuardContract('in memory', (windowSeconds, now) => createReplayGuard({ windowSeconds, now }));
conversationStoreContract('in memory', (options, now) => createConversationStore(options, now));
