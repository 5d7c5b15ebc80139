#!/usr/bin/env node
/**
 * Rewrites code comments that cite the old design documents (STYLE.md, SECURITY.md, MCP.md,
 * ARCHITECTURE.md, which were never in this repository) into citations of the pages under docs/,
 * using scripts/doc-citation-map.json (the old → new section table). Only comments change: a
 * citation outside a comment is reported and left alone. Idempotent: run it again after merging
 * branches that added old-style citations.
 *
 *   node scripts/rewrite-doc-citations.mjs          rewrite in place, list what changed
 *   node scripts/rewrite-doc-citations.mjs --check  change nothing; exit 1 if anything would change
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const map = JSON.parse(readFileSync(join(root, 'scripts/doc-citation-map.json'), 'utf8'));
const check = process.argv.includes('--check');
const SELF = new Set(['scripts/rewrite-doc-citations.mjs', 'scripts/check-structure.mjs']);
const ROOTS = ['src', 'test', 'scripts', 'conformance-baseline.yml', 'README.md', 'Dockerfile'];
const EXTENSIONS = /\.(ts|mts|cts|js|mjs|cjs|yml|yaml|md)$|^Dockerfile$/;

const NUMS = String.raw`\d+(?:\s*[-–]\s*\d+)?(?:\s*,\s*\d+(?:\s*[-–]\s*\d+)?)*`;
const SECTION = String.raw`§\s?\d+(?:\.\d+)?`;
/** Whitespace, possibly across a line break inside a block comment (`\n * `) or a `//` comment. */
const GAP = String.raw`(?:\s*\n\s*(?:\*|\/\/|#)?\s*|\s+)`;
// One citation: the document, then what it points at, then further ", §N" of the same document.
const CITATION = new RegExp(
  String.raw`\b(STYLE|SECURITY|MCP|ARCHITECTURE)\.md` +
    String.raw`(?:(,? brute force)|(${GAP})(checklist|items?)${GAP}(${NUMS})|(${GAP})(${SECTION}))?` +
    String.raw`((?:,\s*${SECTION})*)`,
  'g',
);

function mapSection(doc, raw) {
  const n = raw.replace(/§\s?/, '');
  const table = map.sections[doc] ?? {};
  const mapped = table[n] ?? table[n.split('.')[0]] ?? n;
  return mapped.startsWith('§') || /^\d/.test(mapped) ? `§${mapped.replace(/^§/, '')}` : mapped;
}

function listWord(nums) {
  return /[,–-]/.test(nums) ? 'items' : 'item';
}

/** A line break inside the old citation is kept (so lines stay short); other gaps become a space. */
const keep = (gap) => (gap.includes('\n') ? gap : ' ');

function rewriteCitation(match, doc, bruteForce, kindGap, kind, nums, sectionGap, section, more) {
  const file = map.files[doc];
  let out = file;
  if (bruteForce) out += ` ${map.named[doc]['brute force']}`;
  else if (kind) out += `${keep(kindGap)}${map.lists[doc]} ${listWord(nums)} ${nums}`;
  else if (section) out += `${keep(sectionGap)}${mapSection(doc, section)}`;
  if (more)
    out += more.replace(new RegExp(SECTION, 'g'), (s) => mapSection(doc, s));
  return out;
}

/** True when the match at `index` of `text` sits in a comment (line, block or YAML/shell). */
function inComment(text, index, file) {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const before = text.slice(lineStart, index);
  if (/\.(ya?ml)$|Dockerfile$/.test(file)) return before.includes('#');
  if (file.endsWith('.md')) return true;
  if (before.includes('//')) return true;
  const trimmed = before.trimStart();
  if (trimmed.startsWith('*') || trimmed.startsWith('/*')) return true;
  const open = text.lastIndexOf('/*', index);
  return open !== -1 && text.indexOf('*/', open) > index;
}

function* files(path) {
  let stat;
  try {
    stat = statSync(join(root, path));
  } catch {
    return;
  }
  if (stat.isDirectory()) {
    for (const name of readdirSync(join(root, path))) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      yield* files(join(path, name));
    }
  } else if (EXTENSIONS.test(path.split('/').pop())) yield path;
}

let changed = 0;
let skipped = 0;
for (const start of ROOTS) {
  for (const file of files(start)) {
    const rel = relative(root, join(root, file));
    if (SELF.has(rel)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    let count = 0;
    const next = text.replace(CITATION, (...args) => {
      const index = args[args.length - 2];
      if (!inComment(text, index, rel)) {
        skipped++;
        console.warn(`${rel}: citation outside a comment left alone: ${args[0]}`);
        return args[0];
      }
      count++;
      return rewriteCitation(...args.slice(0, 9));
    });
    if (next !== text) {
      changed += count;
      console.log(`${rel}: ${count} citation(s)`);
      if (!check) writeFileSync(join(root, file), next);
    }
  }
}
console.log(`${check ? 'would rewrite' : 'rewrote'} ${changed} citation(s)${skipped ? `, ${skipped} left alone` : ''}`);
if (check && changed) process.exit(1);
