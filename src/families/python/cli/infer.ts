/**
 * What an existing Python project says: name, version, the package manager (from its lockfile),
 * how it starts (an ASGI/WSGI app and its server, a package with __main__.py, or a script) and its
 * port.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Inferred } from '../../../contract/family-cli';
import { topLevelModules } from '../index';
import { PythonProject, readPythonProject } from '../project';

export interface PythonInference {
  readonly project: PythonProject;
  readonly name?: Inferred<string>;
  readonly version?: string;
  readonly packageManager?: Inferred<string>;
  readonly pythonVersion?: Inferred<string>;
  readonly pythonMismatch?: Inferred<string>;
  readonly server?: Inferred<string>;
  readonly entrypoint?: Inferred<string>;
  readonly files?: Inferred<string[]>;
  readonly port?: Inferred<number>;
  readonly notes: string[];
}

/** App frameworks: the constructor that makes the app object, and the server kind. */
const FRAMEWORKS = [
  { dep: 'fastapi', ctor: 'FastAPI', server: 'uvicorn' },
  { dep: 'starlette', ctor: 'Starlette', server: 'uvicorn' },
  { dep: 'flask', ctor: 'Flask', server: 'gunicorn' },
] as const;

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Python source files to look at: top-level modules and the first level of top-level packages. */
function sourceFiles(dir: string): { module: string; file: string }[] {
  const out: { module: string; file: string }[] = [];
  for (const [name, rel] of Object.entries(topLevelModules(dir))) {
    if (rel.endsWith('.py')) {
      out.push({ module: name, file: path.join(dir, rel) });
    } else {
      for (const f of fs.readdirSync(path.join(dir, rel)).filter((x) => /^[A-Za-z_]\w*\.py$/.test(x)).sort()) {
        const sub = f.slice(0, -3);
        out.push({ module: sub === '__init__' ? name : `${name}.${sub}`, file: path.join(dir, rel, f) });
      }
    }
  }
  return out;
}

/** The Python line a version statement names (`3.13`, `3.13.1`, `>=3.12,<3.13`: its upper bound). */
function pythonLine(value: string): string | undefined {
  const exact = /^\s*(?:==\s*)?(3\.\d+)(?:\.[\d*]+)?\s*$/.exec(value);
  if (exact) return exact[1];
  const below = /<\s*3\.(\d+)/.exec(value);
  if (below) return `3.${Number(below[1]) - 1}`;
  return undefined;
}

export function inferPython(dir: string, catalog: readonly string[]): PythonInference {
  const project = readPythonProject(dir);
  const notes: string[] = [];
  const manifest = project.pyproject ? 'pyproject.toml' : 'requirements.txt';
  const name = project.name ? { value: project.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''), from: `${manifest} name` } : undefined;

  const packageManager = project.lockfiles.uv ? { value: 'uv', from: 'uv.lock' }
    : project.lockfiles.poetry ? { value: 'poetry', from: 'poetry.lock' }
      : project.lockfiles.requirements ? { value: 'pip', from: 'requirements.txt' } : undefined;
  if (!packageManager) notes.push('no uv.lock, poetry.lock or requirements.txt: the image build installs from requirements.txt (pin the dependencies there)');

  let pythonVersion: Inferred<string> | undefined;
  let pythonMismatch: Inferred<string> | undefined;
  if (project.pythonVersion) {
    const line = pythonLine(project.pythonVersion.value);
    if (line && catalog.includes(line)) pythonVersion = { value: line, from: project.pythonVersion.from };
    else if (line) pythonMismatch = { value: line, from: project.pythonVersion.from };
  }

  // The app object of a framework, and its server when that is a dependency.
  let server: Inferred<string> | undefined;
  let entrypoint: Inferred<string> | undefined;
  let port: Inferred<number> | undefined;
  const files = sourceFiles(dir);
  for (const fw of FRAMEWORKS) {
    if (!project.dependencies.includes(fw.dep)) continue;
    for (const { module, file } of files) {
      const m = new RegExp(`^([A-Za-z_]\\w*)\\s*(?::[^=]+)?=\\s*(?:[\\w.]+\\.)?${fw.ctor}\\(`, 'm').exec(read(file) ?? '');
      if (!m) continue;
      if (project.dependencies.includes(fw.server)) {
        server = { value: fw.server, from: `${fw.dep} and ${fw.server} in the dependencies` };
        entrypoint = { value: `${module}:${m[1]}`, from: path.relative(dir, file) };
      } else {
        notes.push(`${path.relative(dir, file)} makes a ${fw.ctor} app but ${fw.server} is not a dependency: add it to serve the app in production (runtime.server "${fw.server}")`);
      }
      break;
    }
    if (entrypoint) break;
  }
  if (!entrypoint) {
    const main = Object.entries(topLevelModules(dir)).find(([, rel]) => !rel.endsWith('.py') && fs.existsSync(path.join(dir, rel, '__main__.py')));
    if (main) {entrypoint = { value: main[0], from: `${main[1]}/__main__.py` };} else {
      const script = ['main.py', 'app.py', 'server.py'].find((f) => /if\s+__name__\s*==\s*["']__main__["']/.test(read(path.join(dir, f)) ?? ''));
      if (script) entrypoint = { value: script, from: `${script} (if __name__ == "__main__")` };
    }
  }
  for (const { file } of files) {
    const text = read(file) ?? '';
    const m = /(?:environ\.get|getenv)\(\s*["']PORT["']\s*,\s*["']?(\d{2,5})/.exec(text) ?? /\bport\s*=\s*(\d{2,5})\b/.exec(text);
    if (m) {
      port = { value: Number(m[1]), from: path.relative(dir, file) };
      break;
    }
  }
  let copied: Inferred<string[]> | undefined;
  if (entrypoint) {
    const top = entrypoint.value.endsWith('.py') ? entrypoint.value : entrypoint.value.split(':')[0].split('.')[0];
    const rel = entrypoint.value.endsWith('.py') ? top : topLevelModules(dir)[top] ?? top;
    copied = { value: [rel], from: 'the entrypoint\'s module' };
  }
  return { project, name, version: project.version, packageManager, pythonVersion, pythonMismatch, server, entrypoint, files: copied, port, notes };
}
