#!/usr/bin/env node
/**
 * `npm run build`: compiles src/**\/*.ts (specs excluded) to dist/ with @swc/core, one file at a time,
 * with source maps. No type checking here (that is `npm run typecheck`), exactly as the Nest CLI's
 * swc builder did, without the CLI's few hundred megabytes of dependencies.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { transformFile } = require('@swc/core');
const { ROOT, swcOptions } = require('./swc-options.cjs');

const SRC = join(ROOT, 'src');
// `node scripts/build.mjs [outDir]`: dist/ by default; test/support/spawned-server.ts builds into a
// directory of its own.
const OUT = resolve(ROOT, process.argv[2] ?? 'dist');

function sources(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts'))
      files.push(path);
  }
  return files;
}

async function compile(file) {
  const target = join(OUT, relative(SRC, file)).replace(/\.ts$/, '.js');
  const options = {
    ...swcOptions(file, true),
    // The map points at the source relative to the output (src/ sits next to dist/), without a copy of it.
    sourceFileName: relative(dirname(target), file),
    inlineSourcesContent: false,
  };
  const { code, map } = await transformFile(file, options);
  mkdirSync(dirname(target), { recursive: true });
  const mapName = `${target.split('/').pop()}.map`;
  writeFileSync(target, `${code}\n//# sourceMappingURL=${mapName}\n`);
  if (map) writeFileSync(`${target}.map`, map);
}

const started = Date.now();
rmSync(OUT, { recursive: true, force: true });
const files = sources(SRC);
// A few files at a time: swc compiles on its own threads, the 2-core machines need no more.
const queue = [...files];
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (queue.length > 0) await compile(queue.shift());
  }),
);
process.stdout.write(`compiled ${files.length} files to ${relative(ROOT, OUT)}/ in ${Date.now() - started} ms\n`);
