#!/usr/bin/env node
/**
 * Codemod for names that could be confused (issue 14 item 7, docs/style.md §2). Re-runnable and
 * idempotent: a rename whose old name no longer exists does nothing. Uses the TypeScript parser
 * (no ts-morph): identifiers are renamed in code only, never inside strings; class names that
 * are compound words (GrantRegistry, ClientAdminService…) are also renamed in comments and in
 * docs/*.md and README.md; a file is moved with `git mv` and every import of it is rewritten.
 *
 *   node scripts/rename-ambiguous-names.mjs               group "admin" (applied on branch docs)
 *   node scripts/rename-ambiguous-names.mjs --all         every group (run after merging)
 *   node scripts/rename-ambiguous-names.mjs --group grants
 *   add --dry-run to print the plan without changing anything
 *
 * Groups:
 *   admin     clients/users modules' services vs the admin API's AdminClientsService/AdminUsersService
 *   grants    "grant" = grant type (tokens/grants) vs token family (a row of `grants`)
 *   redirect  the two files called redirect-uri-policy.ts, if both still exist
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * identifiers: old → new. `codeOnly` identifiers are ordinary words in prose (Grant), so comments
 * and docs keep them. files: [how to find the file, new base name]; `declares` finds the file that
 * declares the class wherever it has moved, `path` is a fixed path.
 */
const GROUPS = {
  admin: {
    identifiers: {
      ClientAdminService: 'ClientManagementService',
      UserAdminService: 'UserManagementService',
    },
    files: [
      [{ declares: 'ClientManagementService', was: 'client-admin.service.ts' }, 'client-management.service.ts'],
      [{ declares: 'UserManagementService', was: 'user-admin.service.ts' }, 'user-management.service.ts'],
    ],
  },
  grants: {
    identifiers: {
      GrantHandler: 'GrantTypeHandler',
      GrantRegistry: 'GrantTypeRegistry',
      GrantsService: 'TokenFamiliesService',
      GrantsRepository: 'TokenFamiliesRepository',
    },
    codeOnly: { Grant: 'TokenFamily' },
    files: [
      [{ declares: 'GrantTypeHandler', was: 'grant-handler.ts' }, 'grant-type-handler.ts'],
      [{ declares: 'GrantTypeRegistry', was: 'grant-registry.ts' }, 'grant-type-registry.ts'],
      [{ declares: 'TokenFamily', was: 'grant.entity.ts' }, 'token-family.entity.ts'],
      [{ declares: 'TokenFamiliesService', was: 'grants.service.ts' }, 'token-families.service.ts'],
      [{ declares: 'TokenFamiliesRepository', was: 'grants.repository.ts' }, 'token-families.repository.ts'],
    ],
  },
  redirect: {
    identifiers: {},
    files: [
      [
        {
          path: 'src/clients/registration/redirect-uri-policy.ts',
          onlyIf: 'src/oauth/redirect-uri-policy.ts',
        },
        'registration-redirect-uri-policy.ts',
      ],
    ],
  },
};

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const groupIndex = args.indexOf('--group');
const selected = args.includes('--all')
  ? Object.keys(GROUPS)
  : groupIndex >= 0
    ? [args[groupIndex + 1]]
    : ['admin'];
for (const g of selected) if (!GROUPS[g]) throw new Error(`unknown group ${g}`);

