import { describe, expect, it } from 'vitest';
import { createConversationStore } from '../../src/bots/conversations.ts';

describe('reason prompts in the conversation store', () => {
  it('remembers a prompt until it expires or is settled', () => {
    let now = 0;
    const store = createConversationStore({ reasonTtlMs: 1000 }, () => now);
    store.expectReason('telegram:1:10', { askId: 'a', user: '5' });
    store.expectReason('telegram:1:11', { askId: 'b' });
    now = 1000;
    expect(store.pendingReason('telegram:1:10')).toEqual({ askId: 'a', user: '5' });
    store.settleReason('telegram:1:10');
    expect(store.pendingReason('telegram:1:10')).toBeUndefined();
    now = 1001;
    expect(store.pendingReason('telegram:1:11')).toBeUndefined();
    expect(store.pendingReason('telegram:2:10')).toBeUndefined();
  });

  it('holds at most maxPrompts, forgetting the oldest first', () => {
    const store = createConversationStore({ maxPrompts: 2 }, () => 0);
    for (const id of ['p1', 'p2', 'p3']) store.expectReason(id, { askId: id });
    expect(store.pendingReason('p1')).toBeUndefined();
    expect(store.pendingReason('p2')).toEqual({ askId: 'p2' });
    expect(store.pendingReason('p3')).toEqual({ askId: 'p3' });
  });
});
