import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

/**
 * Browser suites drive Debian's Chromium through playwright-core. A developer without it sees the suites
 * reported as skipped with the command that installs it; in CI (`CI` or `REQUIRE_BROWSER` set, as
 * `.ci/run` does) a missing browser fails the run instead.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const INSTALL_COMMAND = 'sudo apt-get update && sudo apt-get install -y chromium';

const truthy = (value: string | undefined) => !!value && !['0', 'false', 'no'].includes(value.toLowerCase());

export const browserAvailable = existsSync(CHROMIUM_PATH);
export const browserRequired = truthy(process.env.REQUIRE_BROWSER) || truthy(process.env.CI);

export const MISSING_BROWSER = `Chromium not found at ${CHROMIUM_PATH}; install it with \`${INSTALL_COMMAND}\` (or set CHROMIUM_PATH)`;

/** `describe` for a suite that needs Chromium: skipped with the install command, or failed in CI. */
export function describeInBrowser(name: string, suite: () => void): void {
  if (browserAvailable) {
    describe(name, suite);
  } else if (browserRequired) {
    describe(name, () => {
      it('finds Chromium', () => {
        throw new Error(`${MISSING_BROWSER}. CI must run the browser tests.`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${MISSING_BROWSER})`, suite);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking'],
  });
}