function walk(dir, out = []) {
  if (!existsSync(join(root, dir))) return out;
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

const codeFiles = () =>
  [...walk('src'), ...walk('test'), 'ormconfig.ts'].filter(
    (f) => /\.ts$/.test(f) && existsSync(join(root, f)),
  );
const proseFiles = () =>
  [...walk('docs'), 'README.md'].filter((f) => f.endsWith('.md') && existsSync(join(root, f)));
const read = (f) => readFileSync(join(root, f), 'utf8');
const log = (...m) => console.log(...m);
let changes = 0;

function write(file, text) {
  changes++;
  if (!dryRun) writeFileSync(join(root, file), text);
}

/** Replaces, in code, every identifier in `names`; in comments too when `inComments`. */
function renameIdentifiers(names, codeOnly) {
  const all = { ...names, ...codeOnly };
  if (!Object.keys(all).length) return;
  const word = Object.keys(names).length
    ? new RegExp(`\\b(${Object.keys(names).join('|')})\\b`, 'g')
    : null;
  for (const file of codeFiles()) {
    const text = read(file);
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const edits = [];
    const visit = (node) => {
      if (ts.isIdentifier(node) && Object.hasOwn(all, node.text))
        edits.push([node.getStart(source), node.end, all[node.text]]);
      ts.forEachChild(node, visit);
    };
    visit(source);
    // Comments: only the compound names (never a bare English word).
    if (word) {
      const seen = new Set();
      const scan = (pos) => {
        for (const ranges of [
          ts.getLeadingCommentRanges(text, pos),
          ts.getTrailingCommentRanges(text, pos),
        ])
          for (const r of ranges ?? []) {
            if (seen.has(r.pos)) continue;
            seen.add(r.pos);
            for (const m of text.slice(r.pos, r.end).matchAll(word))
              edits.push([r.pos + m.index, r.pos + m.index + m[0].length, names[m[0]]]);
          }
      };
      const visitComments = (node) => {
        scan(node.getFullStart());
        scan(node.end);
        ts.forEachChild(node, visitComments);
      };
      visitComments(source);
    }
    if (!edits.length) continue;
    edits.sort((a, b) => b[0] - a[0]);
    let next = text;
    let last = Infinity;
    for (const [start, end, replacement] of edits) {
      if (end > last) continue; // overlapping (never expected)
      next = next.slice(0, start) + replacement + next.slice(end);
      last = start;
    }
    if (next !== text) {
      log(`  ${file}: ${edits.length} name(s)`);
      write(file, next);
    }
  }
  if (word)
    for (const file of proseFiles()) {
      const text = read(file);
      const next = text.replace(word, (m) => names[m]);
      if (next !== text) {
        log(`  ${file}: names in prose`);
        write(file, next);
      }
    }
}

/** The file to move for one rule, or null when there is nothing (left) to do. */
function locate(find) {
  if (find.path) {
    if (!existsSync(join(root, find.path))) return null;
    if (find.onlyIf && !existsSync(join(root, find.onlyIf))) return null;
    return find.path;
  }
  const decl = new RegExp(`export\\s+(?:abstract\\s+)?(?:class|interface|type)\\s+${find.declares}\\b`);
  return (
    codeFiles().find(
      (f) => basename(f) === find.was && !f.endsWith('.spec.ts') && decl.test(read(f)),
    ) ?? null
  );
}

/** The file already at its new name (moved by an earlier run, or by a merge of such a run). */
function locateMoved(find, toBase) {
  if (find.path) {
    const moved = posix.join(dirname(find.path), toBase);
    return existsSync(join(root, moved)) ? moved : null;
  }
  return codeFiles().find((f) => basename(f) === toBase) ?? null;
}

const stripTs = (p) => p.replace(/\.ts$/, '');

/**
 * Moves `from` (and its .spec.ts) to `toBase` in the same folder, then rewrites every import of
 * the old path; with `alreadyMoved`, only the imports (code merged from a branch that still
 * imports the old path).
 */
function moveFile(from, toBase, alreadyMoved = false) {
  const to = posix.join(dirname(from), toBase);
  const moves = [];
  const spec = from.replace(/\.ts$/, '.spec.ts');
  if (!alreadyMoved) {
    moves.push([from, to]);
    if (existsSync(join(root, spec))) moves.push([spec, to.replace(/\.ts$/, '.spec.ts')]);
  } else if (existsSync(join(root, spec))) {
    moves.push([spec, to.replace(/\.ts$/, '.spec.ts')]);
  }
  for (const [a, b] of moves) {
    log(`  move ${a} -> ${b}`);
    changes++;
    if (dryRun) continue;
    try {
      execFileSync('git', ['mv', a, b], { cwd: root, stdio: 'pipe' });
    } catch {
      renameSync(join(root, a), join(root, b));
    }
  }
  const oldModule = stripTs(from);
  const newModule = stripTs(to);
  for (const file of codeFiles()) {
    const text = read(file);
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const edits = [];
    const visit = (node) => {
      const isSpecifier =
        ts.isStringLiteral(node) &&
        node.parent &&
        (ts.isImportDeclaration(node.parent) ||
          ts.isExportDeclaration(node.parent) ||
          ts.isExternalModuleReference(node.parent) ||
          (ts.isCallExpression(node.parent) &&
            /^(require|import|jest\.(mock|requireActual|doMock|unmock))$/.test(
              node.parent.expression.getText(source),
            )) ||
          (ts.isLiteralTypeNode(node.parent) && ts.isImportTypeNode(node.parent.parent)));
      if (isSpecifier) {
        const spec = node.text;
        // Moves keep the folder, so a relative import resolves the same before and after.
        const resolved = spec.startsWith('.')
          ? posix.normalize(posix.join(dirname(file), spec))
          : spec.startsWith('src/')
            ? spec
            : null;
        if (resolved === oldModule) {
          let replacement = newModule;
          if (!spec.startsWith('src/')) {
            replacement = posix.relative(dirname(file), newModule);
            if (!replacement.startsWith('.')) replacement = `./${replacement}`;
          }
          edits.push([node.getStart(source) + 1, node.end - 1, replacement]);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    if (!edits.length) continue;
    edits.sort((a, b) => b[0] - a[0]);
    let next = text;
    for (const [s, e, r] of edits) next = next.slice(0, s) + r + next.slice(e);
    log(`  ${file}: import of ${basename(to)}`);
    write(file, next);
  }
  // Paths in docs and comments of other files.
  for (const file of [...proseFiles(), ...codeFiles()]) {
    const text = read(file);
    const next = text.split(from).join(to);
    if (next !== text) {
      log(`  ${file}: path ${from}`);
      write(file, next);
    }
  }
}

for (const name of selected) {
  const group = GROUPS[name];
  log(`group ${name}${dryRun ? ' (dry run)' : ''}`);
  renameIdentifiers(group.identifiers, group.codeOnly ?? {});
  for (const [find, toBase] of group.files) {
    const from = dryRun && find.declares ? locateDry(find) : locate(find);
    if (from && basename(from) !== toBase) moveFile(from, toBase);
    else if (!from) {
      const moved = locateMoved(find, toBase);
      if (moved) moveFile(posix.join(dirname(moved), find.was ?? basename(find.path)), toBase, true);
    }
  }
}
console.log(`${dryRun ? 'would make' : 'made'} ${changes} change(s)`);

/** In a dry run the identifiers were not renamed yet: find the file by its old class name. */
function locateDry(find) {
  const old = Object.entries({ ...GROUPS.admin.identifiers, ...GROUPS.grants.identifiers, ...GROUPS.grants.codeOnly })
    .find(([, n]) => n === find.declares)?.[0];
  return locate({ ...find, declares: old ?? find.declares }) ?? locate(find);
}
