/**
 * Where a project's sources are and where its compiler writes them: tsconfig.json `rootDir` and
 * `outDir` (following `extends` within the project), nest-cli.json `sourceRoot` and `entryFile`.
 * Maps a source file to its output (`src/main.ts` -> `dist/main.js`) and back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The compiler options adoption reads. */
export interface SourceLayout {
  /** `compilerOptions.rootDir`, when stated. */
  readonly rootDir?: string;
  /** `compilerOptions.outDir`, when stated. */
  readonly outDir?: string;
  /** nest-cli.json `sourceRoot` (default `src`) and `entryFile` (default `main`), when the file exists. */
  readonly nest?: { readonly sourceRoot: string; readonly entryFile: string };
}

/** Reads JSON with comments and trailing commas (tsconfig.json, nest-cli.json); undefined when absent or broken. */
export function readJsonc(file: string): Record<string, unknown> | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8')
      .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str) => str ?? '')
      .replace(/,(\s*[}\]])/g, '$1');
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `compilerOptions` of `file` merged over the ones it `extends` (relative files only, up to 5 deep). */
function compilerOptions(dir: string, file: string, depth = 0): Record<string, unknown> {
  const json = readJsonc(file);
  if (!json) return {};
  let base: Record<string, unknown> = {};
  const ext = json.extends;
  if (depth < 5 && typeof ext === 'string' && ext.startsWith('.')) {
    const parent = path.resolve(path.dirname(file), ext.endsWith('.json') ? ext : `${ext}.json`);
    // paths in an extended config are relative to that config
    const inherited = compilerOptions(dir, parent, depth + 1);
    base = Object.fromEntries(Object.entries(inherited).map(([k, v]) => [k, (k === 'rootDir' || k === 'outDir') && typeof v === 'string' ? relTo(dir, path.resolve(path.dirname(parent), v)) : v]));
  }
  const own = (json.compilerOptions && typeof json.compilerOptions === 'object' ? json.compilerOptions : {}) as Record<string, unknown>;
  const ownRel = Object.fromEntries(Object.entries(own).map(([k, v]) => [k, (k === 'rootDir' || k === 'outDir') && typeof v === 'string' ? relTo(dir, path.resolve(path.dirname(file), v)) : v]));
  return { ...base, ...ownRel };
}

function relTo(dir: string, abs: string): string {
  return path.relative(dir, abs).split(path.sep).join('/') || '.';
}

/** The project's source layout (tsconfig.build.json first when present: NestJS builds with it). */
export function sourceLayout(dir: string): SourceLayout {
  let rootDir: string | undefined;
  let outDir: string | undefined;
  for (const name of ['tsconfig.build.json', 'tsconfig.json']) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const o = compilerOptions(dir, file);
    rootDir ??= typeof o.rootDir === 'string' ? o.rootDir : undefined;
    outDir ??= typeof o.outDir === 'string' ? o.outDir : undefined;
  }
  const nestJson = fs.existsSync(path.join(dir, 'nest-cli.json')) ? readJsonc(path.join(dir, 'nest-cli.json')) ?? {} : undefined;
  const nest = nestJson
    ? {
      sourceRoot: typeof nestJson.sourceRoot === 'string' ? stripDot(nestJson.sourceRoot) : 'src',
      entryFile: typeof nestJson.entryFile === 'string' ? stripDot(nestJson.entryFile) : 'main',
    }
    : undefined;
  return { rootDir: rootDir === undefined ? undefined : stripDot(rootDir), outDir: outDir === undefined ? undefined : stripDot(outDir), nest };
}

/** Folders the sources may live in, most likely first: `rootDir`, else nest's `sourceRoot`, `src` and the project root. */
export function sourceRoots(layout: SourceLayout): string[] {
  if (layout.rootDir !== undefined) return [layout.rootDir];
  return [...new Set([...(layout.nest ? [layout.nest.sourceRoot] : []), 'src', '.'])];
}

const SOURCE_EXTS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.js', '.jsx'],
  '.mjs': ['.mts', '.mjs'],
  '.cjs': ['.cts', '.cjs'],
};

/**
 * The source of an output file (`dist/main.js` -> `src/main.ts`), relative to the project;
 * undefined when no source exists at any of the places the layout allows.
 */
export function sourceOf(dir: string, output: string, outDir: string, layout: SourceLayout): string | undefined {
  if (output !== outDir && !output.startsWith(`${outDir}/`)) return undefined;
  const inner = output.slice(outDir.length + 1);
  const ext = /\.[cm]?js$/.exec(inner)?.[0] ?? '.js';
  const stem = inner.slice(0, inner.length - (inner.endsWith(ext) ? ext.length : 0));
  for (const root of sourceRoots(layout)) {
    for (const e of SOURCE_EXTS[ext]) {
      const rel = root === '.' ? `${stem}${e}` : `${root}/${stem}${e}`;
      if (isFile(path.join(dir, rel))) return rel;
    }
  }
  return undefined;
}

/** The output of a source file (`src/main.ts` -> `dist/main.js`); undefined when it is outside the source roots. */
export function outputOf(source: string, outDir: string, layout: SourceLayout): string | undefined {
  const clean = stripDot(source);
  for (const root of sourceRoots(layout)) {
    if (root !== '.' && !clean.startsWith(`${root}/`)) continue;
    const inner = root === '.' ? clean : clean.slice(root.length + 1);
    return `${outDir}/${inner.replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs').replace(/\.(tsx?|jsx)$/, '.js')}`;
  }
  return undefined;
}

/** Top-level source files that could start a server, as output files, for the user to choose from. */
export function entryChoices(dir: string, outDir: string, layout: SourceLayout): { output: string; source: string }[] {
  const out: { output: string; source: string }[] = [];
  for (const root of sourceRoots(layout)) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(dir, root)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/\.([cm]?ts|tsx|[cm]?js)$/.test(name) || /\.(test|spec|d|config)\.[cm]?[jt]sx?$/.test(name) || /^(jest|vitest|eslint|prettier|webpack|rollup|vite)\b/.test(name)) continue;
      const source = root === '.' ? name : `${root}/${name}`;
      if (!isFile(path.join(dir, source))) continue;
      const output = outputOf(source, outDir, layout);
      if (output && !out.some((c) => c.output === output)) out.push({ output, source });
    }
    if (out.length > 0) break;
  }
  return out;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function stripDot(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '') || '.';
}
