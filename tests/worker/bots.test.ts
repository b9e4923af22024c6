import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../src/bots/verify.ts';
import type { AskResult } from '../../src/retrieve/types.ts';

/** The test environment's secrets (wrangler.toml, env.test). */
const TELEGRAM = 'telegram-secret-123';
const SLACK = 'slack-signing-secret';
const WEBHOOK = 'generic-webhook-secret-0123';
/** PKCS#8 private half of the test-only Discord key whose public half is DISCORD_PUBLIC_KEY there. */
const DISCORD_PRIVATE_KEY = 'MC4CAQAwBQYDK2VwBCIEIJDiKB5U/dtRBZdbPKA50iqI8gJnCyADAB8pSif8B6ss';

const now = () => String(Math.floor(Date.now() / 1000));
const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
let n = 0;
const unique = () => `${Date.now()}${++n}`;

function send(path: string, body: string, headers: Record<string, string>) {
  return SELF.fetch(`https://worker.test/bots/${path}`, {
    method: 'POST',
    headers: { 'cf-connecting-ip': '192.0.2.50', ...headers },
    body,
  });
}

describe('bots on the Worker, with their signature checks', () => {
  it('Telegram: refuses a wrong secret, answers once per update id', async () => {
    const body = JSON.stringify({
      update_id: Number(unique()),
      message: { message_id: 1, chat: { id: 7, type: 'private' }, text: 'How are akims elected?' },
    });
    const json = { 'content-type': 'application/json' };
    expect(
      (await send('telegram', body, { ...json, 'x-telegram-bot-api-secret-token': 'wrong' })).status,
    ).toBe(401);
    const first = await send('telegram', body, { ...json, 'x-telegram-bot-api-secret-token': TELEGRAM });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ method: 'sendMessage', chat_id: 7, parse_mode: 'HTML' });
    const again = await send('telegram', body, { ...json, 'x-telegram-bot-api-secret-token': TELEGRAM });
    expect(await again.json()).toEqual({});
  });

  it('Slack: answers a signed slash command, refuses a bad signature and a replay', async () => {
    const body = new URLSearchParams({
      command: '/ask',
      text: 'What is political modernization?',
      channel_id: `C${unique()}`,
      user_id: 'U1',
    }).toString();
    const ts = now();
    const signed = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': `v0=${await hmacSha256Hex(SLACK, `v0:${ts}:${body}`)}`,
    };
    expect((await send('slack/commands', body, { ...signed, 'x-slack-signature': 'v0=00' })).status).toBe(
      401,
    );
    const res = await send('slack/commands', body, signed);
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('modernization');
    expect((await send('slack/commands', body, signed)).status).toBe(409);
  });

  it('Discord: answers a signed PING, refuses a bad signature and a replay', async () => {
    const key = await crypto.subtle.importKey(
      'pkcs8',
      Uint8Array.from(atob(DISCORD_PRIVATE_KEY), (c) => c.charCodeAt(0)),
      { name: 'Ed25519' },
      false,
      ['sign'],
    );
    const body = JSON.stringify({ type: 1, id: unique() });
    const ts = now();
    const signature = hex(await crypto.subtle.sign('Ed25519', key, new TextEncoder().encode(ts + body)));
    const headers = {
      'content-type': 'application/json',
      'x-signature-timestamp': ts,
      'x-signature-ed25519': signature,
    };
    const forged = `${signature.slice(0, -2)}${signature.endsWith('00') ? '11' : '00'}`;
    expect((await send('discord', body, { ...headers, 'x-signature-ed25519': forged })).status).toBe(401);
    const res = await send('discord', body, headers);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 1 });
    expect((await send('discord', body, headers)).status).toBe(409);
  });

  it('generic webhook: keeps the conversation between requests (Durable Object) and refuses a replay', async () => {
    const conversationId = `c${unique()}`;
    const ask = async (text: string) => {
      const body = JSON.stringify({ conversationId, text });
      const ts = now();
      const headers = {
        'content-type': 'application/json',
        'x-webhook-timestamp': ts,
        'x-webhook-signature': `sha256=${await hmacSha256Hex(WEBHOOK, `${ts}.${body}`)}`,
      };
      const res = await send('webhook', body, headers);
      return { res, body, headers };
    };
    const first = await ask('What does Huntington say about modernization?');
    expect(first.res.status).toBe(200);
    expect(((await first.res.json()) as { answer: AskResult }).answer.query.usedHistory).toBe(false);
    const follow = await ask('And what did he say about political parties?');
    expect(((await follow.res.json()) as { answer: AskResult }).answer.query.usedHistory).toBe(true);
    expect((await send('webhook', follow.body, follow.headers)).status).toBe(409);
  });
});
