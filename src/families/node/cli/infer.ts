/**
 * Reads an existing project and infers what the definition needs: package manager, Node.js line,
 * build script and output folder, entrypoint, runtime files, port. Nothing is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogLineForRange, catalogLineOf } from './node-version';
import { toAppName } from '../../../cli/rules';
import { PackageManagerName, findPackageManager, packageManagerNames } from '../../../index';
import { DEFAULTS } from '../../../model/defaults';

/** A value and where it was read from, e.g. `{ value: 'pnpm', from: 'pnpm-lock.yaml' }`. */
export interface Inferred<T> {
  readonly value: T;
  readonly from: string;
}

// The one package.json reader (strict here: adoption names a field of the wrong type).
export { loadPackageJson as readPackageJson, type PackageJson } from '../package-json';
import { type PackageJson } from '../package-json';

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
}

/** Infers everything it can from the project in `dir` (which has a package.json). */
export function inferProject(dir: string, pkg: PackageJson): ProjectFacts {
  const nodeInfo = inferNodeVersion(dir, pkg);
  const build = inferBuild(dir, pkg);
  const start = pkg.scripts?.start ? parseStartScript(pkg.scripts.start) : undefined;
  const { entrypoint, notes } = inferEntrypoint(dir, pkg, start, build?.value.outDir);
  // A preload in the project (`-r ./tracing.js`) must be in the image for NODE_OPTIONS to load it.
  const preloads = (start?.preloads ?? []).map((p) => projectFile(dir, p)).filter((p): p is string => p !== undefined);
  const name = pkg.name && toAppName(pkg.name) ? { value: toAppName(pkg.name), from: 'package.json "name"' } : undefined;
  return {
    packageJson: pkg,
    name,
    version: pkg.version,
    packageManager: inferPackageManager(dir, pkg),
    ...nodeInfo,
    build,
    entrypoint,
    files: !build && entrypoint ? inferRuntimeFiles(dir, entrypoint.value, preloads) : undefined,
    port: inferPort(dir, entrypoint?.value, build?.value.outDir),
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

/** Splits a shell line into commands (at `&&`, `||`, `;`, `|`, `&`) of words, honouring quotes. */
function commands(line: string): string[][] {
  const out: string[][] = [[]];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) out[out.length - 1].push(word);
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const close = line.indexOf(c, i + 1);
      const stop = close < 0 ? line.length : close;
      word = (word ?? '') + line.slice(i + 1, stop);
      i = stop;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      end();
    } else if (c === ';' || c === '&' || c === '|') {
      end();
      if (line[i + 1] === c) i++;
      out.push([]);
    } else {
      word = (word ?? '') + c;
    }
  }
  end();
  return out;
}

function quoteWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
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

function inferEntrypoint(
  dir: string,
  pkg: PackageJson,
  start: StartCommand | undefined,
  outDir: string | undefined,
): { entrypoint?: Inferred<string>; notes: string[] } {
  const notes: string[] = [];
  const script = pkg.scripts?.start;
  let entrypoint: Inferred<string> | undefined;
  let fallbackReason: string | undefined;
  if (start?.inline) {
    fallbackReason = `start script runs inline code (${start.inline}), not a file`;
  } else if (start?.script && start.script !== '.' && !/\.[cm]?tsx?$/.test(start.script)) {
    const file = entryFile(dir, start.script, outDir);
    if (file) entrypoint = { value: file, from: `package.json "scripts.start" (${script})` };
    else fallbackReason = `start script runs ${start.script}, which is not in the project`;
  }
  if (!entrypoint && pkg.main && !/\.[cm]?tsx?$/.test(pkg.main)) {
    const file = entryFile(dir, pkg.main, outDir);
    if (file) entrypoint = { value: file, from: 'package.json "main"' };
  }
  if (!entrypoint && outDir) entrypoint = { value: `${outDir}/index.js`, from: `the build output folder "${outDir}"` };
  if (fallbackReason) notes.push(`${fallbackReason}: ${entrypoint ? `the entrypoint is ${entrypoint.value}, from ${entrypoint.from}` : 'no entrypoint found'}`);

  if (start) {
    const them = (list: string[]) => (list.length === 1 ? 'it' : 'them');
    if (start.options.length > 0) {
      notes.push(`start script also passes ${start.options.join(' ')}; not carried into CMD: add ${them(start.options)} with NODE_OPTIONS in env in .projenrc.ts if needed`);
    }
    if (start.env.length > 0) {
      notes.push(`start script also sets ${start.env.join(' ')}; not carried into the image: add ${them(start.env)} to env in .projenrc.ts if needed`);
    }
    if (start.args.length > 0 && start.script) {
      notes.push(`start script also passes ${start.args.map(quoteWord).join(' ')} to ${start.script}; not carried into CMD: read ${them(start.args)} from env instead if needed`);
    }
  }
  return { entrypoint, notes };
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
  }
  for (const asset of ['public', 'views', 'static', 'assets']) {
    if (isDir(path.join(dir, asset))) tops.add(asset);
  }
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
