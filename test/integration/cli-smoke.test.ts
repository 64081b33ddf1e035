/**
 * The built binary, spawned asynchronously as users run it: --help, exit codes, TTY and non-TTY
 * stdin, signals during the install (the package manager stops, the project rolls back), a
 * directory without write permission, installs that fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { BIN, EXPRESS_APP, assertBuilt, runBin, start, tempDir, tree, writeFiles } from './helpers';

beforeAll(() => assertBuilt());

/**
 * A package manager that hangs until it is stopped, with a child of its own (as npm runs install
 * scripts): stopping only the direct child would leave that one running in the project.
 */
function hangingNpm(): NodeJS.ProcessEnv {
  const bin = tempDir('msb-fake-npm-');
  fs.writeFileSync(path.join(bin, 'npm'), '#!/bin/sh\nsleep 600 &\nsleep 600\n', { mode: 0o755 });
  return { PATH: `${bin}${path.delimiter}${process.env.PATH}` };
}

/** Processes whose working directory is under `dir` (an orphaned package manager would be one). */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      // A folder removed by the rollback reads as "<path> (deleted)".
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

async function settle(dir: string): Promise<string[]> {
  // The process group got SIGTERM (then SIGKILL after 2 s): give it that long.
  for (let i = 0; i < 30 && processesIn(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return processesIn(dir);
}

describe('exit codes and help', () => {
  test('--help prints the options and exits 0; verify --help too', async () => {
    const cwd = tempDir();
    const help = await runBin(['--help'], cwd);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: create-msb-app \[dir\] \[options\]/);
    for (const flag of ['--name', '--language', '--node-version', '--package-manager', '--port', '--health-path', '--image', '--template', '--lib', '--yes']) expect(help.stdout).toContain(flag);
    const verify = await runBin(['verify', '--help'], cwd);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^Usage: create-msb-app verify \[dir\] \[options\]/);
    expect(verify.stdout).toContain('--engine');
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('a usage error exits 1 for create and 2 for verify, with the message on stderr and no stack', async () => {
    const cwd = tempDir();
    const create = await runBin(['--frobnicate'], cwd);
    expect(create.status).toBe(1);
    expect(create.stderr).toContain("Unknown option '--frobnicate'");
    expect(create.stderr).toContain('create-msb-app --help');
    const verify = await runBin(['verify', '--frobnicate'], cwd);
    expect(verify.status).toBe(2);
    expect(verify.stderr).toContain('create-msb-app verify --help');
    expect(`${create.stderr}${verify.stderr}`).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe('TTY and non-TTY stdin', () => {
  test('without a TTY it never prompts: it finishes with the defaults', async () => {
    const cwd = tempDir();
    const r = await runBin(['demo', '--skip-install', '--skip-git', '--lib', '1.0.0'], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'demo', 'Dockerfile'))).toBe(true);
  });

  test('with a TTY it asks; Ctrl-C at the prompt exits 130 and leaves nothing', async () => {
    const cwd = tempDir();
    // `script` gives the command a pseudo-terminal.
    const s = start('script', ['-qfec', `${process.execPath} ${BIN} demo --skip-install --lib 1.0.0`, '/dev/null'], cwd, { CI: '' }, { keepStdin: true });
    await s.waitFor('App name');
    // Ctrl-C typed on the terminal.
    s.child.stdin!.write('\x03');
    const r = await s.done;
    s.child.stdin!.end();
    expect(r.stdout).toContain('App name');
    expect(r.status).toBe(130);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});

test('SIGTERM while a prompt waits on the terminal: exit 143, nothing left', async () => {
  const cwd = tempDir();
  // script gives the command a pseudo-terminal, so it prompts.
  const tty = start('script', ['-qfec', `${process.execPath} ${BIN} demo --skip-install --lib 1.0.0`, '/dev/null'], cwd, { CI: '' }, { keepStdin: true });
  await tty.waitFor('App name');
  const node = childPids(tty.child.pid!).find((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(BIN));
  expect(node).toBeDefined();
  process.kill(node!, 'SIGTERM');
  const r = await tty.done;
  tty.child.stdin!.end();
  expect(r.status).toBe(143);
  expect(fs.readdirSync(cwd)).toEqual([]);
}, 30_000);

/** Descendants of a process (from /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]);
      if (ppid === pid) out.push(Number(p), ...childPids(Number(p)));
    } catch {
      // gone
    }
  }
  return out;
}

describe('signals during the install stop the package manager and roll back', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s: exit %i, the new directory is removed, no npm left running', async (signal, code) => {
    const cwd = tempDir();
    const s = start(process.execPath, [BIN, 'demo', '--yes', '--lib', '1.0.0'], cwd, hangingNpm());
    await s.waitFor('Installing dependencies');
    await new Promise((r) => setTimeout(r, 500));
    expect(processesIn(path.join(cwd, 'demo')).length).toBeGreaterThan(0);
    s.child.kill(signal);
    const r = await s.done;
    expect(r.status, r.stderr).toBe(code);
    expect(r.stderr).toContain('Cancelled');
    expect(await settle(path.join(cwd, 'demo'))).toEqual([]);
    expect(fs.readdirSync(cwd)).toEqual([]);
  }, 30_000);

  test('SIGTERM while adopting: every file restored, the original node_modules moved back (same inode)', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...EXPRESS_APP, 'node_modules/express/package.json': '{"name":"express","version":"4.21.2"}\n' });
    const inode = fs.statSync(path.join(dir, 'node_modules')).ino;
    const before = tree(dir);
    const s = start(process.execPath, [BIN, '.', '--yes', '--lib', '1.0.0'], dir, hangingNpm());
    await s.waitFor('Installing dependencies');
    await new Promise((r) => setTimeout(r, 500));
    s.child.kill('SIGTERM');
    const r = await s.done;
    expect(r.status, r.stderr).toBe(143);
    expect(await settle(dir)).toEqual([]);
    expect(tree(dir)).toEqual(before);
    expect(fs.statSync(path.join(dir, 'node_modules')).ino).toBe(inode);
    expect(fs.readdirSync(path.join(dir, 'node_modules'))).toEqual(['express']);
  }, 30_000);
});

test('a directory without write permission is refused, naming it', async () => {
  const dir = tempDir();
  const locked = path.join(dir, 'locked');
  fs.mkdirSync(locked, { mode: 0o555 });
  fs.chmodSync(dir, 0o755);
  // root writes anywhere: run the command as "nobody" then.
  const r = process.getuid?.() === 0
    ? await start('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'locked/demo', '--yes', '--skip-install'], dir).done
    : await runBin(['locked/demo', '--yes', '--skip-install'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`Cannot write to ${locked} (permission denied)`);
  expect(fs.readdirSync(locked)).toEqual([]);
});

describe('installs that fail', () => {
  test('adoption: package.json and lockfile restored, no node_modules, no outputs', async () => {
    const dir = tempDir();
    writeFiles(dir, EXPRESS_APP);
    const before = tree(dir);
    const r = await runBin(['.', '--lib', '0.0.0-does-not-exist'], dir, { npm_config_fetch_retries: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm install --save-dev');
    expect(tree(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
  });

  test('a new project whose install fails is removed', async () => {
    const dir = tempDir();
    const r = await runBin(['demo', '--yes', '--lib', '0.0.0-does-not-exist'], dir, { npm_config_fetch_retries: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm install');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
