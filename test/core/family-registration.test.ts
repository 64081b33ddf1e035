/**
 * A family's registration is complete: every entry of FAMILY_TABLE, synthesized as a project of its
 * own (test/family-project('ts')), has
 * 1. its CI toolchains set up by every CI provider (`CiProvider.toolchains`);
 * 2. its build secrets: the downloading steps mount the CA secret and its ecosystem's registry
 *    secrets where the tools read them, the registry secret files stay out of the build context,
 *    and its runtime-stage policy admits its CA reads; a family without a builder is named in
 *    {@link NO_BUILDER} with the reason;
 * 3. its part of the org-template schema: its options type in src/contract/options/<name>.ts, in the
 *    `RuntimeOptions` union, and a `defaults.runtime` branch of schemas/msb-template.schema.json
 *    with its `family` value and every option (that the schema is regenerated at all is
 *    test/core/schema.test.ts's job);
 * 4. stand-ins of its default line's builder, runtime and debug images among those the image tests
 *    build (each stand-in script's `--list`, with the arguments test/images/global-setup.ts runs it with).
 * And the tooling's Node.js line is the Node.js family's default line.
 *
 * Each check is a function that returns the missing pieces, each naming the family and where the
 * piece goes; the negative controls at the end run each check on a registration that lacks one.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import dockerignore from '@balena/dockerignore';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from '../../scripts/msb-template-schema';
import type { CiProvider } from '../../src/ci/model';
import { CI_PROVIDERS } from '../../src/ci/provider';
import type { FamilyResolution, RuntimeFamily } from '../../src/contract/family';
import { fromReference } from '../../src/contract/model';
import { parse, secretMounts } from '../../src/dockerfile/parser';
import { literalInstances, runtimeStageViolations } from '../../src/dockerfile-policy';
import { FAMILY_TABLE } from '../../src/families';
import { CA_SECRET_ID, CA_SECRET_PATH, REGISTRY_SECRETS, type Ecosystem, registrySecretFiles } from '../../src/families/kit/build-secrets';
import { TOOLING_NODE_VERSION } from '../../src/families/kit/projen-tooling';
import { DEFAULT_NODE_VERSION } from '../../src/families/node/catalog';
import { type FamilyProject, familyProject } from '../family-projects';
import { STANDIN_RUNS } from '../images/global-setup';

const ROOT = path.resolve(__dirname, '..', '..');
const STANDIN_SCRIPTS = path.join(ROOT, 'scripts', 'containers');
const NAMES = Object.keys(FAMILY_TABLE);

/**
 * Families that have no builder stage, so nothing downloads during the image build and no step
 * mounts a build secret; each with the reason. A family listed here that has a builder is a problem too.
 */
const NO_BUILDER: Readonly<Record<string, string>> = {
  static: 'it copies a prebuilt binary from the build context into distroless static: no builder, no dependency install, no RUN',
};

// --- 1. CI -------------------------------------------------------------------------------------

/** Every toolchain the family's `ci` names that a provider does not set up. */
function ciProblems(p: FamilyProject, providers: Readonly<Record<string, CiProvider>>): string[] {
  const { toolchains } = p.family.ci(p.model, p.facts);
  return Object.entries(toolchains).flatMap(([tool, version]) => Object.values(providers)
    .filter((provider) => !provider.toolchains.includes(tool as never))
    .map((provider) => `${p.name}: its CI toolchain "${tool}" (${version}, from the family's ci()) is not set up by the CI provider "${provider.name}" (${provider.title}); ` +
      'add it to that provider\'s toolchain setup table, which its `toolchains` are read from (GitHub Actions: TOOLCHAIN_SETUP in src/ci/github/workflow.ts)'));
}

// --- 2. Build secrets ----------------------------------------------------------------------------

/** Where each registry secret is mounted, by id (an id several ecosystems share, e.g. netrc, has one target). */
const REGISTRY_SECRET_TARGETS = new Map<string, string>(
  Object.values(REGISTRY_SECRETS).flatMap((list) => list.map((s) => [s.id, s.target] as [string, string])),
);

