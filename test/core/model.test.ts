import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, AppProps, FAMILIES, MsbProject, MsbValidationError, OrgTemplateManifest, isMsbError, resolve } from '../../src';
import { readTree, synth, tempDir, writePackage } from '../util';

/** A project whose own template folder (msb-templates/) holds `manifest` as msb-template.json. */
function withOrgManifest(manifest: OrgTemplateManifest): string {
  const dir = tempDir();
  writePackage(dir);
  fs.mkdirSync(path.join(dir, 'msb-templates'));
  fs.writeFileSync(path.join(dir, 'msb-templates/msb-template.json'), JSON.stringify(manifest));
  return dir;
}

function synthError(props: AppProps, dir?: string): MsbValidationError {
  const target = dir ?? tempDir();
  if (!dir) writePackage(target);
  const before = readTree(target);
  try {
    synth(props, { dir: target });
  } catch (e) {
    expect(readTree(target)).toEqual(before);
    expect(e).toBeInstanceOf(MsbValidationError);
    return e as MsbValidationError;
  }
  throw new Error('expected a validation error');
}

describe('the resolved model', () => {
  it('resolve() is pure: the same definition gives the same model, with every default applied once', () => {
    const props: AppProps = { name: 'orders-api', runtime: { version: '24', packageManager: 'pnpm' } };
    const a = resolve(props, {}, FAMILIES.node, undefined);
    expect(resolve(props, {}, FAMILIES.node, undefined)).toEqual(a);
    expect(a.port).toBe(8080);
    expect(a.workdir).toBe('/app');
    expect(a.healthCheckPath).toBe('/healthz');
    expect(a.kubernetes.replicas).toBe(2);
    expect(a.runtime.version).toBe('24');
    expect(a.runtime.settings.packageManager).toBe('pnpm');
    expect(a.baseImages.builder).toEqual({ ref: 'docker.io/library/node:24-trixie', origin: 'catalog' });
    expect(a.baseImages.debug.ref).toBe('gcr.io/distroless/nodejs24-debian13:debug-nonroot');
  });

  it('runtime.version and its alias runtime.nodeVersion select the same line; a bad value names the field used', () => {
    const viaVersion = synth({ runtime: { version: '24' } }).files.Dockerfile;
    const viaAlias = synth({ runtime: { nodeVersion: '24' } }).files.Dockerfile;
    expect(viaVersion).toBe(viaAlias);
    expect(viaVersion).toContain('FROM docker.io/library/node:24-trixie AS base');
    expect(synth({ runtime: { family: 'node', version: '22' } }).files.Dockerfile).toContain('FROM gcr.io/distroless/nodejs22-debian13:nonroot AS runtime');
    expect(synthError({ runtime: { version: '18' } }).message).toContain('runtime.version: got "18"; expected one of "22", "24", "26"');
  });

  it('an org template can choose the family in JSON (msb-template.json)', () => {
    const dir = withOrgManifest({ defaults: { runtime: { family: 'static', binary: 'bin/server' } } });
    const { files } = synth({}, { dir });
    expect(files.Dockerfile).toContain('FROM gcr.io/distroless/static-debian13:nonroot AS runtime');
    expect(files.Dockerfile).toContain('ENTRYPOINT ["/app/bin/server"]');
    // a project of another family takes none of the org's runtime settings
    const node = withOrgManifest({ defaults: { runtime: { packageManager: 'pnpm' } } });
    fs.mkdirSync(path.join(node, 'bin'));
    const own = synth({ runtime: { family: 'static', binary: 'bin/server' } }, { dir: node }).files.Dockerfile;
    expect(own).toContain('FROM gcr.io/distroless/static-debian13:nonroot AS runtime');
    expect(synth({}, { dir: node }).files.Dockerfile).toContain('pnpm install --frozen-lockfile');
  });

  it('records the resolved model as plain JSON for verify (family, images, uid, CMD, stages, package manager)', () => {
    const { app } = synth({ runtime: { packageManager: 'pnpm' } });
    const node = app.recordedModel();
    expect(node).toMatchObject({
      name: 'orders-api',
      family: 'node',
      version: '26',
      uid: 65532,
      gid: 65532,
      cmd: ['dist/index.js'],
      stages: ['base', 'prod-deps', 'build', 'runtime'],
      baseImages: { builder: 'docker.io/library/node:26-trixie', runtime: 'gcr.io/distroless/nodejs26-debian13:nonroot' },
      settings: { packageManager: 'pnpm', lockfile: 'pnpm-lock.yaml' },
    });
    expect(JSON.parse(JSON.stringify(node))).toEqual(node);
    const dir = tempDir();
    const { app: binary } = synth({ runtime: { family: 'static', binary: 'bin/server' } }, { dir });
    expect(binary.recordedModel()).toMatchObject({ family: 'static', stages: ['runtime'], cmd: ['/app/bin/server'], baseImages: { runtime: 'gcr.io/distroless/static-debian13:nonroot' } });
    expect(binary.recordedModel().baseImages.builder).toBeUndefined();
  });

  it('a change made after construction shows in the outputs (stages and Kubernetes escape hatches)', () => {
    const { files } = synth({}, {
      configure: (app) => {
        app.runtimeStage.image = 'mirror.example.com/distroless/nodejs26-debian13:nonroot';
        app.runtimeStage.addEnv('LATE', 'yes');
        app.kubernetes.addOverride('Deployment', 'metadata.annotations.late', 'yes');
      },
    });
    expect(files.Dockerfile).toContain('FROM mirror.example.com/distroless/nodejs26-debian13:nonroot AS runtime');
    expect(files.Dockerfile).toContain('ENV LATE="yes"');
    expect(files['k8s/base/deployment.yaml']).toContain('late: yes');
  });
});

