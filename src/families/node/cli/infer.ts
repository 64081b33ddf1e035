/**
 * Reads an existing project and infers what the definition needs: package manager, Node.js line,
 * build script and output folder, entrypoint, runtime files, port. Nothing is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FrameworkLayout, codeWarnings, envFiles, frameworkLayout, servedScript } from './frameworks';
import { catalogLineForRange, catalogLineOf } from './node-version';
import { RunnerCommand, parseRunner } from './runners';
import { commands, quoteWord } from './shell';
import { SourceLayout, entryChoices, outputOf, sourceLayout, sourceOf, sourceRoots } from './sources';
import { DEFAULTS } from '../../../contract/defaults';
import { toAppName } from '../../../validation';
import { type PackageJson } from '../package-json';
import { PackageManagerName, findPackageManager, packageManagerNames } from '../package-managers';

/** A value and where it was read from, e.g. `{ value: 'pnpm', from: 'pnpm-lock.yaml' }`. */
export interface Inferred<T> {
  readonly value: T;
  readonly from: string;
}

// The one package.json reader (strict here: adoption names a field of the wrong type).
export { loadPackageJson as readPackageJson, type PackageJson } from '../package-json';

/** What adoption found out about a project. */
export interface ProjectFacts {
  readonly packageJson: PackageJson;
  readonly name?: Inferred<string>;
  readonly version?: string;
  readonly packageManager?: Inferred<PackageManagerName>;
  readonly nodeVersion?: Inferred<string>;
  /** A Node.js version the project states that no catalog line matches. */
  readonly nodeVersionMismatch?: Inferred<string>;
  readonly build?: Inferred<{ script: string; outDir: string }>;
  readonly entrypoint?: Inferred<string>;
  /** Without a build: what the runtime image needs besides node_modules. */
  readonly files?: Inferred<string[]>;
  readonly port?: Inferred<number>;
  readonly typescript: boolean;
  /** What the start script does that the generated image does not (node options, env, arguments). */
  readonly notes: string[];
  /** One line each: what a process manager or dev runner in the start script did that the image does not. */
  readonly warnings: string[];
  /** The framework whose output layout gave the entrypoint (e.g. `Next.js (output: 'standalone')`). */
  readonly framework?: Inferred<string>;
  /** The probes' path when the framework answers on it out of the box. */
  readonly healthPath?: Inferred<string>;
  /** CMD arguments after the entrypoint (a framework's server CLI). */
  readonly args?: string[];
  /** Env the framework's server needs in a container. */
  readonly env?: Record<string, string>;
  /** Next.js standalone layout (runtime.nextStandalone). */
  readonly nextStandalone?: boolean;
  /** An entrypoint in the build output without a source: the user chooses (or `--yes` fails with the choices). */
  readonly unsure?: { readonly entrypoint: string; readonly reason: string; readonly choices: { value: string; hint: string }[] };
}

