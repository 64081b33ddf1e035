import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App, FORCE_ENV, HandEditError, MsbProject, MsbValidationError, RECORD_FILE, isImageRepository } from '../../src';
import { listFiles, parseYaml, readTree, synth, tempDir, writePackage } from '../util';

/** Whether any write bit is set (root can write anything, so the mode is what matters). */
function isWritable(file: string): boolean {
  return (fs.statSync(file).mode & 0o222) !== 0; // eslint-disable-line no-bitwise
}

function expectProblems(fn: () => unknown): MsbValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MsbValidationError);
    return e as MsbValidationError;
  }
  throw new Error('expected a validation error');
}

describe('validation', () => {
  it('reports every problem at once with construct path, field, value and what is valid; writes nothing', () => {
    const dir = tempDir();
    writePackage(dir);
    const before = readTree(dir);
    const project = new MsbProject({ name: 'orders-api', outdir: dir });
    new App(project, {
      name: 'Orders_API',
      port: 70000,
      env: { 'BAD-NAME': 'x', 'GOOD': 'line1\nRUN rm -rf /' },
      runtime: { nodeVersion: '18', packageManager: 'bun' as any },
      entrypoint: '/abs/server.js',
    });
    const err = expectProblems(() => project.synth());
    const fields = err.problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'port', 'env.BAD-NAME', 'env.GOOD', 'runtime.nodeVersion', 'runtime.packageManager', 'entrypoint']));
    for (const p of err.problems) expect(p.path).toBe('orders-api/App');
    expect(err.message).toContain('[orders-api/App] name: got "Orders_API"; expected a DNS-1123 label');
    expect(err.message).toContain('port: got 70000; expected an integer from 1 to 65535');
    expect(err.message).toContain('runtime.nodeVersion: got "18"; expected one of "22", "24", "26"');
    expect(err.message).toContain('runtime.packageManager: got "bun"; expected one of "npm", "pnpm", "yarn"');
    expect(err.message).toContain('env.GOOD: got "line1\\nRUN rm -rf /"; expected a single line');
    expect(err.message).toContain('entrypoint: got "/abs/server.js"; expected a relative path');
    expect(readTree(dir)).toEqual(before);
  });

  it('on error leaves an existing synthesized project exactly as it was', () => {
    const { dir } = synth({ port: 3000 });
    const before = readTree(dir);
    const project = new MsbProject({ name: 'orders-api', outdir: dir });
    new App(project, { port: 0, kubernetes: { ingress: { host: 'Not A Host' }, networkPolicy: false } });
    const err = expectProblems(() => project.synth());
    expect(err.problems.map((p) => p.field)).toEqual(['port', 'kubernetes.ingress.host']);
    expect(readTree(dir)).toEqual(before);
  });

  it('rejects an entrypoint outside the build output, a bad quantity, a digest pin without debug image', () => {
    const err = expectProblems(() => synth({
      entrypoint: 'src/index.js',
      kubernetes: { resources: { memoryLimit: 'lots' } },
      baseImages: { runtime: `gcr.io/distroless/nodejs26-debian13@sha256:${'c'.repeat(64)}` },
    }));
    expect(err.problems.map((p) => p.field).sort()).toEqual(['baseImages.debug', 'entrypoint', 'kubernetes.resources.memoryLimit']);
  });

  it('paths must be safe on a Dockerfile line; "./" is normalized; without a build the entrypoint must be copied', () => {
    const err = expectProblems(() => synth({ build: false, entrypoint: 'my server.js', files: ['*', 'lib'], workdir: '/app$HOME' }));
    expect(err.problems.map((p) => p.field).sort()).toEqual(['entrypoint', 'files[0]', 'workdir']);
    expect(err.message).toContain('no spaces, globs or "$"');
    const missing = expectProblems(() => synth({ build: false, entrypoint: 'server.js', files: ['lib'] }));
    expect(missing.message).toContain('entrypoint: got "server.js"; expected a file the runtime image holds');
    expect(() => synth({ workdir: '/my app' })).toThrow(/workdir: got "\/my app"/);
    const dotted = synth({ build: false, entrypoint: './server.js' }).files.Dockerfile;
    expect(dotted).toContain('COPY --chown=0:0 --chmod=0555 server.js ./server.js');
    expect(dotted).toContain('CMD ["server.js"]');
    expect(dotted).not.toContain('COPY --chown=0:0 --chmod=0555 . ./.');
  });

  it('Kubernetes metadata is checked before kubectl would reject it', () => {
    const err = expectProblems(() => synth({
      kubernetes: {
        labels: { 'team': 'has space', 'bad key!': 'x' },
        nodeSelector: { 'a b': 'c' },
        annotations: { 'example.com/ok': 'any value at all', '-bad': 'x' },
        priorityClassName: 'Bad Name',
        ingress: { host: 'a.example.com', className: 'NGINX', tlsSecretName: 'tls_secret' },
        networkPolicy: { allowFromNamespaces: ['ingress-nginx'] },
      },
    }));
    expect(err.problems.map((p) => p.field).sort()).toEqual([
      'kubernetes.annotations.-bad', 'kubernetes.ingress.className', 'kubernetes.ingress.tlsSecretName', 'kubernetes.labels.bad key!',
      'kubernetes.labels.team', 'kubernetes.nodeSelector.a b', 'kubernetes.priorityClassName',
    ]);
    expect(err.message).toContain('kubernetes.labels.team: got "has space"; expected a label value');
  });

  it('reads image repositories as Docker does: a first part is a registry only with ".", ":" or localhost', () => {
    for (const ok of ['orders-api', 'team/orders-api', 'localhost/x', 'registry.example.com:5000/a/b', 'REG.example.com/a']) {
      expect(isImageRepository(ok), ok).toBe(true);
    }
    for (const bad of ['UPPER/x', 'Orders', 'a//b', 'registry.example.com/', 'a:b/c:d', 'has space/x']) {
      expect(isImageRepository(bad), bad).toBe(false);
    }
  });

  it('accepts every catalog Node version and package manager', () => {
    for (const nodeVersion of ['22', '24', '26']) {
      for (const packageManager of ['npm', 'pnpm', 'yarn'] as const) {
        expect(() => synth({ runtime: { nodeVersion, packageManager } })).not.toThrow();
      }
    }
  });
});

