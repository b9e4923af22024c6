import { constantTimeEqual } from '../core/compare.ts';

/**
 * Request verification for the chat platforms, with Web Crypto (runs on Node and Workers alike).
 * Every check is constant-time in the compared secret and bounded in time where the platform signs a
 * timestamp, so a recorded request cannot be replayed later.
 */

const encoder = new TextEncoder();

/** Largest accepted clock difference for signed timestamps (Slack's own recommendation: 5 minutes). */
export const MAX_SKEW_SECONDS = 300;

function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return undefined;
  return new Uint8Array((hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16)));
}

export async function hmacSha256Hex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(data)));
}

function freshTimestamp(timestamp: string | undefined, nowSeconds: number): boolean {
  const ts = Number(timestamp);
  return Number.isFinite(ts) && Math.abs(nowSeconds - ts) <= MAX_SKEW_SECONDS;
}

/** Signed request headers: the signed timestamp (unix seconds) and the signature. */
export interface SignedHeaders {
  timestamp?: string;
  signature?: string;
}

/** Checks `signature === prefix + hex(HMAC-SHA256(secret, message(timestamp)))` with a fresh timestamp. */
async function verifyHmac(
  secret: string,
  headers: SignedHeaders,
  prefix: string,
  message: (timestamp: string) => string,
  nowSeconds: number,
): Promise<boolean> {
  if (!headers.signature || !headers.timestamp || !freshTimestamp(headers.timestamp, nowSeconds))
    return false;
  const expected = `${prefix}${await hmacSha256Hex(secret, message(headers.timestamp))}`;
  return constantTimeEqual(expected, headers.signature);
}

/** Slack: `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))`. */
export function verifySlack(
  secret: string,
  headers: SignedHeaders,
  body: string,
  nowSeconds = Date.now() / 1000,
) {
  return verifyHmac(secret, headers, 'v0=', (ts) => `v0:${ts}:${body}`, nowSeconds);
}

/** Generic webhook: `X-Webhook-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))`. */
export function verifyWebhook(
  secret: string,
  headers: SignedHeaders,
  body: string,
  nowSeconds = Date.now() / 1000,
) {
  return verifyHmac(secret, headers, 'sha256=', (ts) => `${ts}.${body}`, nowSeconds);
}

/** Discord: Ed25519 signature (hex) over timestamp + body with the application's public key (hex). */
export async function verifyDiscord(
  publicKeyHex: string,
  headers: SignedHeaders,
  body: string,
  nowSeconds = Date.now() / 1000,
): Promise<boolean> {
  const signature = fromHex(headers.signature ?? '');
  const publicKey = fromHex(publicKeyHex);
  if (!signature || !publicKey || !freshTimestamp(headers.timestamp, nowSeconds)) return false;
  try {
    const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify(
      'Ed25519',
      key,
      signature,
      encoder.encode(`${headers.timestamp}${body}`),
    );
  } catch {
    return false;
  }
}