/** Infers everything it can from the project in `dir` (which has a package.json). */
export function inferProject(dir: string, pkg: PackageJson): ProjectFacts {
  const nodeInfo = inferNodeVersion(dir, pkg);
  const layout = sourceLayout(dir);
  const framework = frameworkLayout(dir, pkg);
  const inferredBuild = inferBuild(dir, pkg);
  // A framework's build writes its own folder, whatever tsconfig says.
  const build = inferredBuild && framework?.outDir
    ? { value: { script: inferredBuild.value.script, outDir: framework.outDir }, from: `${inferredBuild.from}; output ${framework.outDir}/ (${framework.name})` }
    : inferredBuild;
  const start = startScript(dir, pkg);
  const { entrypoint, unsure, notes, warnings } = inferEntrypoint(dir, pkg, start, build?.value.outDir, layout, framework);
  warnings.push(...(framework?.warnings ?? []));
  warnings.push(...codeWarnings(dir, pkg, [...(entrypoint && !entrypoint.value.startsWith('node_modules/') ? [entrypoint.value] : []), ...listSources(path.join(dir, 'src')).map((f) => path.relative(dir, f))]));
  const env = envFiles(dir);
  if (env.length > 0) warnings.push(`${env.join(', ')}: build-time env files stay out of the image and its build (.dockerignore); set what the app needs with env in .projenrc.ts or kubernetes.env`);
  const served = framework && !build ? servedScript(framework) : undefined;
  // A preload in the project (`-r ./tracing.js`) must be in the image for NODE_OPTIONS to load it.
  const preloads = (start?.node?.preloads ?? []).map((p) => projectFile(dir, p)).filter((p): p is string => p !== undefined);
  const name = pkg.name && toAppName(pkg.name) ? { value: toAppName(pkg.name), from: 'package.json "name"' } : undefined;
  return {
    packageJson: pkg,
    name,
    version: pkg.version,
    packageManager: inferPackageManager(dir, pkg),
    ...nodeInfo,
    build,
    entrypoint,
    files: framework?.files && build
      ? { value: [...framework.files], from: `${framework.name}: read at run time` }
      : !build && (served ?? entrypoint) && !(served ?? entrypoint!.value).startsWith('node_modules/') ? inferRuntimeFiles(dir, served ?? entrypoint!.value, preloads) : undefined,
    port: framework?.port !== undefined && framework.name !== 'Fastify (fastify-cli start)'
      ? { value: framework.port, from: `${framework.name}'s default` }
      : inferPort(dir, served ?? entrypoint?.value, build?.value.outDir) ?? (framework?.port !== undefined ? { value: framework.port, from: `${framework.name}'s default` } : undefined),
    framework: framework ? { value: framework.name, from: framework.from } : undefined,
    healthPath: framework?.healthPath && entrypoint?.value === framework.entrypoint ? { value: framework.healthPath, from: `${framework.name} serves pages, no /healthz` } : undefined,
    args: framework?.args && entrypoint?.value === framework.entrypoint ? [...framework.args] : undefined,
    env: framework?.env && entrypoint?.value === framework.entrypoint ? { ...framework.env } : undefined,
    nextStandalone: framework?.nextStandalone === true && entrypoint?.value === framework.entrypoint,
    unsure,
    warnings,
    typescript: fs.existsSync(path.join(dir, 'tsconfig.json')) || !!pkg.devDependencies?.typescript || !!pkg.dependencies?.typescript,
    notes,
  };
}

function inferPackageManager(dir: string, pkg: PackageJson): Inferred<PackageManagerName> | undefined {
  const declared = pkg.packageManager?.split('@')[0];
  if (declared && findPackageManager(declared)) return { value: declared as PackageManagerName, from: 'package.json "packageManager"' };
  for (const name of packageManagerNames()) {
    const lockfile = findPackageManager(name)!.lockfile;
    if (fs.existsSync(path.join(dir, lockfile))) return { value: name, from: lockfile };
  }
  if (fs.existsSync(path.join(dir, 'npm-shrinkwrap.json'))) return { value: 'npm', from: 'npm-shrinkwrap.json' };
  return undefined;
}

function inferNodeVersion(dir: string, pkg: PackageJson): Pick<ProjectFacts, 'nodeVersion' | 'nodeVersionMismatch'> {
  for (const file of ['.nvmrc', '.node-version']) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) continue;
    const text = fs.readFileSync(p, 'utf8').split(/\r?\n/)[0].trim();
    if (!text) continue;
    const line = catalogLineOf(text);
    return line ? { nodeVersion: { value: line, from: `${file} (${text})` } } : { nodeVersionMismatch: { value: text, from: file } };
  }
  const range = pkg.engines?.node;
  if (range) {
    const line = catalogLineForRange(range);
    const from = `package.json "engines.node" (${range})`;
    return line ? { nodeVersion: { value: line, from } } : { nodeVersionMismatch: { value: range, from: 'package.json "engines.node"' } };
  }
  return {};
}

