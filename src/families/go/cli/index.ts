/**
 * The Go family's CLI side: detection (go.mod), adoption inference (the `go` line, the main package,
 * the port, the module name), its settings (`--go-version`, `--go-main`), the new-project sample
 * (net/http from the standard library: a health endpoint, graceful SIGTERM, `go test ./...`) and the
 * projen tooling (npm) that runs `.projenrc.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DETECTION_STRENGTH, type Adoption, type FamilyCli, type FamilyDefinition, type Inferred, type Tooling, type Setting } from '../../../contract/family-cli';
import { badFlag } from '../../../contract/family-cli';
import { TOOLING_FOLDER, addToolingDependencies, installTooling, toolingPackageJson } from '../../kit/projen-tooling';
import { runtimeLineSetting } from '../../kit/runtime-line';
import { sampleFiles } from '../../kit/sample';
import { DEFAULT_GO_VERSION, findGoRuntime, goVersions } from '../catalog';
import { goLineOf, parseGoMod } from '../go-mod';
import { GO_DEFAULTS } from '../index';

const quoteAll = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');
export const GO_NEW_PROJECT_VERSION = '0.1.0';
/** The build the CLI writes into `.projenrc.ts` (the family's own, recorded for readers). */
export const GO_BUILD = { script: 'go build', outDir: GO_DEFAULTS.outDir } as const;

/** A catalog Go line from `1.26`, `1.26.3`, `go1.26`. */
export function checkGoVersion(value: string, label = '--go-version'): string {
  const line = goLineOf(value.replace(/^go/, ''));
  if (!line || !findGoRuntime(line)) throw badFlag(label, value, `one of ${quoteAll(goVersions())} (the Go lines with a golang:<line>-trixie builder)`);
  return line;
}

/** A main package path: `.` or `./cmd/server`. */
export function checkGoMain(value: string, label = '--go-main'): string {
  const main = value === '.' || value.startsWith('./') ? value.replace(/\/+$/, '') || '.' : `./${value.replace(/\/+$/, '')}`;
  if (!/^\.(\/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)*$/.test(main) || main.split('/').includes('..')) {
    throw badFlag(label, value, 'the main package as go build names it: "." or "./" and a folder of the module, e.g. "./cmd/server"');
  }
  return main;
}

const SETTINGS: readonly Setting[] = [
  runtimeLineSetting({
    key: 'goVersion',
    flag: 'go-version',
    message: 'Go version',
    lines: goVersions,
    defaultLine: DEFAULT_GO_VERSION,
    check: checkGoVersion,
    blocked: (m) => ({
      note: `${m.from} says go ${m.value}, which has no builder image in the catalog`,
      error: `The project asks for Go ${JSON.stringify(m.value)} (${m.from}), which matches none of the Go lines of the catalog: ${quoteAll(goVersions())}. Pass --go-version to choose one (or update ${m.from}).`,
    }),
  }),
  {
    key: 'goMain',
    flag: 'go-main',
    prompt: { type: 'input', message: 'Main package' },
    infer: (ctx) => ctx.adoption?.inferred.goMain?.value as string | undefined,
    default: () => GO_DEFAULTS.main,
    validate: (text, _ctx, label) => checkGoMain(text, label),
  },
];

/** Go files of a folder (not tests). */
function goFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go')).map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

const isMainPackage = (dir: string) => goFiles(dir).some((f) => /^package\s+main\b/m.test(fs.readFileSync(f, 'utf8')));

/** The main package: the module root, else the one folder under cmd/ (or cmd/server, cmd/<module>). */
export function inferGoMain(dir: string, module?: string): { main?: Inferred<string>; candidates: string[] } {
  if (isMainPackage(dir)) return { main: { value: '.', from: 'package main at the module root' }, candidates: ['.'] };
  const cmd = path.join(dir, 'cmd');
  const candidates = fs.existsSync(cmd) ? fs.readdirSync(cmd).filter((d) => isMainPackage(path.join(cmd, d))).sort().map((d) => `./cmd/${d}`) : [];
  const preferred = candidates.length === 1 ? candidates[0]
    : candidates.find((c) => c === './cmd/server') ?? candidates.find((c) => module !== undefined && c === `./cmd/${module.split('/').pop()}`);
  return { main: preferred ? { value: preferred, from: candidates.length === 1 ? 'the only package main under cmd/' : `package main under cmd/ (of ${candidates.join(', ')})` } : undefined, candidates };
}