describe('generated files', () => {
  afterEach(() => {
    delete process.env[FORCE_ENV];
  });

  it('carry a marker on line 1, are read-only and tracked in .projen/files.json', () => {
    const { dir, files } = synth();
    const tracked = JSON.parse(files['.projen/files.json']).files as string[];
    for (const f of ['Dockerfile', 'Dockerfile.debug', '.dockerignore', 'k8s/base/deployment.yaml', 'k8s/base/kustomization.yaml', 'k8s/overlays/debug/kustomization.yaml']) {
      expect(files[f].split('\n')[0], f).toMatch(/^# ~~ Generated by projen\. To modify, edit \.projenrc\.ts and run "npx projen"\.$/);
      expect(isWritable(path.join(dir, f)), f).toBe(false);
      expect(tracked, f).toContain(f);
    }
  });

  it('a hand-edited file stops synthesis, naming the file and both ways out; MSB_FORCE overwrites', () => {
    const { dir } = synth();
    const file = path.join(dir, 'Dockerfile');
    fs.chmodSync(file, 0o644);
    fs.appendFileSync(file, 'RUN echo hand-edit\n');
    const before = readTree(dir);
    let err: unknown;
    try {
      synth({ port: 9090 }, { dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HandEditError);
    expect((err as Error).message).toContain('Dockerfile: edited by hand since the last synthesis');
    expect((err as Error).message).toContain('.projenrc.ts');
    expect((err as Error).message).toContain('MSB_FORCE=1 npx projen');
    expect(readTree(dir)).toEqual(before);

    process.env[FORCE_ENV] = '1';
    const forced = synth({ port: 9090 }, { dir });
    expect(forced.files.Dockerfile).not.toContain('hand-edit');
    expect(forced.files.Dockerfile).toContain('EXPOSE 9090');
  });

  it('a hand-edited file that the definition no longer produces is not silently deleted', () => {
    const { dir } = synth({ kubernetes: { ingress: { host: 'a.example.com' }, networkPolicy: { allowFromNamespaces: ['ingress-nginx'] } } });
    const file = path.join(dir, 'k8s/base/ingress.yaml');
    fs.chmodSync(file, 0o644);
    fs.appendFileSync(file, '# keep me\n');
    expect(() => synth({}, { dir })).toThrow(/k8s\/base\/ingress\.yaml: edited by hand/);
    expect(fs.readFileSync(file, 'utf8')).toContain('# keep me');
  });

  it("never touches a user's own file at the path of a kind that is turned off", () => {
    const dir = tempDir();
    writePackage(dir);
    fs.mkdirSync(path.join(dir, 'k8s/base'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'k8s/base/ingress.yaml'), '# mine\n');
    const first = synth({}, { dir });
    expect(first.files['k8s/base/ingress.yaml']).toBe('# mine\n');
    expect(JSON.parse(first.files['.projen/files.json']).files).not.toContain('k8s/base/ingress.yaml');
    synth({}, { dir });
    expect(fs.readFileSync(path.join(dir, 'k8s/base/ingress.yaml'), 'utf8')).toBe('# mine\n');
  });

  it('refuses to replace a Dockerfile it did not write (adopting a project)', () => {
    const dir = tempDir();
    writePackage(dir);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:20\n');
    expect(() => synth({}, { dir })).toThrow(/Dockerfile: exists and was not generated by create-msb-app/);
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM node:20\n');
  });

  it('re-synthesis without changes changes nothing; records checksums and the template source', () => {
    const { dir, files } = synth();
    const again = synth({}, { dir });
    expect(again.files).toEqual(files);
    const record = JSON.parse(files[RECORD_FILE]);
    expect(Object.keys(record.files)).toContain('k8s/base/deployment.yaml');
    expect(record.templates.Dockerfile).toEqual(['built-in']);
    expect(record.generator).toMatch(/^create-msb-app@/);
  });

  it('keeps the user\'s own .gitignore lines and only appends what is missing', () => {
    const dir = tempDir();
    writePackage(dir);
    fs.writeFileSync(path.join(dir, '.gitignore'), '# mine\n/secret-stuff\n/node_modules\n*.local');
    synth({}, { dir });
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('# mine\n/secret-stuff\n/node_modules\n*.local\n.msb/\n');
    synth({}, { dir });
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('# mine\n/secret-stuff\n/node_modules\n*.local\n.msb/\n');
    expect(isWritable(path.join(dir, '.gitignore'))).toBe(true);
  });

  it('writes only its own outputs', () => {
    const { dir } = synth();
    expect(listFiles(dir)).toEqual([
      '.dockerignore', '.gitattributes', '.gitignore', '.projen/files.json', '.projen/msb.json', '.projen/tasks.json',
      'Dockerfile', 'Dockerfile.debug',
      'k8s/base/deployment.yaml', 'k8s/base/kustomization.yaml', 'k8s/base/networkpolicy.yaml', 'k8s/base/poddisruptionbudget.yaml', 'k8s/base/service.yaml',
      'k8s/base/serviceaccount.yaml',
      'k8s/overlays/debug/kustomization.yaml', 'package-lock.json', 'package.json',
    ]);
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf8'));
    expect(tasks.tasks.default.steps).toEqual([{ exec: 'node --require sucrase/register/ts .projenrc.ts' }]);
  });
});

describe('escape hatches and lazy rendering', () => {
  it('changes made after construction show in the output', () => {
    const { files } = synth({}, {
      configure: (app) => {
        app.runtimeStage.addEnv('FEATURE_X', 'on');
        app.runtimeStage.addCopy('public', 'public');
        app.runtimeStage.addLabel('com.example.team', 'payments');
        app.buildStage.addStep('npm run generate');
        app.buildStage.addBaseStep('apt-get update && apt-get install -y --no-install-recommends python3');
      },
    });
    expect(files.Dockerfile).toContain('ENV FEATURE_X="on"');
    expect(files.Dockerfile).toContain('COPY --chown=0:0 --chmod=0555 public ./public');
    expect(files.Dockerfile).toContain('com.example.team="payments"');
    const lines = files.Dockerfile.split('\n');
    expect(lines.indexOf('RUN npm run generate')).toBeLessThan(lines.indexOf('RUN npm run build'));
    expect(lines.indexOf('RUN npm run generate')).toBeGreaterThan(lines.indexOf('COPY . .'));
    expect(files.Dockerfile).toMatch(/^RUN --mount=type=secret,id=npmrc\S+ --mount=type=secret,id=ca_cert\S+ apt-get update && apt-get install -y --no-install-recommends python3$/m);
    expect(files['Dockerfile.debug']).toContain('ENV FEATURE_X="on"');
  });

  it('patches and overrides on any Kubernetes object are applied and validated', () => {
    const { files } = synth({}, {
      configure: (app) => {
        app.kubernetes.addPatch('Deployment', (d) => {
          d.spec!.template.spec!.containers[0].env = [{ name: 'FROM_PATCH', value: '1' }];
        });
        app.kubernetes.addOverride('Service', 'metadata.annotations.example\\.com/team', 'payments');
        app.kubernetes.addOverride('Service', 'spec.sessionAffinity', 'ClientIP');
      },
    });
    expect(parseYaml(files['k8s/base/deployment.yaml'])[0].spec.template.spec.containers[0].env).toEqual([{ name: 'FROM_PATCH', value: '1' }]);
    expect(parseYaml(files['k8s/base/service.yaml'])[0].spec.sessionAffinity).toBe('ClientIP');
    expect(parseYaml(files['k8s/base/service.yaml'])[0].metadata.annotations).toEqual({ 'example.com/team': 'payments' });
    expect(() => synth({}, { configure: (app) => app.kubernetes.addOverride('Service', 'spec.ports', 'not-a-list') }))
      .toThrow(/Service.*Kubernetes schema/);
  });

  it('a patch that weakens pod security is an error unless opted out visibly', () => {
    const weaken = (app: App) => app.kubernetes.addOverride('Deployment', 'spec.template.spec.containers.0.securityContext.allowPrivilegeEscalation', true);
    expect(() => synth({}, { configure: weaken })).toThrow(/allowPrivilegeEscalation must be false/);
    const { files } = synth({ kubernetes: { allowPodSecurityViolations: true } }, { configure: weaken });
    expect(files['k8s/base/deployment.yaml']).toContain('allowPrivilegeEscalation: true');
  });

  it('warns about what would break the image build although the definition is valid', () => {
    const dir = tempDir();
    writePackage(dir, { name: 'orders-api', version: '1.0.0', devDependencies: { lib: 'file:../elsewhere.tgz', ok: 'file:vendor/ok.tgz' } });
    const { app } = synth({ build: false, entrypoint: 'server.js', runtime: { packageManager: 'pnpm' } }, { dir });
    const warnings = app.buildWarnings();
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^pnpm-lock\.yaml not found/);
    expect(warnings[1]).toMatch(/^server\.js not found/);
    expect(warnings[2]).toMatch(/^dependency file:\.\.\/elsewhere\.tgz lies outside the project/);
    fs.writeFileSync(path.join(dir, 'pnpm-lock.yaml'), '');
    fs.writeFileSync(path.join(dir, 'server.js'), '');
    expect(app.buildWarnings()).toHaveLength(1);
  });

  it('an App without a path is the project\'s only App (several Apps each need a path: test/core/workspace.test.ts)', () => {
    const project = new MsbProject({ name: 'x', outdir: tempDir() });
    new App(project);
    expect(() => new App(project)).toThrow(/\[x\] path: got nothing; expected a folder for every App of a project with several Apps/);
  });
});
