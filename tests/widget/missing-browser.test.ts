import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { INSTALL_COMMAND } from '../setup/browser.ts';

/**
 * `npm test` on a machine without Chromium: the browser suite is reported skipped with the command that
 * installs it, and the run passes; in CI (`REQUIRE_BROWSER=1`, or `CI=true`) the same run fails.
 */
describe('browser suite without Chromium', () => {
  const run = (env: Record<string, string>) => {
    const result = spawnSync(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'tests/widget/browser.test.ts', '--reporter=verbose'],
      {
        encoding: 'utf8',
        env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', CI: '', REQUIRE_BROWSER: '', ...env },
        timeout: 120_000,
      },
    );
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it('skips the suite and prints the install command on a developer machine', () => {
    const { status, output } = run({});
    expect(status).toBe(0);
    expect(output).toContain(
      `browser tests SKIPPED: Chromium not found at /nonexistent/chromium; install it with \`${INSTALL_COMMAND}\``,
    );
    expect(output).toMatch(/\d+ skipped/);
    expect(output).not.toMatch(/\d+ passed/);
  });

  it('fails the run in CI', () => {
    for (const env of [{ REQUIRE_BROWSER: '1' }, { CI: 'true' }] as Array<Record<string, string>>) {
      const { status, output } = run(env);
      expect(status).toBe(1);
      expect(output).toContain('CI must run the browser tests');
      expect(output).toContain(INSTALL_COMMAND);
    }
  });
});
