/**
 * What the Python family reads from a project: pyproject.toml (PEP 621 `[project]`, or Poetry's
 * `[tool.poetry]`), the lockfiles and requirements.txt. pyproject.toml is read with a small reader
 * for the TOML it needs (tables, strings, arrays of strings); anything else is skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Tables of a TOML file: `{ 'project': { name: 'x' }, 'tool.poetry.dependencies': { fastapi: '^0.1' } }`. */
export type TomlTables = Record<string, Record<string, string | string[] | boolean>>;

/** Reads the tables, string, boolean and string-array values of a TOML text (inline tables and numbers are skipped). */
export function readToml(text: string): TomlTables {
  const out: TomlTables = Object.create(null);
  let table = '';
  out[table] = Object.create(null);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]).trim();
    if (line === '') continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      table = header[1].split('.').map((k) => unquote(k.trim())).join('.');
      out[table] ??= Object.create(null);
      continue;
    }
    const kv = /^("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const key = unquote(kv[1]);
    let value = kv[2];
    if (value.startsWith('[')) {
      // a (possibly multi-line) array: collect until its brackets balance
      while (depth(value) > 0 && i + 1 < lines.length) value += ` ${stripComment(lines[++i]).trim()}`;
      const items = [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]));
      out[table][key] = items;
    } else if (/^"""/.test(value) || /^'''/.test(value)) {
      const q = value.slice(0, 3);
      let body = value.slice(3);
      while (!body.includes(q) && i + 1 < lines.length) body += `\n${lines[++i]}`;
      out[table][key] = body.slice(0, body.indexOf(q));
    } else if (/^"((?:[^"\\]|\\.)*)"/.test(value)) {
      out[table][key] = /^"((?:[^"\\]|\\.)*)"/.exec(value)![1].replace(/\\(.)/g, '$1');
    } else if (/^'([^']*)'/.test(value)) {
      out[table][key] = /^'([^']*)'/.exec(value)![1];
    } else if (value === 'true' || value === 'false') {
      out[table][key] = value === 'true';
    } else if (value.startsWith('{')) {
      // an inline table (e.g. a Poetry dependency `{ version = "^1" }`): kept as its text
      out[table][key] = value;
    }
  }
  return out;
}

function depth(s: string): number {
  let d = 0;
  let quote: string | undefined;
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {quote = c;} else if (c === '[') {d++;} else if (c === ']') {d--;}
  }
  return d;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {quote = c;} else if (c === '#') {return line.slice(0, i);}
  }
  return line;
}

function unquote(s: string): string {
  return /^".*"$|^'.*'$/.test(s) ? s.slice(1, -1) : s;
}

/** What the family knows about a Python project folder. */
export interface PythonProject {
  /** pyproject.toml exists. */
  readonly pyproject: boolean;
  readonly name?: string;
  readonly version?: string;
  readonly description?: string;
  readonly sourceUrl?: string;
  /** Normalized names of the runtime dependencies (PEP 503: lower case, `-`), from pyproject or requirements.txt. */
  readonly dependencies: readonly string[];
  /** Which lockfiles exist. */
  readonly lockfiles: { readonly uv: boolean; readonly poetry: boolean; readonly requirements: boolean };
  /** `requires-python` of pyproject.toml, or the first line of .python-version. */
  readonly pythonVersion?: { readonly value: string; readonly from: string };
}

/** PEP 503 name normalization. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The package name at the start of a PEP 508 requirement (`fastapi[standard]>=0.110` -> `fastapi`). */
export function requirementName(req: string): string | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req);
  return m ? normalizeName(m[1]) : undefined;
}

/** Requirement names of a requirements.txt (options, comments, includes and URLs skipped). */
export function requirementsNames(text: string): string[] {
  return text.split(/\r?\n/)
    .map((l) => l.replace(/\s+#.*$/, '').replace(/\\$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('-') && !l.startsWith('--'))
    .map(requirementName)
    .filter((n): n is string => n !== undefined);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads a Python project folder; never throws (a missing file is absent). */
export function readPythonProject(dir: string): PythonProject {
  const text = readText(path.join(dir, 'pyproject.toml'));
  const toml = text === undefined ? undefined : readToml(text);
  const project = toml?.project ?? {};
  const poetry = toml?.['tool.poetry'] ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const deps = new Set<string>();
  for (const r of (Array.isArray(project.dependencies) ? project.dependencies : [])) {
    const n = requirementName(r);
    if (n) deps.add(n);
  }
  for (const k of Object.keys(toml?.['tool.poetry.dependencies'] ?? {})) if (k !== 'python') deps.add(normalizeName(k));
  const requirements = readText(path.join(dir, 'requirements.txt'));
  for (const n of requirementsNames(requirements ?? '')) deps.add(n);
  const urls = toml?.['project.urls'] ?? {};
  const pinned = readText(path.join(dir, '.python-version'))?.split(/\r?\n/)[0]?.trim();
  const requires = str(project['requires-python']);
  return {
    pyproject: text !== undefined,
    name: str(project.name) ?? str(poetry.name),
    version: str(project.version) ?? str(poetry.version),
    description: str(project.description) ?? str(poetry.description),
    sourceUrl: str(urls.Source) ?? str(urls.Repository) ?? str(urls.source) ?? str(urls.repository) ?? str(poetry.repository),
    dependencies: [...deps].sort(),
    lockfiles: {
      uv: fs.existsSync(path.join(dir, 'uv.lock')),
      poetry: fs.existsSync(path.join(dir, 'poetry.lock')),
      requirements: requirements !== undefined,
    },
    pythonVersion: pinned ? { value: pinned, from: '.python-version' } : requires ? { value: requires, from: 'pyproject.toml requires-python' } : undefined,
  };
}