function inferBuild(dir: string, pkg: PackageJson): Inferred<{ script: string; outDir: string }> | undefined {
  const name = DEFAULTS.build.script;
  const script = pkg.scripts?.[name];
  if (!script) return undefined;
  const outDir = tsconfigOutDir(dir) ?? /--outDir[= ]+["']?([^\s"']+)/.exec(script)?.[1] ?? mainDir(pkg.main) ?? DEFAULTS.build.outDir;
  return { value: { script: name, outDir: stripDot(outDir) }, from: `package.json "scripts.${name}" (${script})` };
}

/** `compilerOptions.outDir` of tsconfig.json (JSON with comments and trailing commas). */
function tsconfigOutDir(dir: string): string | undefined {
  return sourceLayout(dir).outDir;
}

function mainDir(main: string | undefined): string | undefined {
  if (!main) return undefined;
  const first = stripDot(main).split('/');
  return first.length > 1 ? first[0] : undefined;
}

/** What the `node` command of a start script says. */
export interface StartCommand {
  /** The script node runs, as written; undefined with `-e`/`-p`, stdin or no script. */
  readonly script?: string;
  /** The option that makes node run code that is not a file (`-e`, `--eval`, `-p`, `--print`, `-`). */
  readonly inline?: string;
  /** Values of `-r`, `--require`, `--import`, `--loader`, `--experimental-loader`. */
  readonly preloads: string[];
  /** Node options before the script, each as written (`-r dotenv/config`, `--enable-source-maps`). */
  readonly options: string[];
  /** Arguments after the script. */
  readonly args: string[];
  /** `NAME=value` assignments before `node`. */
  readonly env: string[];
}

const PRELOAD_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
const INLINE_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);
/** Node options whose value may follow as the next word (besides the preloads and inline ones). */
const VALUE_OPTIONS = new Set([
  '-C', '--conditions', '--env-file', '--env-file-if-exists', '--input-type', '--title', '--inspect-port', '--debug-port',
  '--redirect-warnings', '--diagnostic-dir', '--report-dir', '--report-directory', '--report-filename', '--report-signal',
  '--cpu-prof-dir', '--cpu-prof-name', '--heap-prof-dir', '--heap-prof-name', '--disable-warning', '--watch-path',
  '--unhandled-rejections', '--stack-size', '--max-old-space-size', '--max-semi-space-size', '--secure-heap', '--secure-heap-min',
  '--openssl-config', '--tls-cipher-list', '--icu-data-dir', '--dns-result-order', '--experimental-config-file',
]);
/** Commands that run the rest of the line: `cross-env A=1 node x.js`, `exec node x.js`. */
const WRAPPERS = new Set(['exec', 'env', 'cross-env', 'dotenv', 'nohup']);

/**
 * Parses the `node` command of a start script. With several commands (`a && node server.js`) the
 * last one that runs node is the app: the ones before it must end for it to start.
 */
export function parseStartScript(script: string): StartCommand | undefined {
  let found: StartCommand | undefined;
  for (const words of commands(script)) {
    const env: string[] = [];
    let i = 0;
    while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]) || WRAPPERS.has(words[i]))) {
      if (!WRAPPERS.has(words[i])) env.push(words[i]);
      i++;
    }
    if (i >= words.length || !/^(?:.*\/)?node(?:\.exe)?$/.test(words[i])) continue;
    found = parseNodeArgs(words.slice(i + 1), env);
  }
  return found;
}

