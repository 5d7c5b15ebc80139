import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock } from './data-dir-lock';
import { DataDirectoryLockedError } from './database-errors';

describe(DataDirLock.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'lock-spec-')), 'pglite');
  });

  it('should create the lock file naming this process and remove it on release', () => {
    const lock = new DataDirLock(dir);
    lock.acquire();
    const holder = JSON.parse(readFileSync(`${dir}.lock`, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('should refuse a second open of the same directory in this process', () => {
    const lock = new DataDirLock(dir);
    lock.acquire();
    try {
      expect(() => new DataDirLock(dir).acquire()).toThrow(DataDirectoryLockedError);
      expect(() => new DataDirLock(dir).acquire()).toThrow(/this process already has it open/);
    } finally {
      lock.release();
    }
    // Released: it can be opened again.
    const again = new DataDirLock(dir);
    again.acquire();
    again.release();
  });

  it('should refuse while another live process holds it, naming its pid', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => child.once('spawn', r));
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const procStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      writeFileSync(
        `${dir}.lock`,
        JSON.stringify({
          pid: child.pid,
          host: hostname(),
          bootId,
          procStart,
          startedAt: 'x',
          command: 'node main.js',
          token: 't',
        }),
      );
      expect(() => new DataDirLock(dir).acquire()).toThrow(
        `held by pid ${child.pid} on ${hostname()} (node main.js`,
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('should take over the lock of a process that died (kill -9) or of a reused pid', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    writeFileSync(
      `${dir}.lock`,
      JSON.stringify({
        pid: child.pid,
        host: hostname(),
        startedAt: 'x',
        command: 'c',
        token: 'dead',
      }),
    );
    const lock = new DataDirLock(dir);
    lock.acquire();
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();

    // A live pid whose start time differs from the recorded one is another process.
    writeFileSync(
      `${dir}.lock`,
      JSON.stringify({
        pid: 1,
        host: hostname(),
        procStart: '-1',
        startedAt: 'x',
        command: 'c',
        token: 'old',
      }),
    );
    const second = new DataDirLock(dir);
    second.acquire();
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid).toBe(process.pid);
    second.release();
  });

  it('should treat a lock held on another host as held', () => {
    writeFileSync(
      `${dir}.lock`,
      JSON.stringify({ pid: 4242, host: 'elsewhere', startedAt: 'x', command: 'c', token: 'x' }),
    );
    expect(() => new DataDirLock(dir).acquire()).toThrow('held by pid 4242 on elsewhere');
  });
});
