/**
 * Re-synthesis speed: median wall time of `npx projen` in an example create-msb-app project, next to
 * `npx projen --version` in the same project (the floor: npx and projen's CLI, no synthesis) and
 * `npx projen` in a fresh `projen new typescript` project, measured alternately in the same run; then
 * the latency of `create-msb-app watch` (an edit of `.projenrc.ts` until the watcher reports the
 * synthesis).
 *
 *   npx projen bench:synth [runs]      (default 7 runs each)
 *
 * Setup (not timed): the example project links this checkout (`file:`), so run `npx projen compile`
 * first; the projen project is created with `npx projen new typescript` and installs from the registry.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 7);
const projenVersion = require(path.join(repo, 'node_modules/projen/package.json')).version as string;

function sh(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '1' } });
}

function timeOnce(cwd: string, args: string[] = []): number {
  const start = process.hrtime.bigint();
  const r = spawnSync('npx', ['projen', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
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

/** Edits .projenrc.ts (port 8080 <-> 8081) under `create-msb-app watch` and times until it reports the synthesis. */
async function watchLatencies(dir: string, n: number): Promise<number[]> {
  const child = spawn(process.execPath, [path.join(repo, 'bin/create-msb-app.js'), 'watch', '--debounce', '50'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.on('close', () => {
    ended = true;
    for (const w of waiters.splice(0)) w();
  });
  const count = (re: RegExp) => out.match(new RegExp(re.source, 'g'))?.length ?? 0;
  const waitFor = async (re: RegExp, n: number): Promise<void> => {
    while (count(re) < n) {
      if (ended) throw new Error(`watch ended:\n${out}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const file = path.join(dir, '.projenrc.ts');
  const times: number[] = [];
  try {
    await waitFor(/watching/, 1);
    for (let i = 1; i <= n; i++) {
      const text = fs.readFileSync(file, 'utf8');
      const start = process.hrtime.bigint();
      fs.writeFileSync(file, text.includes('port: 8080') ? text.replace('port: 8080', 'port: 8081') : text.replace('port: 8081', 'port: 8080'));
      await waitFor(/changed: synthesized/, i);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    child.kill('SIGINT');
  }
  return times;
}

async function main(): Promise<void> {
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
    const f: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(timeOnce(example));
      f.push(timeOnce(example, ['--version']));
      b.push(timeOnce(projen));
      process.stderr.write(`run ${i + 1}/${runs}: create-msb-app ${a[i].toFixed(0)} ms, floor ${f[i].toFixed(0)} ms, projen ${b[i].toFixed(0)} ms\n`);
    }
    const w = await watchLatencies(example, runs);
    const ma = median(a);
    const mf = median(f);
    const mb = median(b);
    console.log(`median of ${runs} runs (node ${process.version}, projen ${projenVersion}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}):`);
    console.log(`  npx projen, create-msb-app example project    ${ma.toFixed(0)} ms`);
    console.log(`  npx projen --version, same project (floor)    ${mf.toFixed(0)} ms`);
    console.log(`  npx projen, projen new typescript project     ${mb.toFixed(0)} ms`);
    console.log(`  above the floor                               ${(ma - mf).toFixed(0)} ms (goal: <= 400 ms)`);
    console.log(`  ratio to projen new typescript                ${(ma / mb).toFixed(2)}`);
    console.log(`  create-msb-app watch: edit to files written   ${median(w).toFixed(0)} ms (debounce 50 ms)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