/** What is missing of the build-secrets contract (src/families/kit/build-secrets.ts) in the project's outputs. */
function buildSecretProblems(p: FamilyProject, noBuilder: Readonly<Record<string, string>> = NO_BUILDER): string[] {
  const { name, family, model } = p;
  const roles = family.dockerfile.roles?.(model) ?? {};
  const builder = model.baseImages.builder;
  const allowListed = Object.prototype.hasOwnProperty.call(noBuilder, name);
  if (!builder && roles.dependencies === undefined) {
    return allowListed ? [] : [`${name}: no builder image and no dependency stage, so no step mounts the build secrets; if nothing is downloaded in its image build, name it in NO_BUILDER (test/core/family-registration.test.ts) with the reason`];
  }
  const out: string[] = [];
  if (allowListed) out.push(`${name}: named in NO_BUILDER ("${noBuilder[name]}") but it has ${builder ? `the builder ${builder.ref}` : `the dependency stage "${roles.dependencies}"`}: remove it from NO_BUILDER`);

  const dockerfile = p.files.Dockerfile;
  const buildStages = parse(dockerfile).stages.slice(0, -1);
  const runs = buildStages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((ins) => ({ stage: s.name ?? String(s.index), ins, mounts: secretMounts(ins) })));
  const depStage = roles.dependencies ?? buildStages[0]?.name;
  if (!runs.some((r) => r.stage === depStage && r.mounts.length > 0)) {
    out.push(`${name}: no RUN of its dependency stage "${depStage}" mounts a build secret: its downloading steps need \`{{> toolchain-secret-mounts}}\` and \`{{> toolchain-ca-trust}}\` with buildSecretsContext(toolchain, ecosystem) in the family's template context (src/families/kit/build-secrets.ts)`);
  }
  for (const { stage, ins, mounts } of runs.filter((r) => r.mounts.length > 0)) {
    const at = `Dockerfile line ${ins.line} (stage "${stage}")`;
    const ca = mounts.find((m) => m.id === CA_SECRET_ID);
    if (!ca || ca.target !== CA_SECRET_PATH) out.push(`${name}: ${at} mounts ${mounts.map((m) => m.id).join(', ')} but not the CA secret ${CA_SECRET_ID} at ${CA_SECRET_PATH} (CA_SECRET, first in buildSecretsContext)`);
    else if (!ins.rest.includes(CA_SECRET_PATH)) out.push(`${name}: ${at} mounts ${CA_SECRET_ID} but its command never trusts it: add \`{{> toolchain-ca-trust}}\` (CA_TRUST of its toolchain)`);
    for (const m of mounts.filter((x) => x.id !== CA_SECRET_ID)) {
      const target = REGISTRY_SECRET_TARGETS.get(m.id);
      if (target === undefined) out.push(`${name}: ${at} mounts the secret ${m.id}, which no REGISTRY_SECRETS entry names (add its ecosystem to REGISTRY_SECRETS)`);
      else if (target !== m.target) out.push(`${name}: ${at} mounts ${m.id} at ${m.target}, not at ${target} where REGISTRY_SECRETS says the tool reads it`);
    }
  }

  // The ecosystems whose registry secrets are all mounted: their credential files stay out of the context.
  const mounted = new Set(runs.flatMap((r) => r.mounts.map((m) => m.id)));
  const ecosystems = (Object.keys(REGISTRY_SECRETS) as Ecosystem[]).filter((e) => REGISTRY_SECRETS[e].every((s) => mounted.has(s.id)));
  if (ecosystems.length === 0) {
    out.push(`${name}: its Dockerfile mounts the registry secrets of no ecosystem (REGISTRY_SECRETS: ${Object.keys(REGISTRY_SECRETS).join(', ')}): pass its ecosystem to buildSecretsContext, or add the ecosystem to REGISTRY_SECRETS`);
  }
  const ignores = dockerignore().add(p.files['.dockerignore']);
  for (const e of ecosystems) {
    for (const pattern of registrySecretFiles(e)) {
      const samples = [pattern.replace(/^\*\*\//, ''), ...literalInstances(pattern)];
      const kept = samples.filter((f) => !ignores.ignores(f));
      if (kept.length > 0) out.push(`${name}: .dockerignore does not keep ${pattern} (a registry secret file of ${e}) out of the build context (${kept.join(', ')} would be sent): add registrySecretFiles("${e}") to the family's dockerignore.secretFiles`);
      else if (!family.dockerignore.secretFiles.includes(pattern)) out.push(`${name}: its dockerignore.secretFiles lack ${pattern} (registrySecretFiles("${e}")): the copy checks do not know it is a secret`);
    }
  }

  // The CA reads of the downloading steps are admitted by the family's own policy entry.
  const policy = family.dockerfile.policy?.(model) ?? {};
  if ((policy.secretReads ?? []).length === 0) out.push(`${name}: its runtime-stage policy (dockerfile.policy) admits no CA reads: add secretReads: caTrustReads(<its CA trust>) (src/families/kit/build-secrets.ts)`);
  const expected = {
    image: fromReference(model.baseImages.runtime),
    uid: model.runtime.uid,
    gid: model.runtime.gid,
    workdir: model.workdir,
    stages: [...family.dockerfile.copyFrom(model)],
    policy,
    env: Object.keys(model.env),
    cmd: (family.dockerfile.exec?.(model) ?? { cmd: model.runtime.cmd }).cmd,
  };
  for (const v of runtimeStageViolations(dockerfile, expected).filter((x) => x.includes('secret'))) {
    out.push(`${name}: its runtime-stage policy refuses a build step: ${v}; its policy entry's secretReads must admit the CA trust (caTrustReads)`);
  }
  return out;
}

// --- 3. Schema ---------------------------------------------------------------------------------

/** One member of the `RuntimeOptions` union, as the TypeScript checker reads it. */
interface OptionsMember {
  /** e.g. `GoRuntimeOptions`. */
  readonly type: string;
  /** Its `family` literal(s). */
  readonly families: readonly string[];
  /** Where it is declared, from the repository root. */
  readonly file: string;
  readonly properties: readonly string[];
}

/** The members of `RuntimeOptions` (src/contract/options/index.ts). */
function runtimeOptionsMembers(): OptionsMember[] {
  const entry = path.join(ROOT, 'src', 'contract', 'options', 'index.ts');
  const options = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, noEmit: true };
  const program = ts.createProgram([entry], options);
  const checker = program.getTypeChecker();
  const alias = program.getSourceFile(entry)!.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'RuntimeOptions');
  if (!alias) throw new Error('no type RuntimeOptions in src/contract/options/index.ts');
  const union = checker.getTypeFromTypeNode(alias.type);
  return (union.isUnion() ? union.types : [union]).map((t) => {
    const family = t.getProperty('family');
    const familyType = family ? checker.getTypeOfSymbol(family) : undefined;
    const literals = familyType ? (familyType.isUnion() ? familyType.types : [familyType]) : [];
    const decl = t.getSymbol()?.declarations?.[0];
    return {
      type: checker.typeToString(t),
      families: literals.filter((x): x is ts.StringLiteralType => x.isStringLiteral()).map((x) => x.value),
      file: decl ? path.relative(ROOT, decl.getSourceFile().fileName).split(path.sep).join('/') : '(unknown)',
      properties: checker.getPropertiesOfType(t).map((x) => x.name),
    };
  });
}

