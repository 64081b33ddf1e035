/**
 * The files of a new project besides the definition: package.json, tsconfig.json, a small HTTP
 * service with a health endpoint, .gitignore and a README. They belong to the user: each is written
 * only when it does not exist yet.
 */
import { DEFAULTS } from '../../../contract/defaults';
import type { FamilyDefinition as Definition, Tooling } from '../../../contract/family-cli';
import { tsString } from '../../../util/ts-literal';

/** The version of a new project (package.json), also its first image tag. */
export const NEW_PROJECT_VERSION = '0.1.0';

/** Versions of the dev dependencies a project needs to run its definition. */
export interface ToolVersions {
  /** npm spec of create-msb-app, e.g. `^0.3.0` or `file:vendor/create-msb-app-0.3.0.tgz`. */
  readonly lib: string;
  readonly projen: string;
  readonly constructs: string;
  /** Runs `.projenrc.ts` (TypeScript and import syntax to CommonJS, in process). */
  readonly sucrase: string;
  readonly typescript: string;
  readonly nodeTypes: string;
}

/** The tool versions of a Node project from the shared tooling. */
export function toolVersions(def: Definition, tooling: Tooling): ToolVersions {
  const v = tooling.versions;
  return { lib: tooling.lib, projen: v.projen, constructs: v.constructs, sucrase: v.sucrase, typescript: v.typescript, nodeTypes: `^${def.runtime.nodeVersion}` };
}

/** The dev dependencies running `.projenrc.ts` needs, with an org template package (adoption adds only these). */
export function definitionDevDeps(v: ToolVersions, def: Definition): Record<string, string> {
  return { 'constructs': v.constructs, 'create-msb-app': v.lib, 'projen': v.projen, 'sucrase': v.sucrase, ...def.extraDevDependencies };
}

/** Files of a new project, path -> content. */
export function newProjectFiles(def: Definition, versions: ToolVersions): Record<string, string> {
  const outDir = def.build === false ? DEFAULTS.build.outDir : def.build.outDir;
  const pkg: Record<string, unknown> = {
    name: def.name,
    version: NEW_PROJECT_VERSION,
    private: true,
    type: 'module',
    scripts: {
      build: 'tsc',
      start: `node ${def.entrypoint}`,
      projen: 'projen',
    },
    devDependencies: sortKeys({
      ...definitionDevDeps(versions, def),
      '@types/node': versions.nodeTypes,
      'typescript': versions.typescript,
    }),
  };

  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      rootDir: 'src',
      outDir,
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      sourceMap: true,
      types: ['node'],
    },
    include: ['src'],
  };

  return {
    'package.json': json(pkg),
    'tsconfig.json': json(tsconfig),
    'src/index.ts': sampleServer(def),
    '.gitignore': ['node_modules/', `${outDir}/`, '*.log', '.msb/', ''].join('\n'),
    'README.md': readme(def),
  };
}

function sampleServer(def: Definition): string {
  const health = def.healthCheckPath === false ? DEFAULTS.healthCheckPath : def.healthCheckPath;
  return `import { createServer, type ServerResponse } from 'node:http';

// The port comes from the environment when set; ${def.port} is the port in .projenrc.ts.
const port = Number(process.env.PORT ?? ${def.port});

let shuttingDown = false;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === ${tsString(health)}) {
    // Readiness and liveness probe: answer fast, depend on nothing; 503 once shutting down, so the
    // pod leaves the Service endpoints while it drains.
    send(res, shuttingDown ? 503 : 200, { status: shuttingDown ? 'shutting down' : 'ok' });
  } else if (req.method === 'GET' && url.pathname === '/') {
    send(res, 200, { service: ${tsString(def.name)}, message: 'Hello from a distroless image' });
  } else {
    send(res, 404, { error: 'not found' });
  }
});

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

server.listen(port, () => {
  console.log(\`${def.name} listening on port \${port}\`);
});

// Kubernetes sends SIGTERM before stopping a pod (after the preStop sleep): fail readiness, finish
// open requests, close idle keep-alive connections, then exit well inside the grace period.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    shuttingDown = true;
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
`;
}

function readme(def: Definition): string {
  const pm = def.runtime.packageManager;
  const run = pm === 'npm' ? 'npm run' : pm;
  return `# ${def.name}

A small HTTP service, packaged as a distroless container image and deployed to Kubernetes.

- \`.projenrc.ts\` is the definition: port, health check, runtime, image. Edit it, then run
  \`npx projen\` to regenerate \`Dockerfile\`, \`Dockerfile.debug\`, \`.dockerignore\` and \`k8s/\`.
- \`src/index.ts\` is yours.

\`\`\`sh
${run} build && ${run} start                   # run locally
docker build -t ${def.image.repository}:${def.image.tag ?? NEW_PROJECT_VERSION} .          # or: podman build ...
docker build -f Dockerfile.debug -t ${def.image.repository}:${def.image.tag ?? NEW_PROJECT_VERSION}-debug .
kubectl apply -k k8s/base                   # or k8s/overlays/debug for the debug image
\`\`\`
`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}
