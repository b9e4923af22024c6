import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { createClientKey, rateKey } from '../../src/http/client-address.ts';

describe('createClientKey', () => {
  it('ignores X-Forwarded-For unless a proxy is trusted', () => {
    expect(createClientKey(false)('198.51.100.7', '1.1.1.1')).toBe('198.51.100.7');
  });

  it('takes the address the trusted proxy saw, not the entries the client wrote before it', () => {
    const key = createClientKey(1);
    expect(key('127.0.0.1', '6.6.6.6, 1.1.1.1')).toBe('1.1.1.1');
    expect(key('127.0.0.1', 'not-an-ip, 1.1.1.1')).toBe('1.1.1.1');
    expect(key('127.0.0.1', '1.1.1.1')).toBe('1.1.1.1');
    expect(key('127.0.0.1', undefined)).toBe('127.0.0.1');
  });

  it('counts hops from the right', () => {
    expect(createClientKey(2)('10.0.0.1', '6.6.6.6, 2.2.2.2, 10.0.0.9')).toBe('2.2.2.2');
    // Fewer entries than hops: the leftmost address is the best there is.
    expect(createClientKey(3)('10.0.0.1', '2.2.2.2')).toBe('2.2.2.2');
  });

  it('believes only listed proxies', () => {
    const key = createClientKey(['10.0.0.0/8']);
    expect(key('10.0.0.5', '6.6.6.6, 9.9.9.9, 10.0.0.7')).toBe('9.9.9.9');
    expect(key('8.8.8.8', '9.9.9.9')).toBe('8.8.8.8');
  });
});

describe('rateKey', () => {
  it('puts the addresses of one IPv6 /64 in one bucket and keeps IPv4 addresses apart', () => {
    expect(rateKey('2001:db8:1:2::1')).toBe(rateKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(rateKey('2001:db8:1:2::1')).not.toBe(rateKey('2001:db8:1:3::1'));
    expect(rateKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(rateKey('192.0.2.1')).not.toBe(rateKey('192.0.2.2'));
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    ['false', false],
    ['true', 1],
    ['2', 2],
    ['loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
  ])('parses %s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('refuses what is not an address, a range or a proxy name', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'my-proxy' })).toThrow(/CONFIG_INVALID.*TRUST_PROXY.*my-proxy/);
  });
});
