/**
 * Reads an existing project and infers what the definition needs: package manager, Node.js line,
 * build script and output folder, entrypoint, runtime files, port. Nothing is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackageManagerName, findPackageManager, packageManagerNames } from '../index';
import { catalogLineForRange, catalogLineOf } from './node-version';
import { toAppName } from './rules';

/** A value and where it was read from, e.g. `{ value: 'pnpm', from: 'pnpm-lock.yaml' }`. */
export interface Inferred<T> {
  readonly value: T;
  readonly from: string;
}

/** The package.json fields adoption reads. */
export interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  type?: string;
  packageManager?: string;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

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
}

/** Reads package.json; `undefined` when there is none. Throws on a package.json that is not JSON. */
export function readPackageJson(dir: string): PackageJson | undefined {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Infers everything it can from the project in `dir` (which has a package.json). */
export function inferProject(dir: string, pkg: PackageJson): ProjectFacts {
  const nodeInfo = inferNodeVersion(dir, pkg);
  const build = inferBuild(dir, pkg);
  const entrypoint = inferEntrypoint(pkg, build?.value.outDir);
  const name = pkg.name && toAppName(pkg.name) ? { value: toAppName(pkg.name), from: 'package.json "name"' } : undefined;
  return {
    packageJson: pkg,
    name,
    version: pkg.version,
    packageManager: inferPackageManager(dir, pkg),
    ...nodeInfo,
    build,
    entrypoint,
    files: !build && entrypoint ? inferRuntimeFiles(dir, entrypoint.value) : undefined,
    port: inferPort(dir, entrypoint?.value, build?.value.outDir),
    typescript: fs.existsSync(path.join(dir, 'tsconfig.json')) || !!pkg.devDependencies?.typescript || !!pkg.dependencies?.typescript,
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
  const script = pkg.scripts?.build;
  if (!script) return undefined;
  const outDir = tsconfigOutDir(dir) ?? /--outDir[= ]+["']?([^\s"']+)/.exec(script)?.[1] ?? mainDir(pkg.main) ?? 'dist';
  return { value: { script: 'build', outDir: stripDot(outDir) }, from: `package.json "scripts.build" (${script})` };
}

/** `compilerOptions.outDir` of tsconfig.json (JSON with comments and trailing commas). */
function tsconfigOutDir(dir: string): string | undefined {
  const file = path.join(dir, 'tsconfig.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    const text = fs.readFileSync(file, 'utf8')
      .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str) => str ?? '')
      .replace(/,(\s*[}\]])/g, '$1');
    const outDir = (JSON.parse(text) as { compilerOptions?: { outDir?: string } }).compilerOptions?.outDir;
    return typeof outDir === 'string' ? outDir : undefined;
  } catch {
    return undefined;
  }
}

function mainDir(main: string | undefined): string | undefined {
  if (!main) return undefined;
  const first = stripDot(main).split('/');
  return first.length > 1 ? first[0] : undefined;
}

function inferEntrypoint(pkg: PackageJson, outDir: string | undefined): Inferred<string> | undefined {
  const start = pkg.scripts?.start;
  const fromStart = start ? /(?:^|&&|;)\s*(?:\S+=\S+\s+)*node\s+(?:-{1,2}\S+\s+)*([^\s-][^\s;&|]*)/.exec(start)?.[1] : undefined;
  if (fromStart && fromStart !== '.' && !/\.tsx?$/.test(fromStart)) {
    return { value: withJs(stripDot(fromStart)), from: `package.json "scripts.start" (${start})` };
  }
  if (pkg.main && !/\.tsx?$/.test(pkg.main)) return { value: withJs(stripDot(pkg.main)), from: 'package.json "main"' };
  if (outDir) return { value: `${outDir}/index.js`, from: `the build output folder "${outDir}"` };
  return undefined;
}

/**
 * The top-level files and folders a build-less app needs at run time: everything its entrypoint
 * reaches through relative `require()`/`import`, plus conventional asset folders.
 */
function inferRuntimeFiles(dir: string, entrypoint: string): Inferred<string[]> {
  const tops = new Set<string>();
  const seen = new Set<string>();
  const queue = [path.join(dir, entrypoint)];
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
  }
  for (const asset of ['public', 'views', 'static', 'assets']) {
    if (isDir(path.join(dir, asset))) tops.add(asset);
  }
  return { value: [...tops].sort(), from: `the modules ${entrypoint} loads` };
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
