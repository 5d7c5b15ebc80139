#!/usr/bin/env node
/**
 * `npm run lint:structure` (also the first step of `npm test`): structure rules a compiler does not
 * check (docs/style.md §1, §2, §3, §8 rule 9; docs/architecture.md §11). Reads files only; runs in
 * well under a second. Exit 1 with one line per violation.
 *
 *   1. Protocol errors are built by the factories: no `new OAuthError(` outside src/oauth/errors/.
 *   2. No test code in src/: no conformance fixture, no e2e spec, nothing named fixture.
 *   3. Every docs/ page a comment cites exists, and so does the section (§N / §N.M) it names.
 *   4. No reference to documents outside the repository: no `../shared`, no bare STYLE.md /
 *      SECURITY.md / MCP.md / ARCHITECTURE.md (run scripts/rewrite-doc-citations.mjs).
 *   5. No two files in src/ share a name (index.ts excepted).
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SELF = ['scripts/check-structure.mjs', 'scripts/rewrite-doc-citations.mjs', 'scripts/doc-citation-map.json'];
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|json|ya?ml|md)$/;

function walk(dir, out = []) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return out;
  for (const name of readdirSync(abs)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

const read = (rel) => readFileSync(join(root, rel), 'utf8');
const lineOf = (text, index) => text.slice(0, index).split('\n').length;
const problems = [];
const report = (file, line, message) => problems.push(`${file}:${line}: ${message}`);

const srcFiles = walk('src');
const textFiles = [
  ...srcFiles,
  ...walk('test'),
  ...walk('scripts'),
  ...walk('docs'),
  ...['README.md', 'conformance-baseline.yml', 'Dockerfile', 'package.json'].filter((f) =>
    existsSync(join(root, f)),
  ),
].filter((f) => (TEXT.test(f) || f === 'Dockerfile') && !SELF.includes(f));

// 1. Error construction stays in the errors folder.
for (const file of srcFiles.filter((f) => /\.ts$/.test(f) && !f.startsWith('src/oauth/errors/'))) {
  const text = read(file);
  for (const m of text.matchAll(/\bnew\s+OAuthError\s*\(/g))
    report(file, lineOf(text, m.index), 'new OAuthError( outside src/oauth/errors/: use a factory');
}

// 2. No test support in the production tree.
for (const file of srcFiles) {
  if (/conformance|fixture/i.test(file) || /\.e2e-spec\.ts$/.test(file))
    report(file, 1, 'test support under src/ (ships in dist/): move it under test/');
}

// 3. Cited docs and sections exist.
const sections = new Map(); // docs/<page>.md -> Set of "N" and "N.M"
function sectionsOf(page) {
  if (!sections.has(page)) {
    const found = new Set();
    if (existsSync(join(root, page)))
      for (const m of read(page).matchAll(/^#{1,6}\s+§(\d+(?:\.\d+)?)\b/gm)) found.add(m[1]);
    sections.set(page, found);
  }
  return sections.get(page);
}
const CITE = /\bdocs\/([\w./-]+?\.md)((?:\s*(?:\n\s*(?:\*|\/\/|#)?\s*)?(?:,\s*)?§\s?\d+(?:\.\d+)?)*)/g;
for (const file of textFiles) {
  const text = read(file);
  for (const m of text.matchAll(CITE)) {
    const page = `docs/${m[1]}`;
    const line = lineOf(text, m.index);
    if (!existsSync(join(root, page))) {
      report(file, line, `cites ${page}, which does not exist`);
      continue;
    }
    for (const s of m[2].matchAll(/§\s?(\d+(?:\.\d+)?)/g))
      if (!sectionsOf(page).has(s[1])) report(file, line, `cites ${page} §${s[1]}, which has no such section`);
  }
}

// 4. Nothing outside the repository.
const OUTSIDE = /\.\.\/shared\b|\/work\/shared\b|(?<![\w/.-])(?:STYLE|SECURITY|MCP|ARCHITECTURE)\.md\b/g;
for (const file of textFiles) {
  const text = read(file);
  for (const m of text.matchAll(OUTSIDE))
    report(file, lineOf(text, m.index), `refers to ${m[0]}, which is outside the repository`);
}

// 5. Unambiguous file names.
const byName = new Map();
for (const file of srcFiles.filter((f) => f.endsWith('.ts') && basename(f) !== 'index.ts')) {
  const name = basename(file);
  byName.set(name, [...(byName.get(name) ?? []), file]);
}
for (const [name, files] of byName)
  if (files.length > 1) report(files[0], 1, `${name} also at ${files.slice(1).join(', ')}: give them distinct names`);

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`lint:structure: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`lint:structure: ok (${srcFiles.length} files in src/, ${textFiles.length} scanned)`);
