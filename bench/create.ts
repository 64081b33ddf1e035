/**
 * Scaffolding cost: wall time of `create-msb-app demo --yes` (with its install) and the size of the
 * new project's node_modules, next to `projen new typescript` (which installs too), in one run.
 *
 *   npx tsx bench/create.ts [--no-warm]
 *   npx tsx bench/create.ts --adopt [--baseline <compiled checkout of another version>]
 *
 * create-msb-app runs from this checkout (compile it first: `npx projen compile`) and the new
 * project depends on a tarball packed from it, so node_modules holds the library as a registry
 * install would. projen is the version this repository uses. Both install from the registry with
 * npm; by default each runs once untimed first, so both measured runs meet a warm npm cache.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..');
const bin = path.join(repo, 'bin', 'create-msb-app.js');
const projenBin = path.join(repo, 'node_modules', '.bin', 'projen');
const projenVersion = (JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', 'projen', 'package.json'), 'utf8')) as { version: string }).version;
const warm = !process.argv.includes('--no-warm');
const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
// No CI variable: projen would run `npm ci`, which needs a lockfile a new project does not have.
delete env.CI;

interface Measure {
  readonly ms: number;
  readonly bytes: number;
  readonly files: number;
}

/** Runs a command in a fresh directory and returns its wall time and the node_modules size. */
function measure(label: string, cmd: string, args: string[], project: (dir: string) => string): Measure {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-bench-'));
  try {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${label} failed:\n${r.stdout}\n${r.stderr}`);
    return { ms, ...size(path.join(project(dir), 'node_modules')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Apparent size and file count of a folder (symlinks not followed). */
function size(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        bytes += fs.lstatSync(p).size;
        files++;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return { bytes, files };
}

/**
 * Adoption of a project whose node_modules is installed (a NestJS-sized dependency tree), timed for
 * this checkout and, with `--baseline <dir>`, for another compiled checkout of create-msb-app (e.g.
 * `git archive <commit>` with node_modules linked, `npx tsc --build && npx projen post-compile`),
 * each with its own packed library, on identical copies, alternating. Medians of `runs`.
 */
function adoptBench(tarball: string, baselineRepo: string | undefined, runs: number): void {
  const baseline = baselineRepo ? path.join(baselineRepo, 'bin', 'create-msb-app.js') : undefined;
  let baselineTarball: string | undefined;
  if (baselineRepo) {
    const baselineDir = path.join(path.dirname(tarball), 'baseline');
    fs.mkdirSync(baselineDir);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', baselineDir, '--json'], { cwd: baselineRepo, encoding: 'utf8' })) as { filename: string }[];
    baselineTarball = path.join(baselineDir, packed[0].filename);
  }
  const fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-bench-adopt-'));
  try {
    const pkg = {
      name: 'orders-api', version: '1.0.0', private: true,
      scripts: { 'build': 'nest build', 'start': 'nest start', 'start:prod': 'node dist/main' },
      dependencies: { '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0', '@nestjs/platform-express': '^11.0.0', 'reflect-metadata': '^0.2.2', 'rxjs': '^7.8.1' },
      devDependencies: { '@nestjs/cli': '^11.0.0', '@nestjs/schematics': '^11.0.0', '@nestjs/testing': '^11.0.0', '@types/express': '^5.0.0', '@types/node': '^22.0.0', 'prettier': '^3.0.0', 'typescript': '^5.7.0', 'eslint': '^9.0.0' },
    };
    fs.writeFileSync(path.join(fixture, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    fs.writeFileSync(path.join(fixture, 'tsconfig.json'), '{ "compilerOptions": { "outDir": "./dist" } }\n');
    fs.mkdirSync(path.join(fixture, 'src'));
    fs.writeFileSync(path.join(fixture, 'src', 'main.ts'), 'listen(process.env.PORT ?? 3000);\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: fixture, env, stdio: 'ignore' });
    const adopt = (binPath: string, lib = tarball): number => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-bench-adopt-run-'));
      try {
        execFileSync('cp', ['-a', `${fixture}/.`, dir]);
        const start = process.hrtime.bigint();
        const r = spawnSync(process.execPath, [binPath, '.', '--yes', '--skip-git', '--lib', `file:${lib}`], { cwd: dir, env, encoding: 'utf8' });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (r.status !== 0) throw new Error(`adoption with ${binPath} failed:\n${r.stdout}\n${r.stderr}`);
        return ms;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    adopt(bin); // warms the npm cache with the definition's dev dependencies
    if (baseline) adopt(baseline, baselineTarball);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(adopt(bin));
      if (baseline) theirs.push(adopt(baseline, baselineTarball));
    }
    const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
    console.log(`\nAdoption with node_modules present (${fs.readdirSync(path.join(fixture, 'node_modules')).length} top-level packages), median of ${runs}:`);
    console.log(`  this checkout            ${s(median(ours))}`);
    if (baseline) {
      console.log(`  baseline (${baseline})  ${s(median(theirs))}`);
      console.log(`  ratio (goal <= 0.50)     ${(median(ours) / median(theirs)).toFixed(2)}`);
    }
  } finally {
    fs.rmSync(fixture, { recursive: true, force: true });
  }
}

function main(): void {
  if (!fs.existsSync(path.join(repo, 'lib', 'cli', 'main.js'))) throw new Error('compile first: npx projen compile');
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-bench-pack-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--pack-destination', packDir, '--json'], { cwd: repo, encoding: 'utf8' })) as { filename: string }[];
    const tarball = path.join(packDir, packed[0].filename);

    const adoptAt = process.argv.indexOf('--adopt');
    if (adoptAt >= 0) {
      const baselineAt = process.argv.indexOf('--baseline');
      adoptBench(tarball, baselineAt >= 0 ? path.resolve(process.argv[baselineAt + 1]) : undefined, 3);
      return;
    }
    const msb = () => measure('create-msb-app', process.execPath, [bin, 'demo', '--yes', '--lib', `file:${tarball}`], (d) => path.join(d, 'demo'));
    const projen = () => measure('projen new typescript', projenBin, ['new', 'typescript', '--no-git'], (d) => d);
    if (warm) {
      msb();
      projen();
    }
    const a = msb();
    const b = projen();

    const mb = (x: number) => `${(x / 1024 / 1024).toFixed(1)} MB`;
    const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
    const rows = [
      ['', 'wall time (with install)', 'node_modules', 'files'],
      ['create-msb-app demo --yes', s(a.ms), mb(a.bytes), String(a.files)],
      [`projen new typescript (projen ${projenVersion})`, s(b.ms), mb(b.bytes), String(b.files)],
      ['ratio (goal <= 0.50)', (a.ms / b.ms).toFixed(2), (a.bytes / b.bytes).toFixed(2), (a.files / b.files).toFixed(2)],
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '));
    console.log(`\nNode.js ${process.version}, npm ${execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()}, ${os.cpus().length} cores, ${warm ? 'warm' : 'cold'} npm cache.`);
  } finally {
    fs.rmSync(packDir, { recursive: true, force: true });
  }
}

main();