/** The parts of a JSON Schema node the check reads. */
interface SchemaNode {
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly anyOf?: readonly SchemaNode[];
}

/** The `family` values a schema branch accepts. */
function familyValues(node: SchemaNode | undefined): unknown[] {
  if (node?.const !== undefined) return [node.const];
  return Array.isArray(node?.enum) ? [...node.enum] : [];
}

/** What is missing of the family's options: its file, its place in the union, its branch of the schema. */
function schemaProblems(name: string, members: readonly OptionsMember[], schema: { properties?: Record<string, SchemaNode> }): string[] {
  const out: string[] = [];
  const file = `src/contract/options/${name}.ts`;
  if (!fs.existsSync(path.join(ROOT, file))) out.push(`${name}: no ${file}: its runtime options type (an interface with \`readonly family: '${name}'\` and its settings) goes there`);
  const own = members.filter((m) => m.families.includes(name));
  if (own.length === 0) out.push(`${name}: RuntimeOptions (src/contract/options/index.ts) has no member whose family is "${name}": add its options type to the union`);
  for (const m of own.filter((x) => x.file !== file)) out.push(`${name}: its options type ${m.type} is declared in ${m.file}, not in ${file}`);
  const regenerate = 'run `npx tsx scripts/msb-template-schema.ts`';
  const branches = schema.properties?.defaults?.properties?.runtime?.anyOf ?? [];
  const branch = branches.find((b) => familyValues(b.properties?.family).includes(name));
  if (!branch) {
    out.push(`${name}: ${path.relative(ROOT, SCHEMA_FILE)} has no defaults.runtime branch with family "${name}": ${regenerate}`);
  } else {
    const missing = own.flatMap((m) => m.properties).filter((x) => !Object.prototype.hasOwnProperty.call(branch.properties ?? {}, x));
    if (missing.length > 0) out.push(`${name}: the defaults.runtime branch of family "${name}" in ${path.relative(ROOT, SCHEMA_FILE)} lacks ${missing.map((x) => `runtime.${x}`).join(', ')}: ${regenerate}`);
  }
  return out;
}

