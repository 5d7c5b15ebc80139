import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

/**
 * The application compiled as `nest build` does (swc, .swcrc), into a directory of its own at the
 * repository's top level (so `node_modules` and the PGlite template resolve as from dist/), for
 * specs that need a real process: signals, exit codes, one process per data directory.
 */
export async function buildApp(): Promise<{ dir: string; remove(): void }> {
  const dir = join(root, `.e2e-build-${process.pid}-${randomBytes(3).toString('hex')}`);
  await run(
    process.execPath,
    [
      join(root, 'node_modules', '@swc', 'cli', 'bin', 'swc.js'),
      'src',
      '-d',
      dir,
      '--strip-leading-paths',
      '--config-file',
      '.swcrc',
      '--ignore',
      '**/*.spec.ts',
      '-q',
    ],
    { cwd: root, timeout: 120_000 },
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Spawned {
  proc: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Runs a compiled entry point (main.js, cli/…) with exactly `env` (plus PATH). */
export function spawnNode(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Spawned {
  const proc = spawn(process.execPath, [script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { proc, pid: proc.pid!, output: () => out, exited };
}

export interface SpawnedServer extends Spawned {
  port: number;
  url: string;
}

export const SERVER_ENV = {
  NODE_ENV: 'test',
  APP_SECRET: 'test-secret-that-is-long-enough-0123456789',
  BCRYPT_COST: '4',
  SEED_DEMO: 'true',
  LOG_LEVEL: 'log',
  HOST: '127.0.0.1',
};

/** Starts `node <build>/main.js` and resolves once it logged "server ready". */
export async function startServer(
  build: string,
  env: Record<string, string>,
): Promise<SpawnedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawned = spawnNode(join(build, 'main.js'), {
    ...SERVER_ENV,
    PORT: String(port),
    ISSUER: url,
    ...env,
  });
  const deadline = Date.now() + 90_000;
  let exitedEarly: { code: number | null } | null = null;
  void spawned.exited.then((e) => (exitedEarly = e));
  while (!spawned.output().includes('"msg":"server ready"')) {
    if (exitedEarly) throw new Error(`server exited during start-up:\n${spawned.output()}`);
    if (Date.now() > deadline) {
      spawned.proc.kill('SIGKILL');
      throw new Error(`server not ready in 90 s:\n${spawned.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...spawned, port, url };
}