function parseNodeArgs(words: string[], env: string[]): StartCommand {
  const preloads: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '--') return { script: words[i + 1], preloads, options, args: words.slice(i + 2), env };
    if (word === '-') return { inline: '-', preloads, options, args: words.slice(i + 1), env };
    if (!word.startsWith('-')) return { script: word, preloads, options, args: words.slice(i + 1), env };
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const name = eq > 0 ? word.slice(0, eq) : word;
    let value: string | undefined = eq > 0 ? word.slice(eq + 1) : undefined;
    const takesValue = PRELOAD_OPTIONS.has(name) || INLINE_OPTIONS.has(name) || VALUE_OPTIONS.has(name);
    if (value === undefined && takesValue && i + 1 < words.length) value = words[++i];
    if (INLINE_OPTIONS.has(name)) return { inline: name, preloads, options, args: words.slice(i + 1), env };
    if (PRELOAD_OPTIONS.has(name) && value !== undefined) preloads.push(value);
    options.push(eq > 0 || value === undefined ? word : `${word} ${quoteWord(value)}`);
  }
  return { preloads, options, args: [], env };
}

/** A relative module path (`./tracing.js`, `../x`) that resolves to a file in the project. */
function projectFile(dir: string, spec: string): string | undefined {
  const p = spec.startsWith('file:') ? spec.slice('file:'.length).replace(/^\/\/(?=\/)/, '') : spec;
  if (!/^\.{0,2}\//.test(p)) return undefined;
  const file = resolveModule(path.resolve(dir, p));
  if (!file) return undefined;
  const rel = path.relative(dir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
}

/** The scripts that say how the app starts in production, in the order they are read. */
export const START_SCRIPTS = ['start:prod', 'start', 'serve'] as const;

/** The first start script that runs node or a runner: its name, text and what it runs. */
function startScript(dir: string, pkg: PackageJson): { name: string; text: string; node?: StartCommand; runner?: RunnerCommand } | undefined {
  for (const name of START_SCRIPTS) {
    const text = pkg.scripts?.[name];
    if (!text) continue;
    const node = parseStartScript(text);
    const runner = parseRunner(dir, text);
    if (node || runner) return { name, text, node, runner };
  }
  return undefined;
}

/** A bundler builds the app: its output names need not follow the sources. */
function bundles(pkg: PackageJson): boolean {
  const build = pkg.scripts?.[DEFAULTS.build.script] ?? '';
  return /\b(esbuild|tsup|rollup|webpack|ncc|vite|parcel|bun|swc|unbuild|pkgroll)\b/.test(build);
}

function inferEntrypoint(
  dir: string,
  pkg: PackageJson,
  start: ReturnType<typeof startScript>,
  outDir: string | undefined,
  layout: SourceLayout,
  framework: FrameworkLayout | undefined,
): Pick<ProjectFacts, 'entrypoint' | 'unsure'> & { notes: string[]; warnings: string[] } {
  const notes: string[] = [];
  const warnings: string[] = [];
  let entrypoint: Inferred<string> | undefined;
  let fallbackReason: string | undefined;
  let stated = false;
  const from = start ? `package.json "scripts.${start.name}" (${start.text})` : undefined;
  const node = start?.node;
  if (start?.runner) {
    const r = start.runner;
    warnings.push(`"scripts.${start.name}" runs ${r.runner}; the image runs node directly${r.script ? ` on ${r.script}` : ''}, without ${r.dropped}`);
  }
  // What the start script runs: node's script, else the runner's.
  const spec = node?.inline ? undefined : node?.script ?? (node ? undefined : start?.runner?.script);
  if (node?.inline) {
    fallbackReason = `start script runs inline code (${node.inline}), not a file`;
  } else if (spec && spec !== '.') {
    const file = /\.[cm]?tsx?$/.test(spec) ? (outDir ? outputOf(spec, outDir, layout) : undefined) : entryFile(dir, spec, outDir);
    if (file) {
      entrypoint = { value: file, from: /\.[cm]?tsx?$/.test(spec) ? `${from}, compiled into ${outDir}/` : from! };
      stated = true;
    } else if (/\.[cm]?tsx?$/.test(spec)) {
      fallbackReason = `start script runs the TypeScript source ${spec}${outDir ? ', outside the source folder' : ' and there is no build script'}`;
    } else {
      fallbackReason = `start script runs ${spec}, which is not in the project`;
    }
  }
  if (!entrypoint && framework?.entrypoint) {
    entrypoint = { value: framework.entrypoint, from: `${framework.name}, ${framework.from}` };
    stated = true;
  }
  if (!entrypoint && pkg.main && !/\.[cm]?tsx?$/.test(pkg.main)) {
    const file = entryFile(dir, pkg.main, outDir);
    if (file) {
      entrypoint = { value: file, from: 'package.json "main"' };
      stated = true;
    }
  }
  if (!entrypoint && outDir && layout.nest) {
    entrypoint = { value: `${outDir}/${layout.nest.entryFile}.js`, from: `nest-cli.json (sourceRoot "${layout.nest.sourceRoot}", entryFile "${layout.nest.entryFile}")` };
    stated = true;
  }
  if (!entrypoint && outDir) entrypoint = { value: `${outDir}/index.js`, from: `the build output folder "${outDir}"` };
  if (fallbackReason) notes.push(`${fallbackReason}: ${entrypoint ? `the entrypoint is ${entrypoint.value}, from ${entrypoint.from}` : 'no entrypoint found'}`);

  // An output file must come from a source: a guess (or a stated file a plain compiler would not write) without one is asked about.
  let unsure: ProjectFacts['unsure'];
  if (!framework && entrypoint && outDir && (entrypoint.value === outDir || entrypoint.value.startsWith(`${outDir}/`)) && !(stated && bundles(pkg))) {
    const source = sourceOf(dir, entrypoint.value, outDir, layout);
    if (source) {
      entrypoint = { value: entrypoint.value, from: `${entrypoint.from}; source ${source}` };
    } else {
      const roots = sourceRoots(layout).map((r) => (r === '.' ? 'the project root' : `${r}/`)).join(', ');
      unsure = {
        entrypoint: entrypoint.value,
        reason: `${entrypoint.value} (${entrypoint.from}) has no source in ${roots}`,
        choices: entryChoices(dir, outDir, layout).map((c) => ({ value: c.output, hint: `from ${c.source}` })),
      };
    }
  }

  if (node) {
    const them = (list: string[]) => (list.length === 1 ? 'it' : 'them');
    if (node.options.length > 0) {
      notes.push(`start script also passes ${node.options.join(' ')}; not carried into CMD: add ${them(node.options)} with NODE_OPTIONS in env in .projenrc.ts if needed`);
    }
    if (node.env.length > 0) {
      notes.push(`start script also sets ${node.env.join(' ')}; not carried into the image: add ${them(node.env)} to env in .projenrc.ts if needed`);
    }
    if (node.args.length > 0 && node.script) {
      notes.push(`start script also passes ${node.args.map(quoteWord).join(' ')} to ${node.script}; not carried into CMD: read ${them(node.args)} from env instead if needed`);
    }
  }
  return { entrypoint, unsure, notes, warnings };
}

/**
 * The file node runs for `spec`, relative to the project: `server` is `server.js`. Under the build
 * output folder it cannot exist yet and is taken as written; elsewhere it must exist.
 */
function entryFile(dir: string, spec: string, outDir: string | undefined): string | undefined {
  const rel = stripDot(spec.replace(/\\/g, '/'));
  if (rel === '' || rel.startsWith('../') || path.isAbsolute(rel)) return undefined;
  if (outDir && (rel === outDir || rel.startsWith(`${outDir}/`))) return withJs(rel);
  const file = resolveModule(path.resolve(dir, rel));
  if (!file) return undefined;
  const found = path.relative(dir, file);
  return found.startsWith('..') ? undefined : found.split(path.sep).join('/');
}

/**
 * The top-level files and folders a build-less app needs at run time: everything its entrypoint
 * reaches through relative `require()`/`import`, plus conventional asset folders.
 */
function inferRuntimeFiles(dir: string, entrypoint: string, preloads: readonly string[] = []): Inferred<string[]> {
  const tops = new Set<string>();
  const seen = new Set<string>();
  const queue = [entrypoint, ...preloads].map((f) => path.join(dir, f));
  while (queue.length > 0 && seen.size < 500) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const rel = path.relative(dir, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    tops.add(rel.split(path.sep)[0]);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/(?:require\s*\(|import\s*\(|from\s+|import\s+)\s*['"](\.{1,2}\/[^'"]*)['"]/g)) {
      const resolved = resolveModule(path.resolve(path.dirname(file), m[1]));
      if (resolved) queue.push(resolved);
    }
    // Folders read at run time next to the module (e.g. @fastify/autoload of plugins/ and routes/).
    for (const m of text.matchAll(/join\(\s*(?:__dirname|import\.meta\.dirname)\s*,\s*['"]([\w.-]+)['"]/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      const folder = path.relative(dir, target);
      if (!folder.startsWith('..') && !path.isAbsolute(folder) && fs.existsSync(target)) tops.add(folder.split(path.sep)[0]);
    }
  }
  for (const asset of ['public', 'views', 'static', 'assets']) {
    if (isDir(path.join(dir, asset))) tops.add(asset);
  }
  // The image always holds these (package.json from the context, node_modules from the install).
  tops.delete('package.json');
  tops.delete('node_modules');
  const roots = [entrypoint, ...preloads].join(' and ');
  return { value: [...tops].sort(), from: `the modules ${roots} load${preloads.length ? '' : 's'}` };
}

function resolveModule(base: string): string | undefined {
  for (const candidate of [base, `${base}.js`, `${base}.cjs`, `${base}.mjs`, `${base}.json`, path.join(base, 'index.js')]) {
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/** A port the code states: `PORT || 3000`, `PORT ?? 3000`, `listen(3000)`, `port = 3000`. */
function inferPort(dir: string, entrypoint: string | undefined, outDir: string | undefined): Inferred<number> | undefined {
  const candidates: string[] = [];
  if (entrypoint) candidates.push(entrypoint);
  if (entrypoint && outDir && entrypoint.startsWith(`${outDir}/`)) {
    const stem = entrypoint.slice(outDir.length + 1).replace(/\.[cm]?js$/, '');
    for (const ext of ['.ts', '.mts', '.cts', '.js', '.mjs']) candidates.push(`src/${stem}${ext}`);
  }
  for (const f of listSources(path.join(dir, 'src'))) candidates.push(path.relative(dir, f));
  for (const f of ['server.js', 'app.js', 'index.js', 'server.ts', 'app.ts', 'index.ts']) candidates.push(f);
  const patterns = [
    /PORT\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})\b/,
    /\.listen\(\s*(\d{2,5})\b/,
    /\bport\s*[:=]\s*['"]?(\d{2,5})\b/i,
  ];
  for (const rel of [...new Set(candidates)]) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, rel), 'utf8');
    } catch {
      continue;
    }
    for (const re of patterns) {
      const m = re.exec(text);
      const port = m ? Number(m[1]) : NaN;
      if (port >= 1 && port <= 65535) return { value: port, from: `${rel.split(path.sep).join('/')} (${m![0].trim()})` };
    }
  }
  return undefined;
}

function listSources(dir: string, depth = 0): string[] {
  if (depth > 3 || !isDir(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...listSources(p, depth + 1));
    else if (/\.[cm]?[jt]s$/.test(entry.name) && !/\.(test|spec|d)\.[cm]?[jt]s$/.test(entry.name)) out.push(p);
  }
  return out;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function stripDot(p: string): string {
  return p.replace(/^\.\//, '').replace(/\/+$/, '');
}

function withJs(p: string): string {
  return /\.[cm]?js$/.test(p) ? p : `${p}.js`;
}
