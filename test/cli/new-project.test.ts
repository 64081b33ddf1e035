import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { read, cli, tempDir, tree } from './helpers';

const OWN_VERSION = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).version;
const work: string[] = [];
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function scaffold(pm: string, extra: string[] = []) {
  const cwd = tempDir();
  work.push(cwd);
  const r = await cli(['demo', '--skip-install', '--package-manager', pm, ...extra], cwd);
  return { ...r, dir: path.join(cwd, 'demo') };
}

describe.each([
  ['npm', 'package-lock.json'],
  ['pnpm', 'pnpm-lock.yaml'],
  ['yarn', 'yarn.lock'],
])('new project with %s (--skip-install)', (pm, lockfile) => {
  test('writes the definition, the sample service and every output', async () => {
    // WHEN
    const r = await scaffold(pm);

    // THEN
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = Object.keys(tree(r.dir)).filter((f) => !f.endsWith('/')).sort();
    expect(files).toEqual([
      '.dockerignore', '.gitattributes', '.gitignore',
      '.projen/files.json', '.projen/msb.json', '.projen/tasks.json', '.projenrc.ts',
      'Dockerfile', 'Dockerfile.debug', 'README.md',
      'k8s/base/deployment.yaml', 'k8s/base/kustomization.yaml', 'k8s/base/networkpolicy.yaml', 'k8s/base/poddisruptionbudget.yaml',
      'k8s/base/service.yaml', 'k8s/base/serviceaccount.yaml', 'k8s/overlays/debug/kustomization.yaml',
      'package.json', 'src/index.ts', 'tsconfig.json',
      // Run from a checkout: the library packs itself into the project, for the image build.
      `vendor/create-msb-app-${OWN_VERSION}.tgz`,
    ]);
    expect(JSON.parse(read(r.dir, 'package.json')).devDependencies['create-msb-app']).toBe(`file:vendor/create-msb-app-${OWN_VERSION}.tgz`);
    expect(fs.existsSync(path.join(r.dir, '.git'))).toBe(true);

    const dockerfile = read(r.dir, 'Dockerfile');
    expect(dockerfile).toContain(`COPY package.json ${lockfile} ./`);
    expect(dockerfile).toContain(`${pm} run build`);
    expect(dockerfile).toContain('EXPOSE 8080');
    expect(dockerfile).toContain('CMD ["dist/index.js"]');
    expect(read(r.dir, 'Dockerfile.debug')).toContain(':debug-nonroot');

    const projenrc = read(r.dir, '.projenrc.ts');
    expect(projenrc).toContain("import { App, MsbProject } from 'create-msb-app';");
    expect(projenrc).toContain(`packageManager: '${pm}'`);
    expect(projenrc).toContain('project.synth();');

    const pkg = JSON.parse(read(r.dir, 'package.json'));
    expect(pkg.scripts).toMatchObject({ build: 'tsc', start: 'node dist/index.js' });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(['@types/node', 'constructs', 'create-msb-app', 'projen', 'sucrase', 'typescript']);
    // Running from a checkout: the library is vendored into the project (inside the image build's context).
    expect(pkg.devDependencies['create-msb-app']).toBe(`file:vendor/create-msb-app-${OWN_VERSION}.tgz`);

    const server = read(r.dir, 'src/index.ts');
    expect(server).toContain("url.pathname === '/healthz'");
    expect(server).toContain('process.env.PORT ?? 8080');
    // on SIGTERM the sample fails readiness (503), drains and exits
    expect(server).toContain('send(res, shuttingDown ? 503 : 200');
    expect(server).toMatch(/process\.on\(signal, \(\) => \{\n {4}shuttingDown = true;\n {4}server\.close\(\(\) => process\.exit\(0\)\);/);
    expect(read(r.dir, '.gitignore')).toContain('node_modules/');

    expect(r.stdout).toContain('Next steps:');
    expect(r.stdout).toContain('npx projen');
    expect(r.stdout).toContain('-f Dockerfile.debug');
    expect(r.stdout).toContain('kubectl apply -k k8s/base');
  });
});

test('flags land in the definition and the outputs', async () => {
  const r = await scaffold('npm', ['--name', 'orders-api', '--port', '3000', '--health-path', '/ready', '--node-version', 'v22',
    '--image', 'registry.example.com/team/orders-api:1.0.0', '--lib', '^9.9.9']);
  expect(r.status).toBe(0);
  const projenrc = read(r.dir, '.projenrc.ts');
  expect(projenrc).toContain("new MsbProject({ name: 'orders-api' })");
  expect(projenrc).toContain('port: 3000');
  expect(projenrc).toContain("healthCheckPath: '/ready'");
  expect(projenrc).toContain("nodeVersion: '22'");
  expect(projenrc).toContain("image: { repository: 'registry.example.com/team/orders-api', tag: '1.0.0' }");
  expect(read(r.dir, 'Dockerfile')).toContain('FROM gcr.io/distroless/nodejs22-debian13:nonroot');
  expect(read(r.dir, 'k8s/base/deployment.yaml')).toContain('image: registry.example.com/team/orders-api:1.0.0');
  expect(read(r.dir, 'k8s/base/deployment.yaml')).toContain('path: /ready');
  expect(read(r.dir, 'src/index.ts')).toContain("url.pathname === '/ready'");
  expect(JSON.parse(read(r.dir, 'package.json')).devDependencies['create-msb-app']).toBe('^9.9.9');
});

test('an org template folder is used and recorded', async () => {
  const cwd = tempDir();
  work.push(cwd);
  fs.mkdirSync(path.join(cwd, 'org', 'templates', 'partials'), { recursive: true });
  const builtin = fs.readFileSync(path.resolve(__dirname, '..', '..', 'templates', 'shared', 'partials', 'labels.hbs'), 'utf8');
  fs.writeFileSync(path.join(cwd, 'org', 'templates', 'partials', 'labels.hbs'), `# ACME policy\n${builtin}`);
  const r = await cli(['demo', '--skip-install', '--template', './org'], cwd);
  expect(r.stderr).toBe('');
  const dir = path.join(cwd, 'demo');
  // Outside the new project: copied in, so the definition finds it on every machine.
  expect(fs.existsSync(path.join(dir, 'msb-templates', 'templates', 'partials', 'labels.hbs'))).toBe(true);
  expect(read(dir, '.projenrc.ts')).toContain("templateFolder: 'msb-templates',");
  expect(read(dir, 'Dockerfile')).toContain('# ACME policy');
});

test('--yes without a directory creates msb-app; it is inside an existing repository: no git init', async () => {
  const cwd = tempDir();
  work.push(cwd);
  fs.mkdirSync(path.join(cwd, '.git'));
  const r = await cli(['--yes', '--skip-install'], cwd, { GIT_DIR: path.join(cwd, 'nogit') });
  expect(r.status).toBe(0);
  expect(fs.existsSync(path.join(cwd, 'msb-app', '.projenrc.ts'))).toBe(true);
});

test('--help and --version', async () => {
  const cwd = tempDir();
  work.push(cwd);
  const help = await cli(['--help'], cwd);
  expect(help.status).toBe(0);
  for (const flag of ['--name', '--node-version', '--package-manager', '--port', '--health-path', '--image', '--template', '--yes', '--skip-install', '--force', '--lib', '--help', '--version']) {
    expect(help.stdout).toContain(flag);
  }
  const version = await cli(['--version'], cwd);
  expect(version.status).toBe(0);
  const own = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  expect(version.stdout.trim()).toBe(own);
  expect(fs.readdirSync(cwd)).toEqual([]);
});
