// Where a CPU profile's time went: share of samples by package (self and inclusive) and the
// heaviest functions, idle and profiler overhead left out of the shares.
const IGNORED = new Set(['(idle)', '(program)']);

function packageOf(url, fn) {
  if (!url) return fn.startsWith('(') ? fn : `(native) ${fn}`;
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.includes('/dist/')) return `app:${url.split('/dist/')[1].split('/')[0].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  return url.split('/').slice(-1)[0];
}

export function summarizeProfile(profile, top = 12) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map();
  profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let busy = 0;
  const self = new Map();
  const inclusive = new Map();
  const functions = new Map();
  for (const [id, t] of time) {
    const { callFrame: cf } = byId.get(id);
    if (IGNORED.has(cf.functionName) || cf.url.includes('profile-hook') || cf.functionName === 'dispatch') continue;
    busy += t;
    const pkg = packageOf(cf.url, cf.functionName);
    self.set(pkg, (self.get(pkg) ?? 0) + t);
    const fn = `${cf.functionName || '(anonymous)'} (${pkg})`;
    functions.set(fn, (functions.get(fn) ?? 0) + t);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur).callFrame;
      if (!c.url) continue;
      const p = packageOf(c.url, c.functionName);
      if (!seen.has(p)) {
        seen.add(p);
        inclusive.set(p, (inclusive.get(p) ?? 0) + t);
      }
    }
  }
  const list = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${((100 * v) / busy).toFixed(1)}% ${k}`).join(', ');
  return [`  self:      ${list(self)}`, `  inclusive: ${list(inclusive)}`, `  functions: ${list(functions)}`].join('\n');
}
