/**
 * The files of a new Python project besides the definition: pyproject.toml, requirements.txt (the
 * lockfile pip installs from; the sample needs nothing beyond the standard library), a small HTTP
 * service with a health endpoint and graceful SIGTERM handling, its tests (`python -m unittest`),
 * .gitignore, a README, and the package.json of the tooling that runs .projenrc.ts.
 */
import type { FamilyDefinition, Tooling } from '../../../contract/family-cli';
import { toolingPackageJson } from '../../kit/projen-tooling';

export const NEW_PYTHON_PROJECT_VERSION = '0.1.0';

/** The package the sample runs (`python -m app`). */
export const SAMPLE_MODULE = 'app';

export function newPythonProjectFiles(def: FamilyDefinition, tooling: Tooling): Record<string, string> {
  const health = def.healthCheckPath === false ? '/healthz' : def.healthCheckPath;
  return {
    'pyproject.toml': `[project]
name = "${def.name}"
version = "${NEW_PYTHON_PROJECT_VERSION}"
description = "A small HTTP service on a distroless image"
requires-python = ">=${def.runtime.pythonVersion}"
dependencies = []
`,
    'requirements.txt': `# Runtime dependencies, pinned (the image build installs exactly these into its virtualenv).
# Generate with hashes, e.g.: pip-compile --generate-hashes pyproject.toml
`,
    [`${SAMPLE_MODULE}/__init__.py`]: '',
    [`${SAMPLE_MODULE}/__main__.py`]: `"""Entry point: python -m ${SAMPLE_MODULE}."""
from .server import main

main()
`,
    [`${SAMPLE_MODULE}/server.py`]: sampleServer(def.name, def.port, health),
    'tests/__init__.py': '',
    'tests/test_server.py': sampleTest(health),
    '.gitignore': ['.venv/', '__pycache__/', '*.pyc', '.pytest_cache/', 'node_modules/', '.msb/', ''].join('\n'),
    'README.md': readme(def),
    'package.json': toolingPackageJson(def, tooling),
  };
}

function sampleServer(name: string, port: number, health: string): string {
  return `"""A small HTTP service: the standard library only."""
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The port comes from the environment when set; ${port} is the port in .projenrc.ts.
PORT = int(os.environ.get("PORT", "${port}"))
HEALTH_PATH = ${JSON.stringify(health)}

shutting_down = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == HEALTH_PATH:
            # Readiness and liveness probe: answer fast, depend on nothing; 503 once shutting down,
            # so the pod leaves the Service endpoints while it drains.
            if shutting_down.is_set():
                self.send_json(503, {"status": "shutting down"})
            else:
                self.send_json(200, {"status": "ok"})
        elif self.path == "/":
            self.send_json(200, {"service": ${JSON.stringify(name)}, "message": "Hello from a distroless image"})
        else:
            self.send_json(404, {"error": "not found"})

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def make_server(port=PORT):
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    return server


def main():
    server = make_server()

    # Kubernetes sends SIGTERM before stopping a pod (after the preStop sleep): fail readiness,
    # stop accepting, let open requests finish, then exit well inside the grace period.
    def stop(signum, frame):
        shutting_down.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"${name} listening on port {PORT}", flush=True)
    server.serve_forever()
    server.server_close()
`;
}

function sampleTest(health: string): string {
  return `import json
import threading
import unittest
import urllib.request

from app.server import make_server


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.server = make_server(0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_health(self):
        with urllib.request.urlopen(self.base + ${JSON.stringify(health)}) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(json.load(r)["status"], "ok")


if __name__ == "__main__":
    unittest.main()
`;
}

function readme(def: FamilyDefinition): string {
  const tag = def.image.tag ?? NEW_PYTHON_PROJECT_VERSION;
  return `# ${def.name}

A small HTTP service in Python, packaged as a distroless container image and deployed to Kubernetes.

- \`.projenrc.ts\` is the definition: port, health check, runtime, image. Edit it, then run
  \`npx projen\` to regenerate \`Dockerfile\`, \`Dockerfile.debug\`, \`.dockerignore\` and \`k8s/\`
  (\`package.json\` holds only the tooling for that).
- \`app/\` is yours; \`requirements.txt\` pins its runtime dependencies.

\`\`\`sh
python -m app                                # run locally
python -m unittest                           # tests
docker build -t ${def.image.repository}:${tag} .          # or: podman build ...
docker build -f Dockerfile.debug -t ${def.image.repository}:${tag}-debug .
kubectl apply -k k8s/base                    # or k8s/overlays/debug for the debug image
\`\`\`
`;
}
