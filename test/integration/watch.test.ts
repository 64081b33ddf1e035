/**
 * `create-msb-app watch`, the built binary spawned in a project that links this checkout: an edit of
 * the definition rewrites the files it changes; an invalid edit prints the error, writes nothing and
 * watching goes on; a save burst synthesizes once; a synthesis held up by the lock fails and the next
 * save succeeds; Ctrl-C stops it with nothing left behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { BIN, REPO_ROOT, type Spawned, assertBuilt, read, start, tempDir, tree } from './helpers';

beforeAll(() => assertBuilt());

const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGKILL');
      await s.done;
    }
  }
});

function definition(port: number, extra = ''): string {
  return [
    "import { App, MsbProject } from 'create-msb-app';",
    `const project = new MsbProject({ name: 'orders-api'${extra} });`,
    `new App(project, { port: ${port}, image: { repository: 'registry.example.com/orders-api', tag: '1.0.0' } });`,
    'project.synth();',
    '',
  ].join('\n');
}

/** A project whose definition imports this checkout (built), as an installed one would. */
function project(extra = ''): string {
  const dir = tempDir('msb-watch-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'orders-api', version: '1.0.0', scripts: { build: 'tsc' } }, undefined, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(8080, extra));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'create-msb-app'), 'dir');
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', 'sucrase'), path.join(dir, 'node_modules', 'sucrase'), 'dir');
  return dir;
}

function watch(dir: string, args: string[] = []): Spawned {
  const s = start(process.execPath, [BIN, 'watch', ...args], dir);
  running.push(s);
  return s;
}

/** Waits until `pattern` has matched `n` times in stdout (or the process ended: then the assertion after fails with its output). */
async function seen(s: Spawned, pattern: RegExp, n = 1): Promise<void> {
  const count = () => s.stdout.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
  // A guard against waiting forever, not a measurement: a synthesis takes about a second.
  const giveUp = Date.now() + 60_000;
  while (count() < n) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`watch ended:\n${s.stdout}\n${s.stderr}`);
    if (Date.now() > giveUp) throw new Error(`no ${pattern} (${n}) in:\n${s.stdout}\n${s.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function outputs(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(tree(dir)).filter(([p]) => p === 'Dockerfile' || p === 'Dockerfile.debug' || p === '.dockerignore' || p.startsWith('k8s/')));
}

test('an edit of the definition rewrites the files it changes; an invalid edit writes nothing and watching goes on', async () => {
  const dir = project();
  const s = watch(dir);
  await seen(s, /watching \.projenrc\.ts, package\.json/);
  expect(s.stdout).toMatch(/\] synthesized in \d+\.\d\d s: written .*Dockerfile/);
  expect(read(dir, 'Dockerfile')).toContain('EXPOSE 8080');

  fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(3000));
  await seen(s, /\.projenrc\.ts changed: synthesized/);
  expect(read(dir, 'Dockerfile')).toContain('EXPOSE 3000');
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('containerPort: 3000');
  const line = s.stdout.split('\n').find((l) => l.includes('.projenrc.ts changed: synthesized'))!;
  expect(line).toMatch(/written .*Dockerfile.*k8s\/base\/deployment\.yaml.*; \d+ unchanged$/);
  expect(line).not.toContain('.dockerignore');

  const before = outputs(dir);
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(99999));
  await seen(s, /\.projenrc\.ts changed: synthesis failed \(\d+\.\d\d s\), no file written:/);
  expect(s.stdout).toContain('port: got 99999; expected an integer from 1 to 65535');
  expect(outputs(dir)).toEqual(before);
  expect(s.child.exitCode).toBe(null);

  fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(4000));
  await seen(s, /\.projenrc\.ts changed: synthesized/, 2);
  expect(read(dir, 'Dockerfile')).toContain('EXPOSE 4000');
});

test('a burst of saves synthesizes once; a save of the same content synthesizes nothing', async () => {
  const dir = project();
  const s = watch(dir, ['--debounce', '400']);
  await seen(s, /watching/);
  for (let port = 3001; port <= 3005; port++) fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(port));
  await seen(s, /changed: synthesized/);
  expect(read(dir, 'Dockerfile')).toContain('EXPOSE 3005');
  // The same content saved again, then a package.json edit: only the latter synthesizes.
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(3005));
  await new Promise((r) => setTimeout(r, 100));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'orders-api', version: '2.0.0', scripts: { build: 'tsc' } }));
  await seen(s, /changed: synthesized/, 2);
  expect(s.stdout.match(/changed: synth/g)).toHaveLength(2);
  expect(s.stdout, s.stdout).toMatch(/\] package\.json changed: synthesized/);
});

test('a synthesis waits for the lock: one that times out fails, the next save synthesizes', async () => {
  const dir = project(', lockTimeoutMs: 300');
  const s = watch(dir);
  await seen(s, /watching/);
  // Another synthesis (this live process) holds the project's lock.
  fs.writeFileSync(path.join(dir, '.projen', 'msb.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString(), nonce: 'test' }));
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(3000, ', lockTimeoutMs: 300'));
  await seen(s, /synthesis failed/);
  expect(s.stdout).toContain(`Another synthesis of this project is running (pid ${process.pid}`);
  expect(read(dir, 'Dockerfile')).toContain('EXPOSE 8080');
  fs.rmSync(path.join(dir, '.projen', 'msb.lock'));
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), definition(3001, ', lockTimeoutMs: 300'));
  await seen(s, /changed: synthesized/);
  expect(read(dir, 'Dockerfile')).toContain('EXPOSE 3001');
});

test('a change of the project template folder synthesizes; Ctrl-C stops watching and leaves no lock', async () => {
  const dir = project();
  const s = watch(dir);
  await seen(s, /watching/);
  fs.mkdirSync(path.join(dir, 'msb-templates', 'partials'), { recursive: true });
  const labels = fs.readFileSync(path.join(REPO_ROOT, 'templates', 'shared', 'partials', 'labels.hbs'), 'utf8');
  fs.writeFileSync(path.join(dir, 'msb-templates', 'partials', 'labels.hbs'), `${labels}LABEL com.example.team="payments"\n`);
  await seen(s, /msb-templates.* changed: synthesized/);
  expect(read(dir, 'Dockerfile')).toContain('LABEL com.example.team="payments"');

  s.child.kill('SIGINT');
  const r = await s.done;
  expect(r.stdout).toMatch(/\] stopped\n$/);
  expect(r.status).toBe(130);
  expect(fs.existsSync(path.join(dir, '.projen', 'msb.lock'))).toBe(false);
});