/** The port the main package defaults to: a `":8080"` literal or a PORT default. */
export function inferGoPort(dir: string): Inferred<number> | undefined {
  for (const file of goFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    const m = /(?:port\s*=\s*|Addr:\s*|ListenAndServe\(\s*)"(?::)?([0-9]{2,5})"/.exec(text) ?? /"(?:0\.0\.0\.0)?:([0-9]{2,5})"/.exec(text);
    if (m && Number(m[1]) > 0 && Number(m[1]) < 65536) return { value: Number(m[1]), from: path.basename(file) };
  }
  return undefined;
}

function adopt(dir: string): Adoption {
  const text = fs.readFileSync(path.join(dir, 'go.mod'), 'utf8');
  const mod = parseGoMod(text);
  if (!mod.module) throw new Error(`${path.join(dir, 'go.mod')} has no module line: run go mod init <module path>.`);
  const line = goLineOf(mod.go);
  const goVersion = line && findGoRuntime(line) ? { value: line, from: `go.mod (go ${mod.go})` } : undefined;
  const mismatch = mod.go && !goVersion ? { value: mod.go, from: 'go.mod' } : undefined;
  const { main, candidates } = inferGoMain(dir, mod.module);
  const port = inferGoPort(main ? path.join(dir, main.value) : dir);
  const base = mod.module.split('/').pop()!.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  const name = base ? { value: base, from: `go.mod module ${mod.module}` } : undefined;
  const notes: string[] = [];
  if (!main && candidates.length > 1) notes.push(`several main packages (${candidates.join(', ')}): pass --go-main to choose`);
  if (!fs.existsSync(path.join(dir, 'go.sum')) && /^\s*require\b/m.test(text)) notes.push('go.mod requires modules but there is no go.sum: run go mod tidy before building the image');
  return {
    name,
    inferred: { goVersion, goMain: main, port },
    mismatch: { goVersion: mismatch },
    build: { value: { ...GO_BUILD }, from: 'go build' },
    entrypoint: { value: GO_DEFAULTS.binary, from: 'the binary go build writes' },
    rows: [
      ['name', name?.value, name?.from],
      ['Go', goVersion?.value ?? (mismatch ? `${mismatch.value} (no builder image)` : undefined), goVersion?.from ?? mismatch?.from],
      ['main package', main?.value, main?.from],
      ['port', port ? String(port.value) : undefined, port?.from],
    ],
    notes,
  };
}

/**
 * The sample service of a new project (templates/go/sample/): net/http only, a health endpoint,
 * graceful SIGTERM, `go test ./...`.
 */
function newProjectFiles(def: FamilyDefinition, tooling: Tooling): Record<string, string> {
  // Written inside Go string literals as they are: the name is a DNS label and the health path an
  // HTTP path (neither has a quote or a backslash).
  const context = {
    name: def.name,
    port: def.port,
    healthPath: def.healthCheckPath === false ? '/healthz' : def.healthCheckPath,
    goVersion: def.runtime.goVersion ?? DEFAULT_GO_VERSION,
  };
  return { ...sampleFiles('go', context), 'package.json': toolingPackageJson(def, tooling) };
}

export const goCli = {
  name: 'go',
  label: 'Go',
  detect: (dir) => (fs.existsSync(path.join(dir, 'go.mod')) ? { strength: DETECTION_STRENGTH.languageManifest, from: 'go.mod' } : undefined),
  newProjectVersion: GO_NEW_PROJECT_VERSION,
  newProjectBuild: { ...GO_BUILD },
  options: {
    'go-version': { type: 'string', value: '<line>', description: `Go line: ${goVersions().join(', ')}`, default: `${DEFAULT_GO_VERSION}, or go.mod's go line` },
    'go-main': { type: 'string', value: '<package>', description: 'Go main package to build, e.g. ./cmd/server', default: '., or the package main under cmd/' },
  },
  settings: SETTINGS,
  adopt,
  runtimeProps: (runtime) => ({
    props: { family: 'go', version: runtime.goVersion, main: runtime.goMain },
    comment: [
      `Builder image golang:${runtime.goVersion}-trixie; \`go mod download\` from go.mod/go.sum, then a static binary (CGO_ENABLED=0)`,
      `of ${runtime.goMain} on distroless static-debian13 (cgo: true for base-debian13). Go lines: ${goVersions().map((v) => `'${v}'`).join(', ')}.`,
    ],
  }),
  defaultEntrypoint: () => GO_DEFAULTS.binary,
  buildCommand: (runtime) => `CGO_ENABLED=0 go build -o ${GO_DEFAULTS.outDir}/${GO_DEFAULTS.binary} ${runtime.goMain ?? '.'}`,
  installer: () => 'npm (the projen tooling)',
  installCommand: () => 'npm install',
  newProjectFiles,
  addDevDependencies: (dir, def, tooling) => addToolingDependencies(dir, def, tooling),
  install: (dir, mode, def, tooling, options) => installTooling(dir, mode, def, tooling, options),
  installFolders: [TOOLING_FOLDER],
  alwaysCopied: 'the binary',
} satisfies FamilyCli;
