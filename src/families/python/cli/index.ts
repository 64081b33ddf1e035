/**
 * The Python family's CLI side: detection (pyproject.toml, requirements.txt or a lockfile), adoption
 * inference, its settings (`--python-version`, `--python-package-manager`, `--python-server`), the
 * new-project sample, and the install of the projen tooling (npm; the app's own dependencies are
 * installed inside the image build from its lockfile).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inferPython } from './infer';
import { NEW_PYTHON_PROJECT_VERSION, SAMPLE_MODULE, newPythonProjectFiles } from './scaffold';
import { DETECTION_STRENGTH, type Adoption, type FamilyCli, type Setting } from '../../../contract/family-cli';
import { badFlag } from '../../../contract/family-cli';
import { TOOLING_FOLDER, addToolingDependencies, installTooling } from '../../kit/projen-tooling';
import { runtimeLineSetting } from '../../kit/runtime-line';
import { DEFAULT_PYTHON_VERSION, PYTHON_SERVERS, pythonInstallerNames, pythonVersions } from '../catalog';

const quoteAll = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');
const SERVERS = ['none', ...Object.keys(PYTHON_SERVERS)];

/** Files that make a folder a Python project, strongest first. */
const MANIFESTS = ['pyproject.toml', 'requirements.txt', 'uv.lock', 'poetry.lock', 'setup.py', 'Pipfile'];

function check(values: readonly string[], label: string, text: string, what: string): string {
  const value = text.trim();
  if (!values.includes(value)) throw badFlag(label, text, `one of ${quoteAll(values)}${what}`);
  return value;
}

const SETTINGS: readonly Setting[] = [
  runtimeLineSetting({
    key: 'pythonVersion',
    flag: 'python-version',
    message: 'Python version',
    lines: pythonVersions,
    defaultLine: DEFAULT_PYTHON_VERSION,
    keepOrder: true,
    check: (text, label) => check(pythonVersions(), label, text.replace(/^(\d+\.\d+)\.\d+$/, '$1'), ' (the Python lines with distroless runtime images)'),
    blocked: (m) => ({
      note: `${m.from} says ${m.value}, which has no runtime image`,
      error: `The project asks for Python ${m.value} (${m.from}), which matches none of the Python lines with distroless runtime images: ${quoteAll(pythonVersions())}. ` +
        `Pass --python-version to choose one (or update ${m.from}).`,
    }),
  }),
  {
    key: 'packageManager',
    flag: 'python-package-manager',
    prompt: { type: 'select', message: 'Python dependencies from', choices: () => pythonInstallerNames().map((n) => ({ name: n })) },
    infer: (ctx) => ctx.adoption?.inferred.packageManager?.value as string | undefined,
    default: () => 'pip',
    validate: (text, _ctx, label) => check(pythonInstallerNames(), label, text, ' (requirements.txt, uv.lock or poetry.lock)'),
  },
  {
    key: 'server',
    flag: 'python-server',
    prompt: { type: 'select', message: 'Server for an ASGI/WSGI app', choices: () => SERVERS.map((n) => ({ name: n })) },
    infer: (ctx) => ctx.adoption?.inferred.server?.value as string | undefined,
    default: () => 'none',
    validate: (text, _ctx, label) => check(SERVERS, label, text, ''),
  },
];

function adopt(dir: string): Adoption {
  const f = inferPython(dir, pythonVersions());
  const rows: Adoption['rows'] = [
    ['name', f.name?.value, f.name?.from],
    ['dependencies', f.packageManager?.value, f.packageManager?.from],
    ['Python', f.pythonVersion?.value ?? (f.pythonMismatch ? `${f.pythonMismatch.value} (no runtime image)` : undefined), f.pythonVersion?.from ?? f.pythonMismatch?.from],
    ['server', f.server?.value ?? 'none (the app serves HTTP itself)', f.server?.from],
    ['entrypoint', f.entrypoint?.value, f.entrypoint?.from],
    ['runtime files', f.files?.value.join(', '), f.files?.from],
    ['port', f.port ? String(f.port.value) : undefined, f.port?.from],
  ];
  return {
    name: f.name,
    version: f.version,
    inferred: { pythonVersion: f.pythonVersion, packageManager: f.packageManager, server: f.server, port: f.port },
    mismatch: { pythonVersion: f.pythonMismatch },
    entrypoint: f.entrypoint,
    files: f.files,
    rows,
    notes: f.notes,
    noEntrypoint: 'Cannot tell how the app starts: no FastAPI/Starlette app with uvicorn, no Flask app with gunicorn among the dependencies, no package with __main__.py ' +
      'and no main.py, app.py or server.py with `if __name__ == "__main__"`. Add one of them and run the command again.',
  };
}

/** The Python family, as the CLI sees it. */
export const pythonCli = {
  name: 'python',
  label: 'Python',
  detect(dir) {
    const found = MANIFESTS.find((f) => fs.existsSync(path.join(dir, f)));
    return found ? { strength: DETECTION_STRENGTH.languageManifest, from: found } : undefined;
  },
  newProjectVersion: NEW_PYTHON_PROJECT_VERSION,
  newProjectBuild: false,
  options: {
    'python-version': { type: 'string', value: '<x.y>', description: `Python line: ${pythonVersions().join(', ')}`, default: `${DEFAULT_PYTHON_VERSION}, or inferred` },
    'python-package-manager': { type: 'string', value: '<pm>', description: `Python dependencies from: ${pythonInstallerNames().join(', ')}`, default: 'inferred from the lockfile, else pip' },
    'python-server': { type: 'string', value: '<server>', description: `Python ASGI/WSGI server: ${SERVERS.join(', ')}`, default: 'inferred from the dependencies, else none' },
  },
  settings: SETTINGS,
  adopt,
  runtimeProps: (runtime) => ({
    props: {
      family: 'python',
      version: runtime.pythonVersion,
      packageManager: runtime.packageManager,
      ...(runtime.server && runtime.server !== 'none' ? { server: runtime.server } : {}),
    },
    comment: [
      `Builder image python:${runtime.pythonVersion}-slim-trixie, runtime image distroless python3-debian13 (the same Python);`,
      `dependencies install into a virtualenv from the ${runtime.packageManager} lockfile. Package managers: ${pythonInstallerNames().map((v) => `'${v}'`).join(', ')};`,
      `server: ${Object.keys(PYTHON_SERVERS).map((v) => `'${v}'`).join(', ')} (the entrypoint is then 'module:app'), else the entrypoint is a module or a script.`,
    ],
  }),
  defaultEntrypoint: () => SAMPLE_MODULE,
  buildCommand: (_runtime, script) => script,
  installer: () => 'npm (the tooling that runs .projenrc.ts)',
  installCommand: () => 'npm install',
  newProjectFiles: (def, tooling) => newPythonProjectFiles(def, tooling),
  addDevDependencies: (dir, def, tooling) => addToolingDependencies(dir, def, tooling),
  install: (dir, mode, def, tooling, options) => installTooling(dir, mode, def, tooling, options),
  installFolders: [TOOLING_FOLDER],
  alwaysCopied: 'the virtualenv of the locked dependencies',
} satisfies FamilyCli;
