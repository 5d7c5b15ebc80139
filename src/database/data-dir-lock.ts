import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { DataDirectoryLockedError } from './database-errors';

/** Who holds an embedded data directory (the lock file's content). */
export interface LockHolder {
  pid: number;
  host: string;
  /** Linux: boot id and process start time (clock ticks), to tell a live holder from a reused pid. */
  bootId?: string;
  procStart?: string;
  startedAt: string;
  command: string;
  token: string;
}

/** Lock paths this process holds (a second open in the same process is refused as well). */
const held = new Set<string>();

/**
 * One process at a time per PGlite data directory (README "Operations"): PGlite has no shared
 * memory or postmaster, so two processes on one directory would each keep their own copy and the
 * last to close would overwrite the other's writes. The lock is a file next to the directory,
 * created atomically (link(2)); a holder that died (kill -9, crash, reboot) is recognised from its
 * pid and start time and its lock taken over.
 */
export class DataDirLock {
  private readonly path: string;
  private token: string | null = null;
  private readonly onExit = () => this.release();

  constructor(dataDir: string) {
    this.path = `${resolve(dataDir)}.lock`;
  }

  get file(): string {
    return this.path;
  }

  /** @throws DataDirectoryLockedError naming the live holder. */
  acquire(): void {
    if (this.token) return;
    if (held.has(this.path)) throw new DataDirectoryLockedError(this.message(selfHolder('')));
    mkdirSync(dirname(this.path), { recursive: true });
    const me = selfHolder(randomBytes(12).toString('hex'));
    const temp = `${this.path}.${process.pid}.${me.token}`;
    writeFileSync(temp, JSON.stringify(me), { mode: 0o644 });
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          linkSync(temp, this.path);
          this.token = me.token;
          held.add(this.path);
          process.once('exit', this.onExit);
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const holder = this.readHolder();
        if (holder && isAlive(holder)) throw new DataDirectoryLockedError(this.message(holder));
        this.removeStale(holder);
      }
      throw new DataDirectoryLockedError(`could not lock ${this.path}: it keeps changing`);
    } finally {
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    }
  }

  /** Removes the lock if it is still ours. Synchronous: also runs on process exit. */
  release(): void {
    if (!this.token) return;
    const token = this.token;
    this.token = null;
    held.delete(this.path);
    process.removeListener('exit', this.onExit);
    try {
      if (this.readHolder()?.token === token) unlinkSync(this.path);
    } catch {
      // gone already: nothing to release
    }
  }

  private readHolder(): LockHolder | null {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as LockHolder;
      return typeof parsed.pid === 'number' ? parsed : null;
    } catch {
      return null;
    }
  }

  /** Moves a dead holder's lock aside, unless another process replaced it meanwhile. */
  private removeStale(expected: LockHolder | null): void {
    const aside = `${this.path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      renameSync(this.path, aside);
    } catch {
      return; // someone else took it over first: try again
    }
    let moved: LockHolder | null = null;
    try {
      moved = JSON.parse(readFileSync(aside, 'utf8')) as LockHolder;
    } catch {
      moved = null;
    }
    if (moved && expected && moved.token !== expected.token && isAlive(moved)) {
      // A live process locked in between: put its lock back (fails only if yet another did).
      try {
        linkSync(aside, this.path);
      } catch {
        // the directory is held either way; the next attempt reports the holder
      }
    }
    try {
      unlinkSync(aside);
    } catch {
      // ignore
    }
  }

  private message(holder: LockHolder): string {
    const dir = this.path.slice(0, -'.lock'.length);
    const who =
      holder.pid === process.pid && holder.host === hostname()
        ? 'this process already has it open'
        : `held by pid ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.startedAt})`;
    return (
      `the embedded database ${dir} is in use: ${who}. Only one process may open a PGlite data ` +
      `directory at a time. Stop that process first, or use PostgreSQL (DATABASE_URL) to run ` +
      `several. Lock file: ${this.path}`
    );
  }
}

function selfHolder(token: string): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: readBootId(),
    procStart: readProcStart(process.pid),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    command: [
      basename(process.argv0 || 'node'),
      ...process.argv.slice(1, 2).map((a) => basename(a)),
    ].join(' '),
    token,
  };
}

/** Whether the recorded holder is still running (another host: assumed so). */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  const bootId = readBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return false;
  // Our own pid, but not a lock this process holds (checked first): an earlier life, e.g. a
  // container restarted after kill -9 gets the same pid.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // The pid exists: the same process only if it started when the holder did.
  const start = readProcStart(holder.pid);
  if (holder.procStart && start && start !== holder.procStart) return false;
  return true;
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks after boot (Linux). */
function readProcStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
