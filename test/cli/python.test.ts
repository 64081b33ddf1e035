/**
 * The Python family through the CLI (in process, --skip-install): a new project's layout and
 * definition, adoption of a FastAPI project (family, server, app, port, version inferred), and a
 * second run on the adopted project (its projen package.json is not taken for a Node.js project).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { cli, read, tempDir, writeFiles } from './helpers';

export const FASTAPI_APP: Record<string, string> = {
  'pyproject.toml': '[project]\nname = "orders_api"\nversion = "1.4.0"\nrequires-python = ">=3.12"\ndependencies = [\n  "fastapi>=0.115",\n  "uvicorn>=0.30",\n]\n',
  'requirements.txt': 'fastapi==0.115.0 \\\n    --hash=sha256:00\nuvicorn==0.30.0\n',
  'orders/__init__.py': '',
  'orders/main.py': 'import os\nfrom fastapi import FastAPI\n\napi = FastAPI()\n\n@api.get("/healthz")\ndef health():\n    return {"ok": True}\n\nPORT = int(os.environ.get("PORT", "8000"))\n',
  'tests/test_main.py': 'def test_x():\n    assert True\n',
};

test('--language python creates the sample service, its tests, pyproject.toml and the projen tooling', async () => {
  const parent = tempDir();
  const r = await cli(['orders-api', '--language', 'python', '--skip-install', '--skip-git', '--port', '8081'], parent);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const dir = path.join(parent, 'orders-api');
  for (const f of ['pyproject.toml', 'requirements.txt', 'app/__main__.py', 'app/server.py', 'tests/test_server.py', 'package.json', '.projenrc.ts', 'Dockerfile', 'Dockerfile.debug', '.dockerignore', 'k8s/base/deployment.yaml']) {
    expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
  }
  expect(fs.existsSync(path.join(dir, 'tsconfig.json'))).toBe(false);
  const pkg = JSON.parse(read(dir, 'package.json'));
  expect(pkg.version).toBeUndefined();
  expect(Object.keys(pkg.devDependencies).sort()).toEqual(['constructs', 'create-msb-app', 'projen', 'sucrase']);
  const projenrc = read(dir, '.projenrc.ts');
  expect(projenrc).toContain("runtime: { family: 'python', version: '3.13', packageManager: 'pip' }");
  expect(projenrc).toContain('build: false');
  expect(projenrc).toContain("entrypoint: 'app'");
  const docker = read(dir, 'Dockerfile');
  expect(docker).toContain('FROM docker.io/library/python:3.13-slim-trixie AS base');
  expect(docker).toContain('FROM gcr.io/distroless/python3-debian13:nonroot AS runtime');
  expect(docker).toContain('ENTRYPOINT ["/app/.venv/bin/python3"]');
  expect(docker).toContain('CMD ["-m","app"]');
  expect(docker).toContain('EXPOSE 8081');
  expect(read(dir, 'app/server.py')).toContain('PORT = int(os.environ.get("PORT", "8081"))');
  expect(read(dir, '.dockerignore')).toMatch(/^\*\*\/__pycache__$/m);
  // the version of pyproject.toml tags the image
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('image: orders-api:0.1.0');
  // the sample's own test passes with the machine's Python (no dependencies)
  const { spawnSync } = await import('node:child_process');
  const t = spawnSync('python3', ['-m', 'unittest', '-q'], { cwd: dir, encoding: 'utf8' });
  expect(t.status, t.stderr).toBe(0);
});

test('adopting a FastAPI project infers the Python family, uvicorn, the app, the port and the version; a second run infers the same', async () => {
  const dir = tempDir('msb-adopt-py-');
  writeFiles(dir, FASTAPI_APP);
  const r = await cli(['.', '--skip-install', '--skip-git'], dir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/dependencies\s+pip\s+from requirements\.txt/);
  expect(r.stdout).toMatch(/server\s+uvicorn\s+from fastapi and uvicorn in the dependencies/);
  expect(r.stdout).toMatch(/entrypoint\s+orders\.main:api\s+from orders\/main\.py/);
  expect(r.stdout).toMatch(/port\s+8000\s+from orders\/main\.py/);
  expect(r.stdout).toMatch(/name\s+orders-api\s+from pyproject\.toml name/);
  const docker = read(dir, 'Dockerfile');
  expect(docker).toContain('CMD ["-m","uvicorn","orders.main:api","--host","0.0.0.0","--port","8000"]');
  expect(docker).toContain('COPY --chown=0:0 --chmod=0555 orders ./orders');
  expect(read(dir, 'k8s/base/deployment.yaml')).toContain('image: orders-api:1.4.0');
  // the tooling package.json was written, and it does not make the project a Node.js one
  expect(JSON.parse(read(dir, 'package.json')).devDependencies.projen).toBeDefined();
  const again = await cli(['.', '--skip-install', '--skip-git', '--force'], dir);
  expect(again.stderr).toBe('');
  expect(again.status).toBe(0);
  expect(again.stdout).toMatch(/server\s+uvicorn/);
  expect(read(dir, '.projenrc.ts')).toContain("family: 'python'");
});

test('a Python line without a runtime image is refused with the lines there are, and nothing is written', async () => {
  const dir = tempDir('msb-adopt-py-');
  writeFiles(dir, { ...FASTAPI_APP, '.python-version': '3.11\n' });
  const before = fs.readdirSync(dir).sort();
  const r = await cli(['.', '--skip-install', '--skip-git'], dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('The project asks for Python 3.11 (.python-version), which matches none of the Python lines with distroless runtime images: "3.13". Pass --python-version');
  expect(fs.readdirSync(dir).sort()).toEqual(before);
  const bad = await cli(['x', '--language', 'python', '--python-server', 'hypercorn', '--skip-install'], tempDir());
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('Invalid --python-server "hypercorn": expected one of "none", "uvicorn", "gunicorn"');
});
