import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../core/config.ts';
import { memoize } from '../core/memo.ts';

/**
 * Who a request comes from, for per-client limits. Without a trusted proxy it is the socket's peer.
 * Behind trusted proxies it is the address the nearest untrusted hop was seen from: X-Forwarded-For is
 * read from the right, past the trusted proxies only, because every address to their left was written
 * by the client and can be anything (`proxy-addr`, the same rule Express applies).
 */
export type ClientKeyOf = (socketAddress: string | undefined, forwardedFor: string | undefined) => string;

export function createClientKey(trust: TrustProxy): ClientKeyOf {
  const trusted: (address: string, hop: number) => boolean =
    trust === false
      ? () => false
      : typeof trust === 'number'
        ? (_a, hop) => hop < trust
        : proxyaddr.compile(trust);
  return (socketAddress, forwardedFor) => {
    const socket = socketAddress ?? 'local';
    if (trust === false || !forwardedFor) return rateKey(socket);
    const request = { headers: { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: socket } };
    return rateKey(proxyaddr(request as unknown as Parameters<typeof proxyaddr>[0], trusted));
  };
}

const KNOWN_KEYS_MAX = 10_000;

/**
 * One key per client network: an IPv4 address, or the /64 of an IPv6 address (one subscriber's
 * allocation, so rotating through it does not escape the limit). Anything else is kept, shortened.
 * Memoised: parsing costs more than the rest of a health probe, and a server sees the same few peers again
 * and again.
 */
export const rateKey: (address: string) => string = memoize(KNOWN_KEYS_MAX, parseRateKey);

function parseRateKey(address: string): string {
  if (!ipaddr.isValid(address)) return address.slice(0, 64);
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/64`).toString()}/64`;
}

/**
 * Whether a connection's peer is a trusted proxy, whose connections carry many clients. With a hop count
 * the proxies' addresses are unknown, so every peer is taken for one.
 */
export function createProxyCheck(trust: TrustProxy): (address: string) => boolean {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return () => true;
  const trusted = proxyaddr.compile(trust);
  return (address) => trusted(address, 0);
}