// --- 4. Stand-ins ----------------------------------------------------------------------------------

const execFileAsync = promisify(execFile);

/** What a stand-in script would build (`--list`: it builds nothing and needs no podman), one image a line. */
async function standinList(script: string, args: readonly string[]): Promise<string[]> {
  const { stdout, stderr } = await execFileAsync('bash', [path.join(STANDIN_SCRIPTS, script), ...args, '--list'], { encoding: 'utf8', timeout: 20_000 });
  if (stderr !== '') throw new Error(`${script} --list wrote to stderr: ${stderr}`);
  return stdout.split('\n').filter((l) => l !== '');
}

/** The default line's images of the family (its resolution, `FamilyResolution.images`) that no stand-in script lists. */
function standinProblems(name: string, images: FamilyResolution['images'], listed: ReadonlySet<string>): string[] {
  const runs = STANDIN_RUNS.map((r) => [r.script, ...r.args].join(' ')).join('; ');
  return (['builder', 'runtime', 'debug'] as const)
    .filter((role) => images[role] !== undefined && !listed.has(images[role]!))
    .map((role) => `${name}: its ${role} image ${images[role]} has no stand-in: no stand-in script lists it (scripts/containers/*.sh --list, run as test/images/global-setup.ts runs them: ${runs}); ` +
      'build it in the family\'s stand-in script (named in its image list) and add the script to STANDIN_RUNS');
}

// --- 5. The tooling's Node.js line -------------------------------------------------------------------

function toolingLineProblems(tooling: string, nodeDefault: string): string[] {
  return tooling === nodeDefault ? [] : [`TOOLING_NODE_VERSION (src/families/kit/projen-tooling.ts) is "${tooling}", the Node.js family's default line (DEFAULT_NODE_VERSION, src/families/node/catalog.ts) is "${nodeDefault}": move them together`];
}

// --- the checks, on every family -------------------------------------------------------------------

/** The project of each family, or why it could not be made (thrown by the tests that need it). */
const made: Record<string, FamilyProject | Error> = {};
function project(name: string): FamilyProject {
  const p = made[name];
  if (p instanceof Error) throw p;
  return p;
}
/** The members of RuntimeOptions (one TypeScript program, about half a second). */
let members: OptionsMember[] = [];
/** Every image a stand-in script lists. */
const standins = new Set<string>();
const listsByScript: Record<string, string[]> = {};

