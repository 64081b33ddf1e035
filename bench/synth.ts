/**
 * Re-synthesis speed: median wall time of `npx projen` in an example create-msb-app project, next to
 * `npx projen` in a fresh `projen new typescript` project, measured alternately in the same run.
 *
 *   npx projen bench:synth [runs]      (default 7 runs each)
 *
 * Setup (not timed): the example project links this checkout (`file:`), so run `npx projen compile`
 * first; the projen project is created with `npx projen new typescript` and installs from the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 7);
const projenVersion = require(path.join(repo, 'node_modules/projen/package.json')).version as string;

function sh(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '1' } });
}

function timeOnce(cwd: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync('npx', ['projen'], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`npx projen failed in ${cwd}:\n${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function setupExample(dir: string): void {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'orders-api',
    version: '1.0.0',
    private: true,
    scripts: { build: 'tsc', start: 'node dist/index.js' },
    devDependencies: {
      'create-msb-app': `file:${repo}`,
      'projen': projenVersion,
      'constructs': '^10.5.0',
      'sucrase': '^3.35.0',
    },
  }, null, 2));
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), [
    "import { App, MsbProject } from 'create-msb-app';",
    "const project = new MsbProject({ name: 'orders-api' });",
    'new App(project, {',
    '  port: 8080,',
    "  image: { repository: 'registry.example.com/orders-api', tag: '1.0.0' },",
    "  kubernetes: { replicas: 3, ingress: { host: 'orders.example.com' }, networkPolicy: { allowFromNamespaces: ['ingress-nginx'] } },",
    '});',
    'project.synth();',
    '',
  ].join('\n'));
  sh('npm', ['install', '--no-audit', '--no-fund'], dir);
  sh('node', ['--require', 'sucrase/register/ts', '.projenrc.ts'], dir);
}

function setupProjen(dir: string): void {
  sh('npx', ['-y', `projen@${projenVersion}`, 'new', 'typescript', '--no-git', '--no-post'], dir);
  sh('npm', ['install', '--no-audit', '--no-fund'], dir);
  sh('npx', ['projen'], dir);
}

function main(): void {
  if (!fs.existsSync(path.join(repo, 'lib/index.js'))) throw new Error('run "npx projen compile" first');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-bench-synth-'));
  const example = path.join(work, 'example');
  const projen = path.join(work, 'projen-typescript');
  fs.mkdirSync(example);
  fs.mkdirSync(projen);
  try {
    process.stderr.write('setting up the example project and a fresh projen TypeScript project (not timed)...\n');
    setupExample(example);
    setupProjen(projen);
    timeOnce(example); // warm the file cache for both
    timeOnce(projen);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(timeOnce(example));
      b.push(timeOnce(projen));
      process.stderr.write(`run ${i + 1}/${runs}: create-msb-app ${a[i].toFixed(0)} ms, projen ${b[i].toFixed(0)} ms\n`);
    }
    const ma = median(a);
    const mb = median(b);
    console.log(`npx projen, median of ${runs} runs (node ${process.version}, projen ${projenVersion}):`);
    console.log(`  create-msb-app example project  ${ma.toFixed(0)} ms`);
    console.log(`  projen new typescript project   ${mb.toFixed(0)} ms`);
    console.log(`  ratio                           ${(ma / mb).toFixed(2)} (goal: <= 0.50)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
