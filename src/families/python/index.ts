/**
 * The Python family: the locked dependencies installed into a virtualenv in a cacheable stage of
 * the official python image, the virtualenv and the app's sources copied into distroless python3;
 * the app runs as a module (`python -m app`), a script, or an ASGI/WSGI app under uvicorn/gunicorn.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_PYTHON_VERSION, PYTHON_INSTALLERS, PYTHON_SERVERS, PythonInstallerSpec, VENV_DIR, findPythonRuntime, pythonInstallerNames, pythonVersions,
} from './catalog';
import { pythonEntrypoint, pythonRuntimePolicy } from './policy';
import { PythonProject, readPythonProject } from './project';
import type { AppProps } from '../../contract/app-props';
import { DEFAULTS } from '../../contract/defaults';
import type { FamilyResolution, RuntimeFamily } from '../../contract/family';
import type { AppModel, RuntimeCopy } from '../../contract/model';
import type { PythonRuntimeOptions } from '../../contract/options/python';
import * as v from '../../validation';
import { buildSecretsContext, registrySecretFiles } from '../kit/build-secrets';
import { TOOLING_CI_INSTALL, TOOLING_FOLDER } from '../kit/projen-tooling';

/** Family defaults. */
export const PYTHON_DEFAULTS = {
  version: DEFAULT_PYTHON_VERSION,
  packageManager: 'pip',
  /** The module a new project runs (`python -m app`). */
  entrypoint: 'app',
} as const;

/** What the family reads from the project folder. */
export interface PythonFacts extends PythonProject {
  /** Top-level modules of the folder: name -> the file or package folder. */
  readonly modules: Readonly<Record<string, string>>;
}

const MODULE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const APP_REF = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_.]*(\(\))?$/;

function options(props: AppProps): Partial<PythonRuntimeOptions> {
  return (props.runtime ?? {}) as Partial<PythonRuntimeOptions>;
}

/** Top-level modules: `x.py` files and folders with `__init__.py` or `__main__.py`. */
export function topLevelModules(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isFile() && /^[A-Za-z_]\w*\.py$/.test(e.name)) out[e.name.slice(0, -3)] = e.name;
    else if (e.isDirectory() && /^[A-Za-z_]\w*$/.test(e.name)
      && (fs.existsSync(path.join(dir, e.name, '__init__.py')) || fs.existsSync(path.join(dir, e.name, '__main__.py')))) out[e.name] = e.name;
  }
  return out;
}

/** How the entrypoint is run: a script (`x.py`), an app under a server (`module:attr`), or a module. */
export function entrypointKind(entrypoint: string, server: string | undefined): 'script' | 'app' | 'module' {
  if (server !== undefined) return 'app';
  return entrypoint.endsWith('.py') ? 'script' : 'module';
}

/** The top-level module or file the entrypoint lives in (copied into the image by default). */
function entrypointRoot(entrypoint: string, kind: 'script' | 'app' | 'module', facts: PythonFacts | undefined): string {
  if (kind === 'script') return entrypoint.split('/')[0];
  const top = entrypoint.split(':')[0].split('.')[0];
  return facts?.modules[top] ?? top;
}

function installerOf(model: AppModel): PythonInstallerSpec {
  return PYTHON_INSTALLERS[model.runtime.settings.packageManager as 'pip'] ?? PYTHON_INSTALLERS.pip;
}

