/**
 * Issue 8 regressions: each case was accepted before the policy read the Dockerfile as the builders
 * do, and each led to a weaker image or a secret in the build context. Only the public API is used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { App, AppProps, MsbProject } from '../../src';
import { readTree, synth, tempDir, writePackage } from '../util';

/** A template folder whose `partials/<name>.hbs` files are `partials`. */
function templateFolder(partials: Record<string, string>): { dir: string; source: string } {
  const dir = tempDir('msb-tpl-');
  fs.mkdirSync(path.join(dir, 'partials'));
  for (const [name, text] of Object.entries(partials)) fs.writeFileSync(path.join(dir, 'partials', `${name}.hbs`), text);
  return { dir, source: 'org' };
}

const RUNTIME_HEAD = ['FROM {{runtime.image}} AS runtime', 'WORKDIR {{workdir}}', 'COPY --from=prod-deps --chown={{uid}}:{{gid}} {{workdir}}/node_modules ./node_modules', 'COPY --from=build --chown={{uid}}:{{gid}} {{workdir}}/dist ./dist'];
const RUNTIME_TAIL = ['USER {{uid}}:{{gid}}', 'CMD {{json cmd}}'];

/** Synthesizes with a runtime-stage partial of `lines` in a fresh dir; returns the dir and a thunk. */
function withRuntimeStage(lines: string[], props: AppProps = {}) {
  const dir = tempDir();
  writePackage(dir);
  const folder = templateFolder({ 'runtime-stage': `${lines.join('\n')}\n` });
  return { dir, run: () => synth({ ...props, templateFolders: [folder] }, { dir }) };
}

/** Expects the synthesis to fail with `message` and to leave the directory as it was. */
function expectRejected(lines: string[], message: RegExp, props: AppProps = {}): void {
  const { dir, run } = withRuntimeStage(lines, props);
  const before = readTree(dir);
  expect(run).toThrow(message);
  expect(readTree(dir)).toEqual(before);
}

