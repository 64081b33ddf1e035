/**
 * What every runtime family shares: detection by strength (a language manifest outranks the
 * package.json of projen's tooling), the tooling package.json of a non-Node project, the build
 * secrets contract (CA trust per toolchain, admitted by the policy as data) and org templates that
 * target a family (family build steps, `<family>/` template folders).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, MsbProject } from '../../src';
import { detectFamily } from '../../src/cli/families';
import { DETECTION_STRENGTH, type FamilyCli } from '../../src/contract/family-cli';
import { parse } from '../../src/dockerfile/parser';
import { mergeRuntimeStagePolicies, runtimeStageViolations } from '../../src/dockerfile-policy';
import { CA_TRUST, REGISTRY_SECRETS, buildSecretsContext, caTrustCommand, caTrustReads, registrySecretFiles } from '../../src/families/kit/build-secrets';
import { addToolingDependencies, toolingPackageJson } from '../../src/families/kit/projen-tooling';
import { nodeCli } from '../../src/families/node/cli';
import { TemplateRenderer, builtinTemplateFolders } from '../../src/templates';
import { readTree, tempDir, writePackage } from '../util';

/** A family that claims folders holding `lang.toml`, with the strength of a language manifest. */
const langCli = {
  ...nodeCli,
  name: 'lang',
  detect: (dir: string) => (fs.existsSync(path.join(dir, 'lang.toml')) ? { strength: DETECTION_STRENGTH.languageManifest, from: 'lang.toml' } : undefined),
} as FamilyCli;

describe('family detection', () => {
  it('the strongest claim wins, whatever the table order: a language manifest beats projen\'s package.json', () => {
    const dir = tempDir();
    writePackage(dir);
    expect(detectFamily(dir, [nodeCli, langCli])?.name).toBe('node');
    fs.writeFileSync(path.join(dir, 'lang.toml'), '');
    expect(detectFamily(dir, [nodeCli, langCli])?.name).toBe('lang');
    expect(detectFamily(dir, [langCli, nodeCli])?.name).toBe('lang');
    fs.rmSync(path.join(dir, 'package.json'));
    expect(detectFamily(dir, [nodeCli, langCli])?.name).toBe('lang');
    expect(detectFamily(tempDir(), [nodeCli, langCli])).toBeUndefined();
  });
});

describe('projen tooling of a non-Node project', () => {
  const def = { name: 'orders-api', port: 8080, healthCheckPath: '/healthz', runtime: {}, build: false as const, entrypoint: 'app', image: { repository: 'orders-api' }, extraDevDependencies: { '@acme/msb-template': '^1.0.0' } };
  const tooling = { lib: '^0.3.0', versions: { projen: '^0.90.0', constructs: '^10.0.0', sucrase: '^3.35.0', typescript: '^5.0.0' } };

  it('is a private package.json without a version, holding the definition\'s dev dependencies only', () => {
    const pkg = JSON.parse(toolingPackageJson(def, tooling));
    expect(pkg.version).toBeUndefined();
    expect(pkg.private).toBe(true);
    expect(pkg.devDependencies).toEqual({ '@acme/msb-template': '^1.0.0', 'constructs': '^10.0.0', 'create-msb-app': '^0.3.0', 'projen': '^0.90.0', 'sucrase': '^3.35.0' });
  });

  it('adoption writes it when absent, else adds only the missing dev dependencies', () => {
    const dir = tempDir();
    expect(addToolingDependencies(dir, def, tooling)).toBe('package.json');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).devDependencies.projen).toBe('^0.90.0');
    expect(addToolingDependencies(dir, def, tooling)).toBeUndefined();
    const other = tempDir();
    fs.writeFileSync(path.join(other, 'package.json'), '{\n  "name": "x",\n  "devDependencies": { "projen": "0.80.0" }\n}\n');
    expect(addToolingDependencies(other, def, tooling)).toBe('package.json');
    const pkg = JSON.parse(fs.readFileSync(path.join(other, 'package.json'), 'utf8'));
    expect(pkg.devDependencies.projen).toBe('0.80.0');
    expect(pkg.devDependencies['create-msb-app']).toBe('^0.3.0');
  });
});

