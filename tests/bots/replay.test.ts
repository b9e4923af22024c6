import { beforeAll, describe, expect, it } from 'vitest';
import { createReplayGuard } from '../../src/bots/replay.ts';
import { ErrorSchema } from '../../src/http/schemas.ts';
import { createDiscordSigner, NOW_SECONDS, setupBots, slackHeaders, webhookHeaders } from '../setup/bots.ts';

/**
 * A correctly signed request sent again inside the 300 s timestamp window is refused with 409 REPLAYED:
 * it is not answered again and not added to the conversation's history.
 */
describe('replayed signed bot requests', () => {
  let discord: Awaited<ReturnType<typeof createDiscordSigner>>;
  beforeAll(async () => {
    discord = await createDiscordSigner();
  });

  async function expectReplayRefused(res: Response) {
    expect(res.status).toBe(409);
    expect(ErrorSchema.parse(await res.json()).error.code).toBe('REPLAYED');
  }

  it('refuses a replayed webhook request and keeps it out of the history', async () => {
    const { app, calls } = setupBots();
    const body = JSON.stringify({ conversationId: 'c', text: 'How are akims elected?' });
    const headers = await webhookHeaders(body);
    expect((await app.request('/bots/webhook', { method: 'POST', headers, body })).status).toBe(200);
    await expectReplayRefused(await app.request('/bots/webhook', { method: 'POST', headers, body }));
    expect(calls).toHaveLength(1);

    const next = JSON.stringify({ conversationId: 'c', text: 'and mayors?' });
    await app.request('/bots/webhook', { method: 'POST', headers: await webhookHeaders(next), body: next });
    expect(calls[1]?.history).toEqual([{ role: 'user', content: 'How are akims elected?' }]);
  });

  it('accepts the same body signed again with a new timestamp (a legitimate retry)', async () => {
    const { app, calls } = setupBots();
    const body = JSON.stringify({ text: 'q' });
    await app.request('/bots/webhook', { method: 'POST', headers: await webhookHeaders(body), body });
    const later = String(Number(NOW_SECONDS) - 1);
    const res = await app.request('/bots/webhook', {
      method: 'POST',
      headers: await webhookHeaders(body, later),
      body,
    });
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('refuses a replayed Slack slash command', async () => {
    const { app, calls } = setupBots();
    const body = 'command=%2Fask&text=q&channel_id=C1&user_id=U1';
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...(await slackHeaders(body)) };
    expect((await app.request('/bots/slack/commands', { method: 'POST', headers, body })).status).toBe(200);
    await expectReplayRefused(await app.request('/bots/slack/commands', { method: 'POST', headers, body }));
    expect(calls).toHaveLength(1);
  });

  it('refuses a replayed Slack Events API request', async () => {
    const { app } = setupBots();
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc' });
    const headers = { 'content-type': 'application/json', ...(await slackHeaders(body)) };
    expect((await app.request('/bots/slack/events', { method: 'POST', headers, body })).status).toBe(200);
    await expectReplayRefused(await app.request('/bots/slack/events', { method: 'POST', headers, body }));
  });

  it('refuses a replayed Discord interaction', async () => {
    const { app, calls } = setupBots({ DISCORD_PUBLIC_KEY: discord.publicKey });
    const body = JSON.stringify({
      type: 2,
      channel_id: 'c',
      data: { options: [{ name: 'question', value: 'q' }] },
    });
    const headers = await discord.headers(body);
    expect((await app.request('/bots/discord', { method: 'POST', headers, body })).status).toBe(200);
    await expectReplayRefused(await app.request('/bots/discord', { method: 'POST', headers, body }));
    expect(calls).toHaveLength(1);
  });

  it('does not let a forged request take a signature out of circulation', async () => {
    const { app, calls } = setupBots();
    const body = JSON.stringify({ text: 'q' });
    const headers = await webhookHeaders(body);
    const forged = JSON.stringify({ text: 'forged' });
    expect((await app.request('/bots/webhook', { method: 'POST', headers, body: forged })).status).toBe(401);
    expect((await app.request('/bots/webhook', { method: 'POST', headers, body })).status).toBe(200);
    expect(calls).toHaveLength(1);
  });
});

describe('createReplayGuard', () => {
  it('remembers a signature until its timestamp leaves the window', () => {
    let now = 1_000_000; // milliseconds, like Date.now; signed timestamps are in seconds
    const guard = createReplayGuard({ windowSeconds: 300, maxEntries: 10, now: () => now });
    expect(guard.firstUse('a', 1000)).toBe(true);
    expect(guard.firstUse('a', 1000)).toBe(false);
    now = 1_299_000;
    expect(guard.firstUse('a', 1000)).toBe(false);
    now = 1_301_000;
    // Past the window the timestamp check refuses the request; the guard may forget it.
    expect(guard.size()).toBe(0);
  });

  it('holds at most maxEntries signatures', () => {
    const guard = createReplayGuard({ windowSeconds: 300, maxEntries: 3, now: () => 0 });
    for (const s of ['a', 'b', 'c', 'd', 'e']) expect(guard.firstUse(s, 0)).toBe(true);
    expect(guard.size()).toBe(3);
    expect(guard.firstUse('e', 0)).toBe(false);
  });
});