describe('runtime stage, read the way the builders read it', () => {
  it('a comment ending in a backslash does not hide the next line: `# keep me \\` + USER 0:0', () => {
    expectRejected([...RUNTIME_HEAD, '# keep me \\', 'USER 0:0', ...RUNTIME_TAIL], /USER 0:0 \(expected USER 65532:65532\)/);
  });

  it('the same trick after the last stage cannot add a final stage', () => {
    expectRejected([...RUNTIME_HEAD, ...RUNTIME_TAIL, '# keep me \\', 'FROM docker.io/library/node:26-trixie AS evil'], /FROM docker\.io\/library\/node:26-trixie AS evil \(the runtime stage must start FROM gcr\.io/);
  });

  it('a copied path is judged after normalisation: {{workdir}}/../bin/sh is outside the workdir', () => {
    expectRejected([...RUNTIME_HEAD, 'COPY --from=build --chown={{uid}}:{{gid}} {{workdir}}/../bin/sh ./sh', ...RUNTIME_TAIL], /copies from outside \/app: \/app\/\.\.\/bin\/sh is \/bin\/sh/);
  });

  it('no root-owned setuid file: --chown=0:0 --chmod=4755', () => {
    expectRejected([...RUNTIME_HEAD, 'COPY --from=build --chown=0:0 --chmod=4755 {{workdir}}/dist/index.js ./dist/su', ...RUNTIME_TAIL], /--chmod=4755: no setuid, setgid or sticky bit/);
    // root-owned code is the families' default, but never writable by others and never setuid
    expectRejected([...RUNTIME_HEAD, 'COPY --from=build --chown=0:0 --chmod=0557 {{workdir}}/dist/index.js ./dist/x', ...RUNTIME_TAIL], /--chmod=0557: no write bit for group or other/);
    expectRejected([...RUNTIME_HEAD, 'COPY --from=build --chown=0:0 {{workdir}}/dist/index.js ./dist/x', ...RUNTIME_TAIL], /--chown=0:0 without --chmod/);
  });

  it('an opt-out in the project still lets a template do it, visibly', () => {
    const { run } = withRuntimeStage([...RUNTIME_HEAD, '# keep me \\', 'USER 0:0', ...RUNTIME_TAIL], { allowInsecureDockerfile: true });
    expect(run().files.Dockerfile).toContain('USER 0:0');
  });
});

describe('build stages and secret mounts', () => {
  it('a step that copies the mounted npmrc secret into the filesystem is an error', () => {
    const dir = tempDir();
    writePackage(dir);
    const before = readTree(dir);
    expect(() => synth({}, { dir, configure: (app) => app.buildStage.addBaseStep('cp /root/.npmrc ./npmrc-copy') })).toThrow(/names the secret npmrc \(\/root\/\.npmrc\)/);
    expect(readTree(dir)).toEqual(before);
    expect(() => synth({}, { dir, configure: (app) => app.buildStage.addBaseStep('cat ~/.npmrc > /app/token') })).toThrow(/names the secret npmrc /);
  });
});

describe('.dockerignore, evaluated against secret paths at every depth', () => {
  const leaksOf = (files: Record<string, string>, paths: string[]) => {
    const m = ignoreMatcher().add(files['.dockerignore']);
    return paths.filter((p) => !m.ignores(p));
  };

  it('credential folders are excluded at any depth: deploy/.aws/credentials, ops/.docker/config.json, ops/.kube/config', () => {
    const { files } = synth();
    expect(leaksOf(files, ['deploy/.aws/credentials', 'ops/.docker/config.json', 'ops/.kube/config', 'ops/.ssh/id_rsa', 'x/.envrc', 'a/b/.netrc', 'a/b/c/id_ecdsa', 'deploy/prod.env'])).toEqual([]);
  });

  it("files: ['test'] does not bring test/.env and keys into the build context", () => {
    const dir = tempDir();
    writePackage(dir);
    fs.writeFileSync(path.join(dir, 'index.js'), '');
    const { files } = synth({ build: false, entrypoint: 'index.js', files: ['index.js', 'test'] }, { dir });
    expect(files['.dockerignore']).toMatch(/^!test$/m);
    expect(leaksOf(files, ['test/.env', 'test/fixtures/server.key', 'test/.npmrc'])).toEqual([]);
    expect(leaksOf(files, ['test/index.test.js'])).toEqual(['test/index.test.js']);
  });

  it('an org entry "!deploy/**" that re-includes deploy/.env needs the opt-out', () => {
    const dir = tempDir();
    writePackage(dir);
    const text = fs.readFileSync(path.resolve(__dirname, '../../templates/shared/partials/dockerignore.hbs'), 'utf8');
    const folder = templateFolder({ dockerignore: `${text}!deploy/**\n` });
    expect(() => synth({ templateFolders: [folder] }, { dir })).toThrow(/\.dockerignore \(templates: org: partials\/dockerignore\.hbs[\s\S]*deploy\/\.env/);
    expect(synth({ templateFolders: [folder], allowInsecureDockerfile: true }, { dir }).files['.dockerignore']).toContain('!deploy/**');
  });

  for (const entry of ['!c[o]nfig/**', '!conf\\ig/**', '![c]onfig', '!c[a-z]nfig/**', '![^a]onfig/**']) {
    it(`glob syntax does not hide a re-included folder from the samples: ${entry}`, () => {
      const dir = tempDir();
      writePackage(dir);
      const text = fs.readFileSync(path.resolve(__dirname, '../../templates/shared/partials/dockerignore.hbs'), 'utf8');
      const folder = templateFolder({ dockerignore: `${text}${entry}\n` });
      const before = readTree(dir);
      expect(() => synth({ templateFolders: [folder] }, { dir })).toThrow(/\.dockerignore \(templates: org: partials\/dockerignore\.hbs[\s\S]*(\.env|credentials|id_rsa)/);
      expect(readTree(dir)).toEqual(before);
    });
  }

  it('a partial that lists only a sample of secret paths is not enough', () => {
    const dir = tempDir();
    writePackage(dir);
    const sampled = ['.env', 'src/.env', 'config/.env.production', 'server.pem', 'certs/server.pem', 'src/server.key', '.npmrc', 'packages/a/.npmrc', 'id_rsa', '.aws/credentials', '.docker/config.json', '.git/config', 'node_modules/x/index.js'];
    const folder = templateFolder({ dockerignore: `# {{marker}}\n${sampled.join('\n')}\n` });
    expect(() => synth({ templateFolders: [folder] }, { dir })).toThrow(/\.dockerignore[\s\S]*"\.envrc"[\s\S]*"\.netrc"/);
  });
});

describe('line safety', () => {
  it('an env value over 64 KiB (a CA bundle) is a named error, not a Dockerfile that Buildah stops reading', () => {
    const dir = tempDir();
    writePackage(dir);
    const before = readTree(dir);
    expect(() => synth({ env: { CA_BUNDLE: 'A'.repeat(70 * 1024) } }, { dir })).toThrow(/env\.CA_BUNDLE: got "A{10}[\s\S]*expected a single line of at most 16 KiB/);
    expect(readTree(dir)).toEqual(before);
  });

  it('a trailing backslash in addStep, addBaseStep or an org buildSteps item is a named error', () => {
    for (const configure of [(app: App) => app.buildStage.addStep('npm run lint \\'), (app: App) => app.buildStage.addBaseStep('apt-get update \\  ')]) {
      const dir = tempDir();
      writePackage(dir);
      const before = readTree(dir);
      expect(() => synth({}, { dir, configure })).toThrow(/buildStage\.steps\[0\]: got "[^"]*\\\\ *"; expected a non-empty shell command on a single line/);
      expect(readTree(dir)).toEqual(before);
    }
    const dir = tempDir();
    writePackage(dir);
    fs.mkdirSync(path.join(dir, 'tpl'));
    fs.writeFileSync(path.join(dir, 'tpl/msb-template.json'), JSON.stringify({ defaults: { buildSteps: ['echo ok \\'] } }));
    const project = new MsbProject({ name: 'orders-api', outdir: dir, template: './tpl' });
    new App(project, {});
    expect(() => project.synth()).toThrow(/buildStage\.steps\[0\]: got "echo ok \\\\"/);
  });
});

describe('prototype-safe data', () => {
  it("addOverride('Deployment', '__proto__.allowPodSecurityViolations', '1') is a named error; Object.prototype stays clean", () => {
    const dir = tempDir();
    writePackage(dir);
    let err: unknown;
    try {
      synth({}, { dir, configure: (app) => app.kubernetes.addOverride('Deployment', '__proto__.allowPodSecurityViolations', '1') });
    } catch (e) {
      err = e;
    }
    expect((Object.prototype as any).allowPodSecurityViolations).toBeUndefined();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('UnsafeKeyError');
    expect((err as Error).message).toMatch(/key "__proto__" is not allowed/);
    expect(() => synth({}, { dir, configure: (app) => app.kubernetes.addOverride('Deployment', 'spec.constructor.prototype.x', '1') })).toThrow(/key "constructor" is not allowed/);
  });

  it('__proto__ in JSON-parsed props cannot turn on allowInsecureDockerfile', () => {
    const props = JSON.parse('{"__proto__": {"allowInsecureDockerfile": true}}') as AppProps;
    const { run } = withRuntimeStage([...RUNTIME_HEAD, 'USER 0:0', ...RUNTIME_TAIL], props);
    expect(run).toThrow(/key "__proto__" is not allowed/);
    expect((Object.prototype as any).allowInsecureDockerfile).toBeUndefined();
  });

  it('a nested __proto__ in msb-template.json is a named error, not a TypeError', () => {
    const cases: [string, RegExp][] = [
      ['{"defaults": {"kubernetes": {"tolerations": [{"__proto__": {"operator": "Exists"}}]}}}', /msb-template\.json\.defaults\.kubernetes\.tolerations\[0\]: key "__proto__" is not allowed/],
      ['{"defaults": {"kubernetes": {"__proto__": {"allowPodSecurityViolations": true}}}}', /msb-template\.json\.defaults\.kubernetes: key "__proto__" is not allowed/],
    ];
    for (const [json, message] of cases) {
      const dir = tempDir();
      writePackage(dir);
      fs.mkdirSync(path.join(dir, 'tpl'));
      fs.writeFileSync(path.join(dir, 'tpl/msb-template.json'), json);
      let err: unknown;
      try {
        const project = new MsbProject({ name: 'orders-api', outdir: dir, template: './tpl' });
        new App(project, {});
        project.synth();
      } catch (e) {
        err = e;
      }
      expect(err, json).toBeInstanceOf(Error);
      expect((err as Error).name, json).toBe('TemplateError');
      expect((err as Error).message, json).toMatch(message);
      expect((Object.prototype as any).allowPodSecurityViolations).toBeUndefined();
    }
  });
});

describe('a runtime-stage partial cannot change what runs', () => {
  it('an ENV the definition does not set (LD_PRELOAD, NODE_OPTIONS) is rejected', () => {
    expectRejected([...RUNTIME_HEAD, 'ENV LD_PRELOAD=/app/dist/x.so', ...RUNTIME_TAIL], /ENV LD_PRELOAD is not in the definition/);
    expectRejected([...RUNTIME_HEAD, 'ENV NODE_OPTIONS="--inspect=0.0.0.0:9229"', ...RUNTIME_TAIL], /ENV NODE_OPTIONS is not in the definition/);
    expectRejected([...RUNTIME_HEAD, 'ENV A=1 LD_PRELOAD=/x', ...RUNTIME_TAIL], /ENV must be one NAME=value pair/, { env: { A: '1' } });
  });

  it('a CMD other than the definition\'s is rejected', () => {
    expectRejected([...RUNTIME_HEAD, 'USER {{uid}}:{{gid}}', 'CMD ["-e","require(\'child_process\').execSync(process.env.X)"]'], /expected CMD \[\\?"dist\/index\.js\\?"\]/);
    expectRejected([...RUNTIME_HEAD, 'USER {{uid}}:{{gid}}'], /no CMD in the runtime stage/);
  });
});
