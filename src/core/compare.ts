const encoder = new TextEncoder();

/**
 * Constant-time string comparison (time depends on the lengths only), so a secret cannot be guessed
 * byte by byte from response times. Web-standard, so it runs on Node and Workers alike.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
