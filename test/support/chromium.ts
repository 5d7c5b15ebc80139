import { execSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/** The system Chromium (Debian package `chromium`); a missing browser fails loudly, never skips. */
export function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execSync(`command -v ${name}`, { encoding: 'utf8', shell: '/bin/sh' }).trim();
      if (path) return path;
    } catch {
      // not this name
    }
  }
  throw new Error(
    'Chromium is not installed, so the headless browser test cannot run. Install it with ' +
      '`apt-get install -y chromium` (.ci/run does this).',
  );
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