beforeAll(async () => {
  for (const name of NAMES) made[name] = await familyProject(name).catch((e: Error) => e);
  members = runtimeOptionsMembers();
  const lists = await Promise.all(STANDIN_RUNS.map(async (r) => [r.script, await standinList(r.script, r.args)] as const));
  for (const [script, list] of lists) {
    listsByScript[script] = list;
    for (const image of list) standins.add(image);
  }
});

describe('every family of FAMILY_TABLE is registered completely', () => {
  it('the table has families, and each is synthesized as a project of its own', () => {
    expect(NAMES.length).toBeGreaterThan(0);
    for (const name of NAMES) {
      const { family } = project(name).model;
      expect(family, `${name}: the project made from its new-project files and runtimeProps() is a project of family "${family}": runtimeProps must set runtime.family`).toBe(name);
    }
  });

  it.each(NAMES)('%s: every CI provider sets up the toolchains its ci() names', (name) => {
    expect(ciProblems(project(name), CI_PROVIDERS)).toEqual([]);
  });

  it.each(NAMES)('%s: its downloading steps mount the CA and registry secrets, their files stay out of the context, its policy admits the CA reads (or it has no builder, with the reason)', (name) => {
    expect(buildSecretProblems(project(name))).toEqual([]);
  });

  it.each(NAMES)('%s: its options type is in RuntimeOptions and its branch of the org-template schema has every option', (name) => {
    expect(schemaProblems(name, members, JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')))).toEqual([]);
  });

  it.each(NAMES)('%s: the image tests build stand-ins of its default line\'s builder, runtime and debug images', (name) => {
    expect(standinProblems(name, project(name).model.runtime.images, standins)).toEqual([]);
  });

  it('the tooling\'s Node.js line (CI jobs of every family) is the Node.js family\'s default line', () => {
    expect(toolingLineProblems(TOOLING_NODE_VERSION, DEFAULT_NODE_VERSION)).toEqual([]);
  });

  it('each stand-in script\'s --list names image references only, and follows the arguments the build reads', async () => {
    for (const [script, list] of Object.entries(listsByScript)) {
      expect(list.length, script).toBeGreaterThan(0);
      for (const image of list) expect(image, script).toMatch(/^[a-z0-9.-]+(\/[a-z0-9._-]+)+:[A-Za-z0-9._-]+$/);
    }
    // the same variables name what is built and what is listed: another line or subset changes both
    expect(await standinList('standins-go.sh', ['1.25'])).toContain('docker.io/library/golang:1.25-trixie');
    expect(await standinList('build-standins.sh', ['static'])).toEqual(['gcr.io/distroless/static-debian13:nonroot', 'gcr.io/distroless/static-debian13:debug-nonroot']);
    expect(await standinList('build-standins.sh', ['24'])).toEqual(['docker.io/library/node:24-trixie', 'gcr.io/distroless/nodejs24-debian13:nonroot', 'gcr.io/distroless/nodejs24-debian13:debug-nonroot']);
  });
});

describe('the checks themselves can fail (negative controls)', () => {
  /** The project of a family with its synthesis part changed. */
  const withFamily = (p: FamilyProject, change: (f: RuntimeFamily) => RuntimeFamily): FamilyProject => ({ ...p, family: change(p.family) });
  const withFiles = (p: FamilyProject, files: Record<string, string>): FamilyProject => ({ ...p, files: { ...p.files, ...files } });

  it('CI: a provider that does not set up a family\'s toolchain is named with the toolchain', () => {
    const partial: CiProvider = { ...CI_PROVIDERS.github, name: 'other', title: 'Other CI', toolchains: ['node', 'python'] };
    expect(ciProblems(project('go'), { github: CI_PROVIDERS.github, other: partial })).toEqual([
      'go: its CI toolchain "go" (1.26, from the family\'s ci()) is not set up by the CI provider "other" (Other CI); add it to that provider\'s toolchain setup table, which its `toolchains` are read from (GitHub Actions: TOOLCHAIN_SETUP in src/ci/github/workflow.ts)',
    ]);
    // a family naming a toolchain no provider has
    const rust = withFamily(project('go'), (f) => ({ ...f, ci: () => ({ toolchains: { rust: '1.90' } as never, install: [], test: [] }) }));
    expect(ciProblems(rust, CI_PROVIDERS).join('\n')).toContain('go: its CI toolchain "rust" (1.90, from the family\'s ci()) is not set up by the CI provider "github"');
  });

  it('build secrets: a missing CA mount, CA trust, registry secret, ignored file or policy read is named', () => {
    const python = project('python');
    const df = python.files.Dockerfile;
    const noCa = df.split(` --mount=type=secret,id=${CA_SECRET_ID},target=${CA_SECRET_PATH}`).join('');
    expect(noCa).not.toBe(df);
    expect(buildSecretProblems(withFiles(python, { Dockerfile: noCa })).join('\n')).toMatch(/^python: Dockerfile line \d+ \(stage "venv"\) mounts pip_conf, uv_toml, netrc but not the CA secret ca_cert at \/run\/secrets\/ca_cert/);

    const noTrust = df.replace(/\[ ! -f \/run\/secrets\/ca_cert \] \|\| export [^;]*; \\\n\s*/g, '');
    expect(noTrust).not.toBe(df);
    expect(buildSecretProblems(withFiles(python, { Dockerfile: noTrust })).join('\n')).toContain('mounts ca_cert but its command never trusts it');

    const noSecrets = df.replace(/ --mount=type=secret,[^ ]+/g, '');
    expect(buildSecretProblems(withFiles(python, { Dockerfile: noSecrets }))).toEqual([
      'python: no RUN of its dependency stage "venv" mounts a build secret: its downloading steps need `{{> toolchain-secret-mounts}}` and `{{> toolchain-ca-trust}}` with buildSecretsContext(toolchain, ecosystem) in the family\'s template context (src/families/kit/build-secrets.ts)',
      `python: its Dockerfile mounts the registry secrets of no ecosystem (REGISTRY_SECRETS: ${Object.keys(REGISTRY_SECRETS).join(', ')}): pass its ecosystem to buildSecretsContext, or add the ecosystem to REGISTRY_SECRETS`,
    ]);

    const strayTarget = df.replace('id=pip_conf,target=/root/.config/pip/pip.conf', 'id=pip_conf,target=/root/pip.conf');
    expect(buildSecretProblems(withFiles(python, { Dockerfile: strayTarget })).join('\n')).toContain('mounts pip_conf at /root/pip.conf, not at /root/.config/pip/pip.conf');

    const ignore = python.files['.dockerignore'];
    const leaky = ignore.split('\n').filter((l) => l !== '**/pip.conf').join('\n');
    expect(buildSecretProblems(withFiles(python, { '.dockerignore': leaky }))).toEqual([
      'python: .dockerignore does not keep **/pip.conf (a registry secret file of python) out of the build context (pip.conf, x/pip.conf, x/y/pip.conf would be sent): add registrySecretFiles("python") to the family\'s dockerignore.secretFiles',
    ]);
    const undeclared = withFamily(python, (f) => ({ ...f, dockerignore: { ...f.dockerignore, secretFiles: [] } }));
    expect(buildSecretProblems(undeclared).join('\n')).toContain('python: its dockerignore.secretFiles lack **/pip.conf (registrySecretFiles("python"))');

    const noReads = withFamily(project('go'), (f) => ({ ...f, dockerfile: { ...f.dockerfile, policy: (m) => ({ ...f.dockerfile.policy!(m), secretReads: [] }) } }));
    const problems = buildSecretProblems(noReads);
    expect(problems[0]).toBe('go: its runtime-stage policy (dockerfile.policy) admits no CA reads: add secretReads: caTrustReads(<its CA trust>) (src/families/kit/build-secrets.ts)');
    expect(problems.slice(1).length).toBeGreaterThan(0);
    for (const x of problems.slice(1)) expect(x).toMatch(/^go: its runtime-stage policy refuses a build step: line \d+: RUN .* \(the build step (names the secret ca_cert|uses .* while the secrets ca_cert, netrc are mounted)/);
  });

  it('build secrets: a family without a builder must be named in NO_BUILDER, and one with a builder must not be', () => {
    expect(buildSecretProblems(project('static'), {})).toEqual([
      'static: no builder image and no dependency stage, so no step mounts the build secrets; if nothing is downloaded in its image build, name it in NO_BUILDER (test/core/family-registration.test.ts) with the reason',
    ]);
    expect(buildSecretProblems(project('java'), { ...NO_BUILDER, java: 'a wrong reason' })).toEqual([
      'java: named in NO_BUILDER ("a wrong reason") but it has the builder docker.io/library/maven:3.9-eclipse-temurin-21: remove it from NO_BUILDER',
    ]);
  });

  it('schema: a family without an options file, a union member or a schema branch, and a branch missing an option, are named', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    expect(schemaProblems('cobol', members, schema)).toEqual([
      'cobol: no src/contract/options/cobol.ts: its runtime options type (an interface with `readonly family: \'cobol\'` and its settings) goes there',
      'cobol: RuntimeOptions (src/contract/options/index.ts) has no member whose family is "cobol": add its options type to the union',
      'cobol: schemas/msb-template.schema.json has no defaults.runtime branch with family "cobol": run `npx tsx scripts/msb-template-schema.ts`',
    ]);
    expect(schemaProblems('go', members.filter((m) => !m.families.includes('go')), schema)).toEqual([
      'go: RuntimeOptions (src/contract/options/index.ts) has no member whose family is "go": add its options type to the union',
    ]);
    const branches = schema.properties.defaults.properties.runtime.anyOf as { properties: Record<string, unknown> }[];
    const stale = structuredClone(schema);
    const goBranch = (stale.properties.defaults.properties.runtime.anyOf as typeof branches).find((b) => familyValues(b.properties.family as SchemaNode).includes('go'))!;
    delete goBranch.properties.cgo;
    expect(schemaProblems('go', members, stale)).toEqual([
      'go: the defaults.runtime branch of family "go" in schemas/msb-template.schema.json lacks runtime.cgo: run `npx tsx scripts/msb-template-schema.ts`',
    ]);
    const moved = members.map((m) => (m.families.includes('go') ? { ...m, file: 'src/contract/options/index.ts' } : m));
    expect(schemaProblems('go', moved, schema)).toEqual(['go: its options type GoRuntimeOptions is declared in src/contract/options/index.ts, not in src/contract/options/go.ts']);
    expect(branches.length).toBe(members.length);
  });

  it('stand-ins: an image no script lists is named with its role', () => {
    const { images } = project('java').model.runtime;
    expect(standinProblems('java', { ...images, builder: 'docker.io/library/maven:3.9-eclipse-temurin-25' }, standins)).toEqual([
      `java: its builder image docker.io/library/maven:3.9-eclipse-temurin-25 has no stand-in: no stand-in script lists it (scripts/containers/*.sh --list, run as test/images/global-setup.ts runs them: ${STANDIN_RUNS.map((r) => [r.script, ...r.args].join(' ')).join('; ')}); ` +
      'build it in the family\'s stand-in script (named in its image list) and add the script to STANDIN_RUNS',
    ]);
    expect(standinProblems('java', images, new Set()).map((x) => x.split(' has no stand-in')[0])).toEqual([
      `java: its builder image ${images.builder}`, `java: its runtime image ${images.runtime}`, `java: its debug image ${images.debug}`,
    ]);
  });

  it('the tooling\'s Node.js line: another line than the family\'s default is named', () => {
    expect(toolingLineProblems('24', DEFAULT_NODE_VERSION)).toEqual([
      `TOOLING_NODE_VERSION (src/families/kit/projen-tooling.ts) is "24", the Node.js family's default line (DEFAULT_NODE_VERSION, src/families/node/catalog.ts) is "${DEFAULT_NODE_VERSION}": move them together`,
    ]);
  });
});
