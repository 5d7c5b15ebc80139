/**
 * Node 20 shim for @modelcontextprotocol/conformance (docs/mcp.md §4.1). Its bundle imports `globSync` from
 * node:fs (Node ≥ 22; used only by `tier-check`), so on Node 20 every command dies at link time. This
 * loader hook drops that import from the bundle and supplies a tiny `**\/name` walker instead.
 *
 *   NODE_OPTIONS="--import ./scripts/node20-globsync.mjs" npx conformance …
 */
import fs from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';

register(
  'data:text/javascript,' +
    encodeURIComponent(`export async function load(u,c,next){const r=await next(u,c);
 if(!u.includes('@modelcontextprotocol/conformance/dist/'))return r;let s=String(r.source??'');
 const m=s.match(/globSync as ([A-Za-z_$][\\w$]*),?/);if(!m)return r;
 s=s.replace(m[0],'')+'\\nfunction '+m[1]+'(p,{cwd}){return globalThis.__mcpGlob(p,cwd)}\\n';
 return {...r,source:s,shortCircuit:true}}`),
);

globalThis.__mcpGlob = (pattern, cwd) => {
  const name = pattern.replace(/^\*\*\//, '');
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(cwd, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name === name) out.push(rel);
    }
  };
  walk('');
  return out;
};