/** A two-stage Dockerfile whose build stage runs `command` with the toolchain's secrets and CA trust. */
function withSecrets(toolchain: keyof typeof CA_TRUST, ecosystem: keyof typeof REGISTRY_SECRETS, command: string): string {
  const ctx = buildSecretsContext(toolchain, ecosystem) as { buildSecrets: { id: string; target: string }[]; caTrust: string };
  const mounts = ctx.buildSecrets.map((s) => `--mount=type=secret,id=${s.id},target=${s.target}`).join(' ');
  return `FROM builder AS deps\nWORKDIR /app\nRUN ${mounts} \\\n    ${ctx.caTrust} \\\n    ${command}\n` +
    'FROM runtime:nonroot AS runtime\nWORKDIR /app\nCOPY --from=deps --chown=65532:65532 /app/x ./x\nUSER 65532:65532\nCMD ["x"]\n';
}

const expected = { image: 'runtime:nonroot', uid: 65532, gid: 65532, workdir: '/app', stages: ['deps'] };

describe('build secrets contract', () => {
  it('each toolchain\'s CA trust is admitted by exactly its secretReads, and nothing else naming the secret is', () => {
    for (const [toolchain, ecosystem] of [['python', 'python'], ['go', 'go'], ['java', 'maven'], ['node', 'npm']] as const) {
      const policy = mergeRuntimeStagePolicies({ secretReads: caTrustReads(CA_TRUST[toolchain]) });
      const dockerfile = withSecrets(toolchain, ecosystem, 'make deps');
      expect(parse(dockerfile).problems).toEqual([]);
      expect(runtimeStageViolations(dockerfile, { ...expected, policy }), toolchain).toEqual([]);
      // without the family's reads the same step is refused
      expect(runtimeStageViolations(dockerfile, expected).join('\n'), toolchain).toMatch(/ca_cert/);
      // a step that copies the secret is refused even with them
      const leak = withSecrets(toolchain, ecosystem, 'cp /run/secrets/ca_cert /app/ca.pem');
      expect(runtimeStageViolations(leak, { ...expected, policy }).join('\n'), toolchain).toMatch(/names the secret ca_cert/);
    }
  });

  it('pip, uv and requests read the CA from the mounted file; the JVM from a throwaway truststore', () => {
    expect(caTrustCommand(CA_TRUST.python)).toBe('[ ! -f /run/secrets/ca_cert ] || export PIP_CERT=/run/secrets/ca_cert SSL_CERT_FILE=/run/secrets/ca_cert REQUESTS_CA_BUNDLE=/run/secrets/ca_cert;');
    expect(caTrustCommand(CA_TRUST.go)).toBe('[ ! -f /run/secrets/ca_cert ] || export SSL_CERT_FILE=/run/secrets/ca_cert;');
    const java = caTrustCommand(CA_TRUST.java);
    expect(java).toMatch(/^if \[ -f \/run\/secrets\/ca_cert \]; then .*keytool -importcert .*export JAVA_TOOL_OPTIONS=".*trustStore=\/tmp\/msb-ca\/truststore\.p12.*"; fi;$/);
    expect(buildSecretsContext('java', 'maven').caTrustCleanup).toBe('rm -rf /tmp/msb-ca');
  });

  it('registry secrets are mounted where each tool reads them, and their files stay out of the build context', () => {
    const ids = (e: keyof typeof REGISTRY_SECRETS) => (buildSecretsContext('python', e).buildSecrets as { id: string; target: string }[]).map((s) => `${s.id}:${s.target}`);
    expect(ids('python')).toEqual(['ca_cert:/run/secrets/ca_cert', 'pip_conf:/root/.config/pip/pip.conf', 'uv_toml:/root/.config/uv/uv.toml', 'netrc:/root/.netrc']);
    expect(ids('go')).toContain('netrc:/root/.netrc');
    expect(ids('maven')).toContain('maven_settings:/root/.m2/settings.xml');
    expect(registrySecretFiles('python')).toEqual(['**/pip.conf', '**/pip.ini', '**/.netrc']);
  });

  it('the shared partials render the mounts, the CA trust and the header help', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'Dockerfile.hbs'), '{{> toolchain-secrets-help}}RUN {{> toolchain-secret-mounts}} \\\n    {{> toolchain-ca-trust}}\n    make\n');
    const text = new TemplateRenderer([{ dir, source: 'test' }], builtinTemplateFolders('node')).render('Dockerfile', { ...buildSecretsContext('go', 'go'), secretsRequired: false });
    expect(text).toBe([
      '# Build secrets (optional; mounted for the downloading steps only, never stored in a layer):',
      '#   --secret id=ca_cert,src=/path/to/ca.pem   CA bundle of a TLS-intercepting proxy',
      '#   --secret id=netrc,src=$HOME/.netrc   credentials of private module hosts (with GOPRIVATE)',
      'RUN --mount=type=secret,id=ca_cert,target=/run/secrets/ca_cert --mount=type=secret,id=netrc,target=/root/.netrc \\',
      '    [ ! -f /run/secrets/ca_cert ] || export SSL_CERT_FILE=/run/secrets/ca_cert; \\',
      '    make',
      '',
    ].join('\n'));
  });
});

