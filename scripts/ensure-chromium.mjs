#!/usr/bin/env node
/**
 * Two e2e specs run in headless Chromium (login/consent and connected apps): `npm test` runs them
 * when Chromium is present and otherwise skips them with instructions (test/support/chromium.ts).
 * Chromium is not an npm package here: it is Debian's `chromium`. This step (run by .ci/run, or by
 * hand) finds it, or installs it with apt-get when running as root on Debian/Ubuntu, or stops with
 * instructions.
 */
import { execSync } from 'node:child_process';

const has = (cmd) => {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
};

if (has('chromium') || has('chromium-browser')) process.exit(0);
if (process.getuid?.() === 0 && has('apt-get')) {
  process.stdout.write('Chromium not found: installing the Debian package for the browser tests…\n');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium', {
    stdio: 'inherit',
    shell: '/bin/sh',
  });
  process.exit(0);
}
process.stderr.write(
  'The browser tests need Chromium. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) and run npm test again.\n',
);
process.exit(1);
