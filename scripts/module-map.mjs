#!/usr/bin/env node
/**
 * Prints the module map with line counts as a Markdown table (for docs/architecture.md §1 and
 * release notes): per folder of src/, the production files and lines, and the spec lines next to
 * them. `node scripts/module-map.mjs [--depth 2]` (depth 2 splits e.g. tokens/keys).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const depthAt = process.argv.indexOf('--depth');
const depth = depthAt > 0 ? Number(process.argv[depthAt + 1]) : 1;

function walk(dir, out = []) {
  for (const name of readdirSync(join(root, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) walk(rel, out);
    else if (rel.endsWith('.ts')) out.push(rel);
  }
  return out;
}

const rows = new Map();
for (const file of walk('src')) {
  const parts = file.split('/').slice(1, -1);
  const key = parts.length ? parts.slice(0, depth).join('/') : '(root)';
  const row = rows.get(key) ?? { files: 0, lines: 0, specLines: 0 };
  const lines = readFileSync(join(root, file), 'utf8').split('\n').length - 1;
  if (file.endsWith('.spec.ts')) row.specLines += lines;
  else {
    row.files++;
    row.lines += lines;
  }
  rows.set(key, row);
}
const total = { files: 0, lines: 0, specLines: 0 };
console.log('| module | files | lines | spec lines |\n|---|---:|---:|---:|');
for (const [key, r] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`| \`${key}\` | ${r.files} | ${r.lines} | ${r.specLines} |`);
  total.files += r.files;
  total.lines += r.lines;
  total.specLines += r.specLines;
}
console.log(`| total | ${total.files} | ${total.lines} | ${total.specLines} |`);
