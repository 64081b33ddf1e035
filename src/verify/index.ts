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
import { ParseArgsConfig, parseArgs } from 'node:util';
import { ENGINE_NAMES, EngineName, VerifyError } from './engine';
import { VerifyModelError } from './model';
import { VERIFY_OPTIONS } from './options';
import { ImageSize, formatBytes } from './size';
import { VERIFY_LANES, VerifyReport, verifyProject } from './verify';
import { VerifyProfileError } from '../contract/verify-profile';

export * from './build';
export * from './chart';
export * from './checks';
export * from './context';
export * from './engine';
export * from './files';
export * from './model';
export type { VerifyModel } from '../contract/record';
export * from './options';
export * from './pod-parity';
export * from './profiles';
export * from './project';
export * from './size';
export * from './verify';

/** verify's options for node:util parseArgs, from the one declaration. */
const PARSE_OPTIONS: ParseArgsConfig['options'] = Object.fromEntries(Object.entries(VERIFY_OPTIONS).map(([name, o]) => [name, {
  type: o.type,
  ...('short' in o ? { short: o.short } : {}),
  ...('multiple' in o ? { multiple: o.multiple } : {}),
}]));

/** The parsed values: booleans for switches, a list for `secret`, strings for the rest. */
type VerifyValues = { [K in keyof typeof VERIFY_OPTIONS]?: (typeof VERIFY_OPTIONS)[K] extends { multiple: true } ? string[]
  : (typeof VERIFY_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

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
        const parsed = parseArgs({ args, options: PARSE_OPTIONS, allowPositionals: true, strict: true });
        return { values: parsed.values as VerifyValues, positionals: parsed.positionals };
      } catch (e) {
        throw new UsageError((e as Error).message.replace(/\s*To specify a positional argument.*$/s, ''));
      }
    })();
    if (v.help) {
      // the help is generated from the declaration by the CLI (create-msb-app verify --help)
      stdout.write('Run "create-msb-app verify --help" for the options.\n');
      return 0;
    }
    // Every bad option is reported, in one message.
    const bad: string[] = [];
    if (positionals.length > 1) bad.push(`Expected at most one directory, got ${positionals.map((p) => JSON.stringify(p)).join(', ')}.`);
    if (v.engine !== undefined && !ENGINE_NAMES.includes(v.engine as EngineName)) bad.push(`Invalid --engine ${JSON.stringify(v.engine)}: expected docker or podman.`);
    if (v.pull !== undefined && !['always', 'missing', 'never'].includes(v.pull)) bad.push(`Invalid --pull ${JSON.stringify(v.pull)}: expected always, missing or never.`);
    const cwd = io.cwd ?? process.cwd();
    const secrets = [...(v.secret ?? [])];
    if (v['ca-cert'] !== undefined) secrets.unshift(`id=ca_cert,src=${path.resolve(cwd, v['ca-cert'])}`);
    for (const s of secrets) {
      const src = /(?:^|,)src=([^,]+)/.exec(s)?.[1];
      if (!/(?:^|,)id=[^,]+/.test(s)) bad.push(`Invalid secret ${JSON.stringify(s)}: expected id=<id>,src=<file>.`);
      else if (src && !fs.existsSync(path.resolve(cwd, src))) bad.push(`Secret file ${src} does not exist.`);
    }
    const envFile = v['env-file'] === undefined ? undefined : path.resolve(cwd, v['env-file']);
    if (envFile && !fs.existsSync(envFile)) bad.push(`Env file ${v['env-file']} does not exist.`);
    if (bad.length > 0) throw new UsageError(bad.join('\n'));
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
  if (report.phasesMs) {
    const { total, ...parts } = report.phasesMs;
    const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const list = (names: readonly string[]) => Object.entries(parts).filter(([n]) => names.includes(n)).map(([n, ms]) => `${n} ${sec(ms)}`).join(' + ');
    const laned = Object.values(VERIFY_LANES).flat();
    const lanes = Object.entries(VERIFY_LANES).map(([lane, names]) => [lane, list(names)]).filter(([, l]) => l);
    out.push('', `Time:   ${sec(total ?? 0)} = ${list(Object.keys(parts).filter((n) => !laned.includes(n)))}, then at once: ${lanes.map(([lane, l]) => `${lane} (${l})`).join(' and ')}`);
  }
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