export const pythonFamily: RuntimeFamily = {
  name: 'python',
  description: 'Python on distroless python3 (a virtualenv from pip, uv or Poetry lockfiles)',

  readFacts: (dir: string): PythonFacts => ({ ...readPythonProject(dir), modules: topLevelModules(dir) }),

  validate(props, _facts, p) {
    const o = options(props);
    const version = o.version ?? DEFAULT_PYTHON_VERSION;
    p.check(findPythonRuntime(String(version)) !== undefined, 'runtime.version', version,
      `one of ${pythonVersions().map((x) => `"${x}"`).join(', ')} (the Python of distroless python3-debian13; the builder python:<version>-slim-trixie matches it)`);
    const pm = o.packageManager ?? PYTHON_DEFAULTS.packageManager;
    p.check((pythonInstallerNames() as string[]).includes(pm), 'runtime.packageManager', pm, `one of ${pythonInstallerNames().map((x) => `"${x}"`).join(', ')}`);
    if (o.server !== undefined) p.check(Object.keys(PYTHON_SERVERS).includes(o.server), 'runtime.server', o.server, `one of ${Object.keys(PYTHON_SERVERS).map((x) => `"${x}"`).join(', ')}, or nothing`);
    for (const [key, value] of Object.entries(o)) {
      if (!['family', 'version', 'packageManager', 'server'].includes(key)) p.add(`runtime.${key}`, value, 'one of the Python family\'s settings: family, version, packageManager, server');
    }
    p.check(props.build === undefined || props.build === false, 'build', props.build, 'false or nothing: the Python family runs its sources (dependencies come from the lockfile)');
    p.check(props.image?.healthcheck === undefined || props.image.healthcheck === false, 'image.healthcheck', props.image?.healthcheck, 'false or nothing (the Python family relies on the Kubernetes probes)');
    const entrypoint = props.entrypoint;
    if (entrypoint !== undefined) {
      if (o.server !== undefined) {
        p.check(typeof entrypoint === 'string' && APP_REF.test(entrypoint), 'entrypoint', entrypoint, `the ${PYTHON_SERVERS[o.server]?.kind ?? 'ASGI/WSGI'} app as "module:attribute", e.g. "main:app" (runtime.server is ${o.server})`);
      } else {
        p.check(typeof entrypoint === 'string' && (MODULE.test(entrypoint) || (entrypoint.endsWith('.py') && v.isRelativePath(entrypoint))), 'entrypoint', entrypoint,
          'a module such as "app" (run as python -m app) or a script such as "main.py"; for "module:attribute" set runtime.server to "uvicorn" or "gunicorn"');
      }
    }
  },

  resolve(props, facts): FamilyResolution {
    const f = facts as PythonFacts | undefined;
    const o = options(props);
    const spec = findPythonRuntime(String(o.version ?? DEFAULT_PYTHON_VERSION)) ?? findPythonRuntime(DEFAULT_PYTHON_VERSION)!;
    const installer = PYTHON_INSTALLERS[o.packageManager as 'pip'] ?? PYTHON_INSTALLERS.pip;
    const server = o.server !== undefined && Object.prototype.hasOwnProperty.call(PYTHON_SERVERS, o.server) ? o.server : undefined;
    const entrypoint = typeof props.entrypoint === 'string' ? props.entrypoint : PYTHON_DEFAULTS.entrypoint;
    const kind = entrypointKind(entrypoint, server);
    const port = props.port ?? DEFAULTS.port;
    const cmd = kind === 'app' ? PYTHON_SERVERS[server!].cmd(entrypoint, port) : kind === 'script' ? [entrypoint] : ['-m', entrypoint];
    const root = entrypointRoot(entrypoint, kind, f);
    const files = props.files ?? [root];
    const copies: RuntimeCopy[] = files.map(v.normalizePath).map((x) => ({ src: x, dest: x }));
    return {
      version: spec.version,
      images: { builder: `${spec.builderImage}:${spec.builderTag}`, runtime: `${spec.runtimeImage}:${spec.runtimeTag}`, debug: `${spec.runtimeImage}:${spec.debugTag}` },
      platforms: spec.platforms,
      debugTag: spec.debugTag,
      uid: spec.uid,
      gid: spec.gid,
      entrypoint,
      ...(root !== entrypoint ? { entrypointPath: root } : {}),
      cmd,
      installFiles: [...installer.installFiles],
      copies,
      metadata: { version: f?.version, description: f?.description, sourceUrl: f?.sourceUrl },
      settings: {
        packageManager: installer.name,
        lockfile: installer.lockfile,
        ...(server ? { server } : {}),
        interpreter: spec.runtimePython,
      },
    };
  },

  dockerfile: {
    stages: () => ['base', 'venv', 'runtime'],
    copyFrom: () => ['venv'],
    policy: (model) => pythonRuntimePolicy(model.workdir),
    roles: () => ({ dependencies: 'venv' }),
    exec: (model) => ({ entrypoint: pythonEntrypoint(model.workdir), cmd: model.runtime.cmd }),
    context(model) {
      const installer = installerOf(model);
      const spec = findPythonRuntime(model.runtime.version) ?? findPythonRuntime(DEFAULT_PYTHON_VERSION)!;
      return {
        ...buildSecretsContext('python', 'python'),
        py: {
          builderPython: spec.builderPython,
          runtimePython: spec.runtimePython,
          runtimeBin: path.posix.dirname(spec.runtimePython),
          venv: VENV_DIR,
          installer: installer.name,
          installFiles: installer.installFiles,
          tool: installer.tool,
          cacheDir: installer.cacheDir,
          env: Object.entries({ ...installer.env, ...(installer.name === 'uv' ? { UV_PYTHON: spec.runtimePython } : {}) }).map(([name, value]) => ({ name, value })),
          install: installer.install,
          entrypoint: pythonEntrypoint(model.workdir),
        },
      };
    },
  },

  dockerignore: {
    sections: [
      {
        comment: 'Virtualenvs, caches and bytecode: dependencies are installed inside the build from the lockfile',
        patterns: ['.venv', '**/.venv', 'venv', '**/__pycache__', '**/*.py[cod]', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.nox',
          '**/*.egg-info', '.coverage', 'htmlcov', '.ipynb_checkpoints'],
      },
      { comment: 'The tooling that runs .projenrc.ts (not part of the image)', patterns: [TOOLING_FOLDER, 'package.json', 'package-lock.json'] },
    ],
    dependencyDirs: [VENV_DIR, TOOLING_FOLDER],
    secretFiles: registrySecretFiles('python'),
  },

  buildWarnings(model, dir, missingCopies) {
    const installer = installerOf(model);
    const out: string[] = [];
    for (const file of installer.installFiles) {
      if (!fs.existsSync(path.join(dir, file))) {
        out.push(`${file} not found: the image build copies it before the dependency install (${installer.name === 'pip' ? 'pin the dependencies in requirements.txt, e.g. with pip-compile --generate-hashes' : `run ${installer.name} lock`})`);
      }
    }
    out.push(...missingCopies);
    const server = model.runtime.settings.server as string | undefined;
    const facts = readPythonProject(dir);
    if (server && !facts.dependencies.includes(server)) {
      out.push(`runtime.server is ${server}, which is not among the project's dependencies: add it (the runtime image runs python -m ${server})`);
    }
    return out;
  },


  ci(model, facts) {
    const installer = installerOf(model);
    const pytest = (facts as PythonFacts | undefined)?.dependencies.includes('pytest') === true;
    return {
      toolchains: { python: model.runtime.version },
      install: [...(installer.tool ? [`python -m pip install ${installer.tool}`] : []), installer.ciInstall, TOOLING_CI_INSTALL],
      test: pytest ? [installer.ciRun('pytest')] : [],
      ...(pytest ? {} : { note: `pytest is not among the dependencies read from ${installer.lockfile === 'requirements.txt' ? 'requirements.txt' : 'pyproject.toml'}` }),
    };
  },
};
