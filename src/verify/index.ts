/**
 * `create-msb-app verify [dir]`: builds a synthesized project's images with docker or podman, runs
 * the checks and prints a size report. Module map:
 * - engine.ts   which engine, running its commands, {@link VerifyError}
 * - model.ts    the model recorded in .projen/msb.json (read back from the generated files for older projects)
 * - profiles.ts the families' verify profiles (src/families/<name>/verify) and the choice of one
 * - context.ts  what verify knows before building: model, profile, parsed Dockerfiles
 * - project.ts  the Dockerfile's stages; the single-stage equivalent (the family renders it)
 * - build.ts    builds with progress; which steps came from the cache
 * - checks.ts   checks on running containers and on the image filesystem
 * - pod-parity.ts the runtime image run with the Deployment's settings: probes, SIGTERM, read-only root, memory
 * - files.ts    exported image filesystems (tar entries, file bytes)
 * - size.ts     what the runtime image needs, file bytes and waste; history-based layer view
 * - chart.ts    the SVG chart
 * - verify.ts   the whole run ({@link verifyProject})
 *
 * The library (src/index.ts) does not import this folder; this folder imports the library.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ENGINE_NAMES, EngineName, VerifyError } from './engine';
import { VerifyModelError } from './model';
import { ImageSize, formatBytes } from './size';
import { VerifyReport, verifyProject } from './verify';
import { VerifyProfileError } from '../families/verify-profile';

export * from './build';
export * from './chart';
export * from './checks';
export * from './context';
export * from './engine';
export * from './files';
export * from './model';
export * from './pod-parity';
export * from './profiles';
export * from './project';
export * from './size';
export * from './verify';

/** Help text of `create-msb-app verify`. */
export function verifyHelp(): string {
  return `Usage: create-msb-app verify [dir] [options]

Builds Dockerfile and Dockerfile.debug of a project made by create-msb-app with docker or podman
(whichever is installed and running), then checks the images against the model recorded in
.projen/msb.json, with the checks of the project's runtime family:
  - the runtime image answers HTTP 200 on the health path (or /) over 127.0.0.1
  - its main process runs as the non-root uid and gid (65532), read from /proc on the host
  - it has no shell, no package manager and no compiler; the debug image has a shell
  - its files hold no .env, and nothing the family keeps out (e.g. Node.js: no devDependencies, no
    TypeScript sources with a build, no tests; static binaries: no C library)
  - after a source-only change (in a temporary copy), the dependency install comes from the build
    cache (families with a dependency install)
and prints sizes: runtime vs debug vs the single-stage equivalent (families with a build), in file
bytes of each image and of its base image. What the runtime image needs (the production
dependencies, the build output, the files copied from the context) is measured outside the runtime
image; waste = image - base image - needed. Writes .msb/verify-report.json and .msb/verify-report.svg.

Options:
  --engine <docker|podman>   Container engine              default: the first that answers
  --no-run                   Build and inspect only; do not start containers
  --no-pod-parity            Skip the run with the Deployment's settings (probes, SIGTERM, read-only root, memory)
  --env-file <file>          Env file for the pod-parity run: values the Deployment takes from ConfigMaps/Secrets
  --no-single-stage          Skip the single-stage build (size report without it)
  --keep-images              Keep the images built (localhost/msb-verify/<name>:runtime, :debug, ...)
  --ca-cert <file>           Pass a CA bundle as the ca_cert build secret (TLS-intercepting proxy)
  --secret <id=..,src=..>    Pass a build secret (repeatable), e.g. id=npmrc,src=$HOME/.npmrc
  --pull <always|missing|never>  Base image pull policy   default: the engine's
  --network <mode>           Network of the build steps, e.g. host
  --verbose                  Show the whole build output
  -h, --help                 Show this help

Exit code: 0 when every check passes, 1 when one fails or the build fails, 2 for bad options.
`;
}

