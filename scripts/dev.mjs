#!/usr/bin/env node
/**
 * `npm run start:dev`: builds, then runs the server; `node --watch-path=src` (package.json) restarts
 * this script, so a rebuild and a fresh server, whenever a file under src/ changes.
 */
import { createRequire } from 'node:module';

await import('./build.mjs');
createRequire(import.meta.url)('../dist/main.js');
