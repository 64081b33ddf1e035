/** The `runtime` props of the Python family. */

/** How dependencies are installed from the project's lockfile. */
export type PythonPackageManager = 'pip' | 'uv' | 'poetry';
/** The server that runs an ASGI/WSGI app (`entrypoint` is then `module:attribute`). */
export type PythonServer = 'uvicorn' | 'gunicorn';

/** Python runtime selection. */
export interface PythonRuntimeOptions {
  /** The runtime family. */
  readonly family: 'python';
  /**
   * Python minor version: the builder `python:<version>-slim-trixie` and the runtime
   * `distroless/python3-debian13` share it (a virtualenv is tied to its interpreter).
   * @default "3.13" (the Python of Debian 13, the only line distroless publishes)
   */
  readonly version?: string;
  /**
   * How dependencies are installed into the virtualenv, from the lockfile: `pip` (requirements.txt,
   * hashes honoured), `uv` (uv.lock, `uv sync --frozen`) or `poetry` (poetry.lock).
   * @default "pip"
   */
  readonly packageManager?: PythonPackageManager;
  /**
   * Run an ASGI app with uvicorn or a WSGI app with gunicorn (both must be dependencies); the
   * `entrypoint` is then `module:attribute` (e.g. `main:app`). Without a server the entrypoint is a
   * module (`app`, run as `python -m app`) or a script (`main.py`).
   * @default - none: the app serves HTTP itself
   */
  readonly server?: PythonServer;
}