const OPTIONS = {
  'engine': { type: 'string' },
  'no-run': { type: 'boolean' },
  'no-single-stage': { type: 'boolean' },
  'no-pod-parity': { type: 'boolean' },
  'env-file': { type: 'string' },
  'keep-images': { type: 'boolean' },
  'ca-cert': { type: 'string' },
  'secret': { type: 'string', multiple: true },
  'pull': { type: 'string' },
  'network': { type: 'string' },
  'verbose': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

/** Where {@link runVerify} writes. */
export interface VerifyIo {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly cwd?: string;
}

/** Runs `create-msb-app verify` with the arguments after `verify`; returns the exit code. */
export async function runVerify(argv: string[], io: VerifyIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const say = (line: string) => stdout.write(`${line}\n`);
  try {
    const { values: v, positionals } = (() => {
      try {
        // `npx projen image:verify -- --ca-cert x` hands the `--` through: it separates nothing here.
        const args = argv[0] === '--' ? argv.slice(1) : argv;
        return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
      } catch (e) {
        throw new UsageError((e as Error).message.replace(/\s*To specify a positional argument.*$/s, ''));
      }
    })();
    if (v.help) {
      stdout.write(verifyHelp());
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`Expected at most one directory, got ${positionals.map((p) => JSON.stringify(p)).join(', ')}.`);
    if (v.engine !== undefined && !ENGINE_NAMES.includes(v.engine as EngineName)) throw new UsageError(`Invalid --engine ${JSON.stringify(v.engine)}: expected docker or podman.`);
    if (v.pull !== undefined && !['always', 'missing', 'never'].includes(v.pull)) throw new UsageError(`Invalid --pull ${JSON.stringify(v.pull)}: expected always, missing or never.`);
    const cwd = io.cwd ?? process.cwd();
    const secrets = [...(v.secret ?? [])];
    if (v['ca-cert'] !== undefined) secrets.unshift(`id=ca_cert,src=${path.resolve(cwd, v['ca-cert'])}`);
    for (const s of secrets) {
      const src = /(?:^|,)src=([^,]+)/.exec(s)?.[1];
      if (!/(?:^|,)id=[^,]+/.test(s)) throw new UsageError(`Invalid secret ${JSON.stringify(s)}: expected id=<id>,src=<file>.`);
      if (src && !fs.existsSync(path.resolve(cwd, src))) throw new UsageError(`Secret file ${src} does not exist.`);
    }

    const envFile = v['env-file'] === undefined ? undefined : path.resolve(cwd, v['env-file']);
    if (envFile && !fs.existsSync(envFile)) throw new UsageError(`Env file ${v['env-file']} does not exist.`);
    const dir = path.resolve(cwd, positionals[0] ?? '.');
    const report = await verifyProject({
      dir,
      engine: v.engine as EngineName | undefined,
      run: !v['no-run'],
      singleStage: !v['no-single-stage'],
      podParity: !v['no-pod-parity'],
      envFile,
      keepImages: !!v['keep-images'],
      secrets,
      pull: v.pull as 'always' | 'missing' | 'never' | undefined,
      network: v.network,
      log: say,
      onOutput: v.verbose ? (line) => say(`    ${line}`) : undefined,
    });
    for (const line of formatReport(report, cwd)) say(line);
    return report.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`Error: ${e.message}\nRun "create-msb-app verify --help" for the options.\n`);
      return 2;
    }
    if (e instanceof VerifyError || e instanceof VerifyModelError || e instanceof VerifyProfileError) {
      stderr.write(`Error: ${e.message}\n`);
      return 1;
    }
    stderr.write(`Unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/** A part verify could not check here (e.g. env from Secrets), rather than one that does not apply to the family. */
function notChecked(n: { readonly reason: string }): boolean {
  return /^not (checked|mounted)\b/.test(n.reason);
}

/** The report as printed: checks, then the size table. */
export function formatReport(report: VerifyReport, cwd = process.cwd()): string[] {
  const out: string[] = ['', 'Checks:'];
  for (const c of report.checks) {
    out.push(`  ${c.ok ? '✔' : '✖'} ${c.title}`);
    out.push(...c.detail.split('\n').map((l) => `      ${l}`));
  }
  for (const n of report.notApplicable) {
    out.push(`  - ${n.title}: ${notChecked(n) ? 'not checked' : 'not applicable'}`);
    out.push(`      ${n.reason}`);
  }
  const s = report.sizes;
  const rows: [string, ImageSize][] = [['runtime', s.runtime], ['debug', s.debug]];
  if (s.singleStage) rows.push(['single-stage', s.singleStage]);
  const cols = ['files', 'base', 'added', 'waste', 'image size'];
  const mb = (n: number) => formatBytes(n).padStart(12);
  out.push('', `Sizes:  ${'image'.padEnd(13)}${cols.map((c) => c.padStart(12)).join('')}`);
  for (const [name, r] of rows) {
    out.push(`        ${name.padEnd(13)}${[r.fileBytes, r.baseFileBytes, r.addedBytes, r.waste, r.layers.total].map(mb).join('')}`);
  }
  if (s.ratio !== undefined) out.push(`        single-stage / runtime (image size): ${s.ratio.toFixed(2)}x`);
  out.push(`        needed by the runtime image: ${formatBytes(s.needed.total)} = dependencies ${formatBytes(s.needed.dependencies)} + app ${formatBytes(s.needed.app)}`);
  for (const i of s.needed.items) {
    out.push(`          ${i.path.padEnd(28)} ${formatBytes(i.bytes).padStart(10)}  (${i.stage ? `stage ${i.stage}, ${i.src}` : `build context, ${i.src}`})`);
  }
  if (s.runtime.missing > 0) out.push(`        the runtime image holds ${formatBytes(s.runtime.missing)} less than it needs`);
  out.push('        (file bytes of the exported filesystems; waste = files - base image files - needed, with "needed"');
  out.push('         measured in the build stages and the build context, never in the image itself;');
  out.push(`         image size: the engine's layer sizes; runtime layers: base ${formatBytes(s.runtime.layers.base)}, deps ${formatBytes(s.runtime.layers.dependencies)}, app ${formatBytes(s.runtime.layers.app)})`);
  if (report.reportFiles) {
    out.push('', `Report: ${path.relative(cwd, report.reportFiles.json)}, ${path.relative(cwd, report.reportFiles.svg)}`);
  }
  const failed = report.checks.filter((c) => !c.ok);
  const naCount = report.notApplicable.filter((n) => !notChecked(n)).length;
  const ncCount = report.notApplicable.length - naCount;
  const na = [
    naCount ? `${naCount} not applicable to the ${report.model.family} family` : '',
    ncCount ? `${ncCount} not checked` : '',
  ].filter(Boolean).join(', ');
  const suffix = na ? ` (${na})` : '';
  out.push('', failed.length ? `${failed.length} of ${report.checks.length} checks failed${suffix}.` : `All ${report.checks.length} checks passed${suffix}.`);
  return out;
}