describe('one validation pass, one error type', () => {
  it('every rendered-output problem comes in one MsbValidationError (Dockerfile policy and Pod Security together)', () => {
    const dir = tempDir();
    writePackage(dir);
    fs.mkdirSync(path.join(dir, 'msb-templates/partials'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'msb-templates/partials/runtime-stage.hbs'), 'FROM {{runtime.image}} AS runtime\nRUN echo hi\nUSER {{uid}}:{{gid}}\nCMD {{json cmd}}\n');
    const before = readTree(dir);
    let err: unknown;
    try {
      synth({}, { dir, configure: (app) => app.kubernetes.addPatch('Deployment', (d) => { d.spec!.template.spec!.hostNetwork = true; }) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MsbValidationError);
    const fields = (err as MsbValidationError).problems.map((p) => p.field);
    expect(fields.some((f) => f.startsWith('Dockerfile runtime stage'))).toBe(true);
    expect(fields).toContain('kubernetes Deployment pod');
    expect(readTree(dir)).toEqual(before);
  });

  it('library errors carry a Symbol.for marker: recognised without comparing names, instanceof keeps working', () => {
    const err = synthError({ port: 0 });
    expect(isMsbError(err)).toBe(true);
    expect((err as unknown as Record<symbol, unknown>)[Symbol.for('create-msb-app.error')]).toBe(true);
    // an error from another copy of the package: same marker, not the same class
    const foreign = Object.assign(new Error('x'), { problems: [], [Symbol.for('create-msb-app.error')]: true });
    expect(foreign).toBeInstanceOf(MsbValidationError);
    expect(new Error('plain')).not.toBeInstanceOf(MsbValidationError);
    expect(isMsbError(new Error('plain'))).toBe(false);
  });
});

describe('guarantees (regressions)', () => {
  it('allowedRegistries match on a path boundary: registry.acme.internal does not accept registry.acme.internal.evil.example/x', () => {
    const dir = withOrgManifest({ policies: { allowedRegistries: ['registry.acme.internal'] } });
    const err = synthError({ baseImages: { mirror: 'registry.acme.internal.evil.example' } }, dir);
    expect(err.problems.map((p) => p.field).sort()).toEqual(['baseImages.builder', 'baseImages.debug', 'baseImages.runtime']);
    expect(err.message).toContain('baseImages.runtime: got "registry.acme.internal.evil.example/distroless/nodejs26-debian13:nonroot"; expected an image from registry.acme.internal');
    expect(() => synth({ baseImages: { mirror: 'registry.acme.internal' } }, { dir })).not.toThrow();
  });

  it('allowedImageRepositories match on a path boundary', () => {
    const dir = withOrgManifest({ policies: { allowedImageRepositories: ['registry.acme.internal/team'] } });
    const err = synthError({ image: { repository: 'registry.acme.internal/team-evil/orders-api' } }, dir);
    expect(err.problems.map((p) => p.field)).toEqual(['image.repository']);
    expect(() => synth({ image: { repository: 'registry.acme.internal/team/orders-api' } }, { dir })).not.toThrow();
  });

  it('workdir "//" and "/." are the root: rejected', () => {
    for (const workdir of ['//', '/.', '/./', '/']) {
      expect(synthError({ workdir }).problems.map((p) => p.field), workdir).toEqual(['workdir']);
    }
    expect(synthError({ workdir: '//' }).message).toContain('workdir: got "//"');
    const { files } = synth({ workdir: '//srv/./app/' });
    expect(files.Dockerfile).toContain('WORKDIR /srv/app\n');
    expect(files.Dockerfile).toContain('COPY --from=build --chown=0:0 --chmod=0555 /srv/app/dist ./dist');
  });

  it('kubernetes.tolerations that is not a list is a named error', () => {
    const err = synthError({ kubernetes: { tolerations: 'x' as never } });
    expect(err.problems.map((p) => p.field)).toEqual(['kubernetes.tolerations']);
    expect(err.message).toContain('kubernetes.tolerations: got "x"; expected a list of tolerations');
  });

  it("an org template's base image that differs from the catalog needs the project's own opt-out", () => {
    const image = 'registry.acme.internal/acme/node-runtime:26';
    const dir = withOrgManifest({ defaults: { baseImages: { runtime: image, debug: `${image}-debug` } } });
    const err = synthError({}, dir);
    expect(err.problems.map((p) => p.field).sort()).toEqual(['baseImages.debug', 'baseImages.runtime']);
    expect(err.message).toContain(`baseImages.runtime: got "${image}"; expected the node family's catalog image`);
    expect(err.message).toContain('allowOrgBaseImages: true');
    const { files } = synth({ allowOrgBaseImages: true }, { dir });
    expect(files.Dockerfile).toContain(`FROM ${image} AS runtime`);
    // naming the catalog image itself replaces nothing
    const same = withOrgManifest({ defaults: { baseImages: { runtime: 'gcr.io/distroless/nodejs26-debian13:nonroot' } } });
    expect(() => synth({}, { dir: same })).not.toThrow();
    // the project's own override is its own decision
    expect(() => synth({ baseImages: { runtime: image, debug: `${image}-debug` } })).not.toThrow();
  });

  it('an org template cannot grant the opt-out itself', () => {
    const outdir = withOrgManifest({ defaults: { allowOrgBaseImages: true } as never });
    expect(() => new App(new MsbProject({ name: 'x', outdir }))).toThrow(/defaults\.allowOrgBaseImages: unknown setting/);
  });
});
