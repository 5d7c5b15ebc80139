#!/usr/bin/env node
/**
 * `npm run check:rules`: rules of docs/architecture.md that a type checker cannot see.
 * - OAuth errors are built only in src/oauth/errors (one factory per code), never with
 *   `new OAuthError(` elsewhere, so every error reads as the RFC names it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) files.push(path);
  }
};
walk(join(root, 'src'));
const problems = [];
for (const file of files) {
  const rel = relative(root, file);
  if (rel.startsWith(join('src', 'oauth', 'errors'))) continue;
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (/new OAuthError\(/.test(line)) problems.push(`${rel}:${i + 1}: build errors with the factories of src/oauth/errors`);
  });
}
for (const p of problems) console.error(p);
if (problems.length) process.exit(1);
console.log(`check:rules: ${files.length} files, no OAuthError built outside src/oauth/errors`);