describe('org templates target a family', () => {
  function orgFolder(manifest: object, files: Record<string, string> = {}): string {
    const dir = tempDir('msb-org-');
    fs.writeFileSync(path.join(dir, 'msb-template.json'), JSON.stringify(manifest));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    return dir;
  }

  function synth(template: string, runtime?: object): Record<string, string> {
    const dir = tempDir();
    writePackage(dir);
    fs.writeFileSync(path.join(dir, 'server'), '');
    const project = new MsbProject({ name: 'orders-api', outdir: dir, template });
    new App(project, runtime ? { runtime: runtime as never } : {});
    project.synth();
    return readTree(dir);
  }

  it('familyBuildSteps run in the builder of the family they name only, after the untargeted buildSteps', () => {
    const org = orgFolder({ defaults: { buildSteps: ['echo every-family'], familyBuildSteps: { node: ['echo node-only'], static: ['echo static-only'] } } });
    const docker = synth(org).Dockerfile;
    expect(docker).toMatch(/echo every-family\n(?:.*\n)*?RUN .*echo node-only/);
    expect(docker).not.toContain('static-only');
  });

  it('buildSteps of a template that names a family apply to that family only', () => {
    const org = orgFolder({ defaults: { runtime: { family: 'static' }, buildSteps: ['echo for-static'] } });
    // The static family has no builder: the steps are kept for it, and a Node.js project does not get them.
    expect(synth(org, { family: 'node' }).Dockerfile).not.toContain('for-static');
  });

  it('a familyBuildSteps key that names no family is a template error naming the key and the families', () => {
    const org = orgFolder({ defaults: { familyBuildSteps: { pyhton: ['x'] } } });
    expect(() => synth(org)).toThrow(/defaults\.familyBuildSteps\.pyhton: unknown runtime family; expected one of "node", "static", "python"/);
  });

  it('a partial in the template\'s <family>/ folder applies to that family only and wins over the flat one', () => {
    const org = orgFolder({}, {
      'partials/labels.hbs': 'LABEL flat="1"\n',
      'node/partials/labels.hbs': 'LABEL family="node"\n',
    });
    expect(synth(org).Dockerfile).toContain('LABEL family="node"');
    const staticDocker = synth(org, { family: 'static', binary: 'server' }).Dockerfile;
    expect(staticDocker).toContain('LABEL flat="1"');
    expect(staticDocker).not.toContain('family="node"');
  });
});
