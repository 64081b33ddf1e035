import { javascript, typescript } from 'projen';

// The create-msb-app package itself is managed by projen: edit this file, then run `npx projen`.
const project = new typescript.TypeScriptProject({
  name: 'create-msb-app',
  description:
    'Scaffold and keep in step a multi-stage distroless Dockerfile, its debug twin, .dockerignore and PSS-restricted Kubernetes manifests, all from one typed definition.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenrcTsOptions: { runner: typescript.TypeScriptRunner.tsx() },
  minNodeVersion: '20.0.0',
  typescriptVersion: '5.9.3',
  license: 'Apache-2.0',
  sampleCode: false,
  github: false,
  release: false,
  jest: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  eslint: true,
  deps: ['@balena/dockerignore@^1.0.2', 'handlebars@^4.7.8', 'enquirer@^2.4.1', 'semver@^7.6.0', 'yaml@^2.4.0'],
  peerDeps: ['projen@0.103.25', 'constructs@^10.5.0'],
  devDeps: ['kubernetes-models@^4.5.1', 'esbuild@^0.28.0', 'vitest@^3.2.4', 'tsx@^4.19.0', '@types/node@^20', '@types/semver@^7.5.0', 'sucrase@^3.35.0', 'fast-check@^4.3.0',
    // validates generated files against the vendored JSON schemas (schemas/vendor/: the GitHub workflow and compose-spec schemas, draft-07, which ajv 6 implements)
    'ajv@6.15.0'],
  bin: { 'create-msb-app': 'bin/create-msb-app.js' },
  tsconfig: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
    },
  },
  tsconfigDev: {
    compilerOptions: { skipLibCheck: true },
  },
  gitignore: ['/coverage/', '/test/.tmp/', '*.tgz', '/bench/.work/'],
  npmignoreEnabled: true,
});

// kubernetes-models is bundled into lib/k8s/models.bundle.js (only the kinds used, with their validators),
// a path `tsc` never writes, so a later `tsc --build` cannot replace it; src/k8s/models.ts loads it.
// Its type declarations stay an optional peer, for editors that want typed patches.
const MODEL_KINDS = {
  'apps/v1/Deployment': 'Deployment',
  'autoscaling/v2/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'networking.k8s.io/v1/Ingress': 'Ingress',
  'networking.k8s.io/v1/NetworkPolicy': 'NetworkPolicy',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'v1/Service': 'Service',
  'v1/ServiceAccount': 'ServiceAccount',
};
const modelsEntry = Object.entries(MODEL_KINDS).map(([p, k]) => `export { ${k} } from 'kubernetes-models/${p}';`).join(' ');
project.postCompileTask.exec(`echo "${modelsEntry}" | esbuild --bundle --platform=node --format=cjs --target=node20 --log-level=warning --outfile=lib/k8s/models.bundle.js`);
project.package.addPeerDeps('kubernetes-models@^4.5.1');
// The built-in templates precompiled (lib/templates.precompiled.js): synthesis loads Handlebars' runtime, not its compiler.
project.postCompileTask.exec('tsx scripts/precompile-templates.ts');
// A clone is usable after `npm ci` (and `npm pack` packs a built tree): compile on prepare.
project.package.setScript('prepare', 'projen compile && projen post-compile');
project.package.addField('peerDependenciesMeta', { 'kubernetes-models': { optional: true } });

// Tests in three tiers (vitest projects, see vitest.config.ts): `unit` (in process, about a minute),
// `integration` (real installs and a few runs of the built binary), `images` (podman builds).
// `npm test` runs all three after compiling, then lints.
project.testTask.reset();
project.testTask.spawn(project.compileTask);
project.testTask.spawn(project.postCompileTask);
project.testTask.exec('tsc --noEmit -p test/tsconfig.json', { name: 'type-check tests' });
project.testTask.exec('vitest run', { receiveArgs: true });
// CI lints without --fix (the eslint task fixes while working), so a violation fails the run.
const lint = project.addTask('lint', {
  description: 'eslint without --fix',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  exec: 'eslint --ext .ts --no-error-on-unmatched-pattern src test .projenrc.ts',
});
project.testTask.spawn(lint);
project.addTask('test:unit', {
  description: 'In-process tests: model, rendering, manifests, policies, CLI flags, validation and adoption',
  exec: 'vitest run --project unit',
  receiveArgs: true,
});
const integration = project.addTask('test:integration', {
  description: 'Real installs and the built binary (signals, exit codes, TTY, --help); compiles first',
  receiveArgs: true,
});
integration.spawn(project.compileTask);
integration.spawn(project.postCompileTask);
integration.exec('vitest run --project integration', { receiveArgs: true });
project.addTask('test:images', {
  description: 'Image builds with podman (minutes)',
  exec: 'vitest run --project images',
  receiveArgs: true,
});
project.addTask('readme:options', {
  description: 'Writes the README options table from the command declaration',
  exec: 'tsx test/cli/readme-options.ts',
});
project.addTask('bench:synth', {
  description: 'Median wall time of `npx projen` in an example project vs a fresh projen TypeScript project',
  exec: 'tsx bench/synth.ts',
  receiveArgs: true,
});

project.addTask('bench:create', {
  description: 'Wall time and node_modules size of `create-msb-app demo --yes` vs `projen new typescript` + install',
  exec: 'tsx bench/create.ts',
  receiveArgs: true,
});

project.addTask('bench:images', {
  description: 'Runtime vs single-stage image size, waste, cold build and source-only rebuild time (podman or docker)',
  exec: 'tsx bench/images.ts',
  receiveArgs: true,
});

project.npmignore?.addPatterns('/test/', '/bench/', '/scripts/', '/.ci/', '/examples/*/node_modules/', '/vitest.config.ts', '/schemas/vendor/');
project.synth();
