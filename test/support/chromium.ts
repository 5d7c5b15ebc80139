import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_HELP =
  'Chromium is not installed, so the two headless browser specs (test/e2e/*.browser.e2e-spec.ts) cannot run. ' +
  'Get it with `sudo apt-get install -y chromium` (Debian/Ubuntu; `node scripts/ensure-chromium.mjs` does this ' +
  'when run as root), or point CHROMIUM_PATH at any Chromium or Chrome binary. .ci/run installs it and sets ' +
  'REQUIRE_CHROMIUM=1, so there a missing browser fails the run.';

/** CHROMIUM_PATH, else the system Chromium (Debian package `chromium`); null when there is none. */
export function findChromium(): string | null {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : null;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execSync(`command -v ${name}`, { encoding: 'utf8', shell: '/bin/sh', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (path) return path;
    } catch {
      // not this name
    }
  }
  return null;
}

/** The Chromium binary; a missing browser fails loudly with how to get it. */
export function chromiumPath(): string {
  const path = findChromium();
  if (!path) throw new Error(CHROMIUM_HELP);
  return path;
}

/**
 * `describe` for the browser specs: they run whenever Chromium is present (and, with
 * REQUIRE_CHROMIUM=1 as in CI, fail when it is not); on a machine without it they are reported
 * as skipped and the run prints CHROMIUM_HELP (test/e2e/global-setup.ts).
 */
export function describeWithChromium(name: string, body: () => void): void {
  (findChromium() !== null || process.env.REQUIRE_CHROMIUM === '1' ? describe : describe.skip)(name, body);
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
