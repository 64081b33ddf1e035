import * as fs from 'node:fs';
import * as path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { AppProps, BUILTIN_TEMPLATE_DIR, FAMILIES, MsbValidationError, ManifestKind, familyNames, podSecurityViolations, schemaError } from '../../src';
import { instructions, parseYaml, readTree, stage, synth, tempDir } from '../util';

const STATIC: AppProps = { runtime: { family: 'static', binary: 'bin/server' } };

/** A project folder with a prebuilt binary and no package.json. */
function binaryProject(): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin/server'), '\x7fELF');
  return dir;
}

function failure(props: AppProps): MsbValidationError {
  const dir = binaryProject();
  fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
  const before = readTree(dir);
  try {
    synth(props, { dir });
  } catch (e) {
    expect(readTree(dir)).toEqual(before);
    return e as MsbValidationError;
  }
  throw new Error('expected a validation error');
}

describe('the static-binary family', () => {
  it('copies the prebuilt binary into distroless static: one stage, no builder, ENTRYPOINT the absolute path (the debug tags run a shell by default)', () => {
    const { files } = synth(STATIC, { dir: binaryProject() });
    const df = files.Dockerfile;
    expect(instructions(df).filter((l) => l.startsWith('FROM '))).toEqual(['FROM gcr.io/distroless/static-debian13:nonroot AS runtime']);
    expect(stage(df, 'runtime')).toEqual([
      'FROM gcr.io/distroless/static-debian13:nonroot AS runtime',
      'WORKDIR /app',
      'ENV PORT=8080',
      'COPY --chown=0:0 --chmod=0555 bin/server ./bin/server',
      'USER 65532:65532',
      'EXPOSE 8080',
      'LABEL org.opencontainers.image.title="orders-api"',
      'ENTRYPOINT ["/app/bin/server"]',
    ]);
    expect(df).not.toMatch(/\bRUN\b|npm|nodejs|node_modules/);
    // the debug twin differs in the base image only
    const debug = files['Dockerfile.debug'].split('\n');
    const diff = df.split('\n').map((l, i) => [l, debug[i]]).filter(([a, b]) => a !== b);
    expect(diff).toEqual([['FROM gcr.io/distroless/static-debian13:nonroot AS runtime', 'FROM gcr.io/distroless/static-debian13:debug-nonroot AS runtime']]);
  });

  it('.dockerignore keeps secrets and VCS data out, keeps the binary in, and names no other family\'s folders', () => {
    const { files } = synth({ ...STATIC, files: ['config'] }, { dir: binaryProject() });
    const ignore = files['.dockerignore'];
    const m = dockerignore().add(ignore);
    for (const secret of ['.env', 'certs/tls.key', '.npmrc', '.git/config', '.aws/credentials']) expect(m.ignores(secret), secret).toBe(true);
    expect(m.ignores('bin/server')).toBe(false);
    expect(m.ignores('config/app.yaml')).toBe(false);
    expect(ignore).not.toMatch(/node_modules|lockfile/);
  });

  it('manifests are schema-valid, pass the PSS restricted profile and run uid 65532 on the static image', () => {
    const { files } = synth({ ...STATIC, kubernetes: { ingress: { host: 'orders.example.com' }, networkPolicy: { allowFromNamespaces: ['ingress-nginx'] }, autoscaling: {} } }, { dir: binaryProject() });
    const kinds: ManifestKind[] = ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'Ingress'];
    for (const kind of kinds) {
      const file = Object.keys(files).find((f) => f.startsWith('k8s/base/') && parseYaml(files[f])[0]?.kind === kind)!;
      expect(file, kind).toBeDefined();
      expect(schemaError(kind, parseYaml(files[file])[0]), kind).toBeUndefined();
    }
    const dep = parseYaml(files['k8s/base/deployment.yaml'])[0];
    expect(podSecurityViolations(dep.spec.template.spec)).toEqual([]);
    expect(dep.spec.template.spec.securityContext.runAsUser).toBe(65532);
    expect(JSON.parse(files['.projen/msb.json']).files.Dockerfile).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names every invalid setting: the binary, a build, an entrypoint, an unknown setting, build steps', () => {
    const err = failure({ runtime: { family: 'static', binary: '../outside/server', packageManager: 'npm' } as never, build: { script: 'build' }, entrypoint: 'x.js' });
    expect(err).toBeInstanceOf(MsbValidationError);
    expect(err.problems.map((p) => p.field).sort()).toEqual(['build', 'entrypoint', 'runtime.binary', 'runtime.packageManager']);
    expect(err.message).toContain('runtime.binary: got "../outside/server"; expected the path of the prebuilt binary in the build context');
    const steps = (() => {
      try {
        synth(STATIC, { dir: binaryProject(), configure: (app) => app.buildStage.addStep('go build ./...') });
      } catch (e) {
        return e as MsbValidationError;
      }
      return undefined;
    })();
    expect(steps?.problems.map((p) => p.field)).toEqual(['buildStage.steps']);
    expect(failure({ runtime: { family: 'static' } as never }).message).toContain('runtime.binary: got nothing');
  });

  it('an unknown family is a named error listing the families', () => {
    const err = failure({ runtime: { family: 'cobol' } as never });
    expect(err.problems.map((p) => p.field)).toContain('runtime.family');
    expect(err.message).toContain('runtime.family: got "cobol"; expected one of "node", "static"');
  });

  it("an org template's partials apply by name: its labels reach the static image, its Node.js stage overrides do not", () => {
    const dir = binaryProject();
    fs.mkdirSync(path.join(dir, 'msb-templates/partials'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'msb-templates/partials/labels.hbs'), 'LABEL com.example.org="acme"{{#each labels}} {{key}}={{q value}}{{/each}}\n');
    fs.writeFileSync(path.join(dir, 'msb-templates/partials/runtime-stage.hbs'), 'FROM {{runtime.image}} AS runtime\nRUN echo node-only\n');
    const { files } = synth(STATIC, { dir });
    expect(files.Dockerfile).toContain('LABEL com.example.org="acme" org.opencontainers.image.title="orders-api"');
    expect(files.Dockerfile).not.toContain('node-only');
  });

  it('every family in the table has its main template', () => {
    for (const name of familyNames()) {
      expect(fs.existsSync(path.join(BUILTIN_TEMPLATE_DIR, name, 'Dockerfile.hbs')), name).toBe(true);
      expect(FAMILIES[name].name).toBe(name);
    }
  });

  it('warns when the binary is not there yet', () => {
    const dir = tempDir();
    const { app } = synth(STATIC, { dir });
    expect(app.buildWarnings()).toEqual(['bin/server not found: the runtime stage copies it from the build context']);
  });
});
