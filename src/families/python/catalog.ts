/**
 * The Python catalog: data, not code paths. The builder (the official python image, Python under
 * /usr/local) and the distroless runtime (Debian's python3 at /usr/bin) share the Python minor and
 * the Debian release, because a virtualenv is tied to its interpreter: it records the interpreter's
 * path (`home` in pyvenv.cfg, the bin/python symlink) and holds extension modules built for its ABI.
 * The builder links the runtime's interpreter path to its own Python, and creates the virtualenv
 * with that path, so the virtualenv runs unchanged in the runtime image.
 */

import { distrolessPlatforms } from '../kit/distroless';

export interface PythonRuntimeSpec {
  readonly family: 'python';
  /** Python minor version, e.g. `3.13`. */
  readonly version: string;
  readonly builderImage: string;
  /** Builder tag on the runtime's Debian release. */
  readonly builderTag: string;
  /** The builder's interpreter (the official image's /usr/local layout). */
  readonly builderPython: string;
  readonly runtimeImage: string;
  readonly runtimeTag: string;
  readonly debugTag: string;
  /** The runtime's interpreter (Debian's), the path the virtualenv must name. */
  readonly runtimePython: string;
  readonly uid: number;
  readonly gid: number;
  /** Debian release shared by builder and runtime (glibc of native wheels). */
  readonly debianRelease: string;
  /** OCI platforms the distroless image is published for (distroless `python3/config.bzl`). */
  readonly platforms: readonly string[];
}

export const PYTHON_RUNTIMES: Readonly<Record<string, PythonRuntimeSpec>> = {
  3.13: {
    family: 'python',
    version: '3.13',
    builderImage: 'docker.io/library/python',
    builderTag: '3.13-slim-trixie',
    builderPython: '/usr/local/bin/python3.13',
    runtimeImage: 'gcr.io/distroless/python3-debian13',
    runtimeTag: 'nonroot',
    debugTag: 'debug-nonroot',
    runtimePython: '/usr/bin/python3.13',
    uid: 65532,
    gid: 65532,
    debianRelease: 'trixie',
    platforms: distrolessPlatforms(['amd64', 'arm64', 'riscv64']),
  },
};

export const DEFAULT_PYTHON_VERSION = '3.13';

/** The Python versions the catalog knows. */
export function pythonVersions(): string[] {
  return Object.keys(PYTHON_RUNTIMES).sort();
}

export function findPythonRuntime(version: string): PythonRuntimeSpec | undefined {
  return Object.prototype.hasOwnProperty.call(PYTHON_RUNTIMES, version) ? PYTHON_RUNTIMES[version] : undefined;
}

/** The virtualenv, under the working directory (the runtime stage copies only workdir paths). */
export const VENV_DIR = '.venv';

/** The tool versions the builder installs (pinned, so a rebuild installs the same tool). */
export const PYTHON_TOOLS = { uv: '0.9.7', poetry: '2.2.1' } as const;

/** How each package manager installs the locked dependencies into the virtualenv. */
export interface PythonInstallerSpec {
  readonly name: 'pip' | 'uv' | 'poetry';
  /** The lockfile (the manifest for pip), copied with {@link installFiles} before the sources. */
  readonly lockfile: string;
  /** Files copied before the install. */
  readonly installFiles: readonly string[];
  /** pip spec installed into the builder's Python (none: pip itself). */
  readonly tool?: string;
  /** The cache mount of the install. */
  readonly cacheDir: string;
  /** Environment of the install step. */
  readonly env: Readonly<Record<string, string>>;
  /** Installs the locked runtime dependencies (not the project itself, not dev groups) into the venv. */
  readonly install: string;
  /** Installs the locked dependencies on a CI machine, for the project's tests (dev groups included). */
  readonly ciInstall: string;
  /** Runs a command in the environment of {@link ciInstall}. */
  readonly ciRun: (command: string) => string;
}

export const PYTHON_INSTALLERS: Readonly<Record<'pip' | 'uv' | 'poetry', PythonInstallerSpec>> = {
  pip: {
    name: 'pip',
    lockfile: 'requirements.txt',
    installFiles: ['requirements.txt'],
    cacheDir: '/root/.cache/pip',
    env: { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    // a requirements file with hashes puts pip in hash-checking mode by itself
    install: `pip --python ${VENV_DIR}/bin/python install -r requirements.txt`,
    ciInstall: 'python -m pip install -r requirements.txt',
    ciRun: (command) => `python -m ${command}`,
  },
  uv: {
    name: 'uv',
    lockfile: 'uv.lock',
    installFiles: ['pyproject.toml', 'uv.lock'],
    tool: `uv==${PYTHON_TOOLS.uv}`,
    cacheDir: '/root/.cache/uv',
    env: { UV_PROJECT_ENVIRONMENT: VENV_DIR, UV_PYTHON_DOWNLOADS: 'never', UV_LINK_MODE: 'copy', UV_COMPILE_BYTECODE: '1' },
    install: 'uv sync --frozen --no-dev --no-install-project',
    ciInstall: 'uv sync --frozen',
    ciRun: (command) => `uv run --frozen ${command}`,
  },
  poetry: {
    name: 'poetry',
    lockfile: 'poetry.lock',
    installFiles: ['pyproject.toml', 'poetry.lock'],
    tool: `poetry==${PYTHON_TOOLS.poetry}`,
    cacheDir: '/root/.cache/pypoetry',
    env: { VIRTUAL_ENV: VENV_DIR, POETRY_VIRTUALENVS_CREATE: 'false', POETRY_NO_INTERACTION: '1' },
    install: 'poetry install --only main --no-root',
    ciInstall: 'poetry install --no-root',
    ciRun: (command) => `poetry run ${command}`,
  },
};

export function pythonInstallerNames(): ('pip' | 'uv' | 'poetry')[] {
  return Object.keys(PYTHON_INSTALLERS) as ('pip' | 'uv' | 'poetry')[];
}

/** The servers an ASGI/WSGI app runs under: the CMD after the interpreter, for an app and a port. */
export const PYTHON_SERVERS: Readonly<Record<'uvicorn' | 'gunicorn', { readonly kind: string; readonly cmd: (app: string, port: number) => string[] }>> = {
  // uvicorn stops accepting, finishes open requests and exits on SIGTERM
  uvicorn: { kind: 'ASGI', cmd: (app, port) => ['-m', 'uvicorn', app, '--host', '0.0.0.0', '--port', String(port)] },
  // the worker heartbeat files go to /dev/shm: the root filesystem is read-only
  gunicorn: { kind: 'WSGI', cmd: (app, port) => ['-m', 'gunicorn', '--bind', `0.0.0.0:${port}`, '--worker-tmp-dir', '/dev/shm', app] },
};
