/**
 * The MCP conformance suite is a CI tool, not a dependency of the server: it is pinned with its own
 * lockfile in scripts/conformance-suite/ and installed there (`npm ci`) the first time
 * `npm run conformance` (or scripts/conformance-auth.mjs) needs it, instead of by every `npm install`.
 *
 * `conformanceCli()` resolves the path of the suite's CLI entry point, installing it first when it is
 * missing or not the pinned version.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SUITE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'conformance-suite');
const PACKAGE = '@modelcontextprotocol/conformance';

function pinnedVersion() {
  return JSON.parse(readFileSync(join(SUITE_DIR, 'package.json'), 'utf8')).dependencies[PACKAGE];
}

function installedVersion() {
  const file = join(SUITE_DIR, 'node_modules', PACKAGE, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

export function conformanceCli() {
  const pinned = pinnedVersion();
  if (installedVersion() !== pinned) {
    process.stdout.write(`[conformance] installing ${PACKAGE}@${pinned} into scripts/conformance-suite/\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: SUITE_DIR,
      stdio: 'inherit',
    });
    if (result.status !== 0 || installedVersion() !== pinned)
      throw new Error(`could not install ${PACKAGE}@${pinned} (npm ci in scripts/conformance-suite/)`);
  }
  return join(SUITE_DIR, 'node_modules', PACKAGE, 'dist/index.js');
}
