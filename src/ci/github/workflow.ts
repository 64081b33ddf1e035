/**
 * The GitHub Actions provider: one workflow, `.github/workflows/msb-ci.yml`, with two jobs per App:
 * `check-<app>` on pull requests (tests, both images built with the Actions cache, verify) and
 * `release-<app>` on pushes to the release branch and `v*` tags (base signatures verified, images
 * built for every platform with SBOM and provenance, pushed, signed with cosign keyless, manifests
 * pinned to the pushed digests and uploaded as an artifact). Rendered from plain objects into YAML;
 * every third-party action is pinned to a commit (src/ci/github/actions.ts).
 */
import { Document } from 'yaml';
import { ACTIONS, type PinnedAction, uses } from './actions';
import type { CiToolchain } from '../../contract/family';
import { TOOLING_NODE_VERSION } from '../../families/kit/projen-tooling';
import { CI_DEFAULTS, type CiAppModel, type CiProvider } from '../model';

/** Where the workflow is written. */
export const GITHUB_WORKFLOW_PATH = '.github/workflows/msb-ci.yml';

/** The runner every job uses (a fixed image version, not `-latest`, so the tools on it do not move). */
export const GITHUB_RUNNER = 'ubuntu-24.04';

/** Secrets the workflow reads for a registry other than ghcr.io. */
export const REGISTRY_SECRETS = { username: 'REGISTRY_USERNAME', password: 'REGISTRY_PASSWORD' } as const;

/** One step; `comment` becomes the comment above it. */
interface Step {
  readonly 'name': string;
  readonly 'id'?: string;
  readonly 'uses'?: PinnedAction;
  readonly 'with'?: Record<string, string | boolean>;
  readonly 'env'?: Record<string, string>;
  readonly 'working-directory'?: string;
  readonly 'run'?: string;
  readonly 'comment'?: string;
}

/** A job: its settings and its steps. */
type Job = Record<string, unknown> & { readonly steps: readonly Step[] };

/** How each toolchain is set up: the action and its version input (Node.js is set up in every job). */
const TOOLCHAIN_SETUP: Readonly<Record<Exclude<CiToolchain, 'node'>, { title: string; action: PinnedAction; with: (version: string) => Record<string, string> }>> = {
  go: { title: 'Go', action: ACTIONS.setupGo, with: (version) => ({ 'go-version': version }) },
  python: { title: 'Python', action: ACTIONS.setupPython, with: (version) => ({ 'python-version': version }) },
  java: { title: 'Java (Temurin)', action: ACTIONS.setupJava, with: (version) => ({ 'distribution': 'temurin', 'java-version': version }) },
};

const GHCR = 'ghcr.io';
const expr = (x: string) => `\${{ ${x} }}`;
const script = (lines: readonly string[]) => `${lines.join('\n')}\n`;

function checkout(): Step {
  return { name: 'Check out', uses: ACTIONS.checkout, with: { 'persist-credentials': false } };
}

/** Node.js (the tooling, and the app on the Node.js family), the family's toolchains, `ci.prepare` and the install. */
function setupSteps(app: CiAppModel, withInstall: boolean): Step[] {
  const { toolchains, install } = app.family;
  const node = toolchains.node ?? TOOLING_NODE_VERSION;
  const steps: Step[] = [{ name: `Set up Node.js ${node}`, uses: ACTIONS.setupNode, with: { 'node-version': node } }];
  for (const [tool, setup] of Object.entries(TOOLCHAIN_SETUP)) {
    const version = toolchains[tool as CiToolchain];
    if (version !== undefined) steps.push({ name: `Set up ${setup.title} ${version}`, uses: setup.action, with: setup.with(version) });
  }
  if (withInstall) steps.push({ name: 'Install the dependencies and the tooling', run: script(install) });
  if (app.prepare.length > 0) steps.push({ name: 'Prepare (ci.prepare)', run: script(app.prepare) });
  return steps;
}

/** The build of one image: the same cache scope for the check and the release. */
function build(app: CiAppModel, variant: 'runtime' | 'debug', release: boolean): Step {
  const file = variant === 'runtime' ? app.dockerfile : app.debugDockerfile;
  const scope = `${app.name}-${variant}`;
  const id = release ? (variant === 'runtime' ? 'runtime' : 'debug') : undefined;
  return {
    name: `${release ? 'Build and push' : 'Build'} the ${variant} image (${file})`,
    ...(id ? { id } : {}),
    uses: ACTIONS.buildPush,
    with: {
      'context': '.',
      'file': file,
      ...(release
        ? {
          platforms: app.platforms.join(','),
          push: true,
          tags: expr(`steps.${variant === 'runtime' ? 'meta' : 'meta-debug'}.outputs.tags`),
          sbom: true,
          provenance: 'mode=max',
        }
        : { push: false }),
      'cache-from': `type=gha,scope=${scope}`,
      'cache-to': `type=gha,mode=max,scope=${scope}`,
    },
  };
}

function checkJob(app: CiAppModel): Job {
  const { test, note } = app.family;
  const steps: Step[] = [checkout(), ...setupSteps(app, true)];
  if (test.length > 0) {
    steps.push({ name: 'Test', ...(app.folder === '.' ? {} : { 'working-directory': app.folder }), run: script(test) });
  }
  steps.push({ name: 'Set up Docker Buildx', uses: ACTIONS.setupBuildx, ...(test.length === 0 ? { comment: `No test step: ${note ?? 'the project states no tests'}; ci.test names the commands.` } : {}) });
  steps.push({
    ...build(app, 'runtime', false),
    comment: [
      'Build cache: cache-to exports every stage (mode=max). No stage of these builds sees a build secret:',
      'BuildKit mounts a secret only when the build passes it, and this workflow passes none. A build that',
      'is given secrets must export mode=min (the final image\'s layers only): a stage that mounted a',
      'secret may have written what it read into its layers.',
    ].join('\n'),
  });
  steps.push(build(app, 'debug', false));
  if (app.verify) {
    steps.push({
      name: 'Verify the images (create-msb-app verify)',
      run: script(['npx create-msb-app verify --engine docker']),
      comment: 'The production contract on the runner\'s docker: uid, no shell, read-only root, probes, SIGTERM, sizes.',
    });
  }
  return {
    'name': `check ${app.name}: tests, images, verify`,
    'if': "github.event_name == 'pull_request'",
    'runs-on': GITHUB_RUNNER,
    'timeout-minutes': 45,
    'permissions': { contents: 'read' },
    'steps': steps,
  };
}

/** cosign keyless verification of each base image with a known signer; the others named with the reason. */
function verifyBases(app: CiAppModel): Step {
  const lines = ['set -euo pipefail'];
  for (const b of app.baseImages) {
    if (b.signer) {
      lines.push(`cosign verify --certificate-identity ${b.signer.certificateIdentity} --certificate-oidc-issuer ${b.signer.certificateOidcIssuer} ${b.ref} > /dev/null`);
      lines.push(`echo "verified: ${b.ref} (signed by ${b.signer.who})"`);
    } else {
      lines.push(`echo "not verified: ${b.ref} (${b.role})"`);
    }
  }
  const unverified = app.baseImages.filter((b) => !b.signer).map((b) => `${b.role} ${b.ref}: ${b.unverified}`);
  return {
    name: 'Verify the base images\' signatures (cosign keyless)',
    run: script(lines),
    comment: [
      'Base images signed keyless by their publisher are verified before they are built upon.',
      ...(unverified.length > 0 ? ['Not verified:', ...unverified.map((u) => `  ${u}`)] : []),
      'A tag can move between this check and the build: pin the bases by digest (baseImages) to close the gap.',
    ].join('\n'),
  };
}

/** docker/metadata-action: the definition's tag, the commit and, on a git tag, the git tag. */
function metadata(app: CiAppModel, debug: boolean): Step {
  return {
    name: `Tags of the ${debug ? 'debug' : 'runtime'} image`,
    id: debug ? 'meta-debug' : 'meta',
    uses: ACTIONS.metadata,
    with: {
      images: app.repository,
      tags: script([`type=raw,value=${app.tag}`, 'type=sha', 'type=ref,event=tag']),
      ...(debug ? { flavor: 'suffix=-debug,onlatest=true' } : {}),
    },
  };
}

/**
 * The release overlays: the base and the debug overlay with the pushed digests (kustomize
 * `images[].digest`), rendered into the artifact folder with the digests as JSON.
 */
function pinDigests(app: CiAppModel): Step {
  const release = `${app.base.replace(/\/base$/, '')}/overlays/release`;
  const releaseDebug = `${release}-debug`;
  const overlay = (dir: string, resource: string, tagVar: string, digestVar: string) => [
    `cat > ${dir}/kustomization.yaml <<EOF`,
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${resource}`,
    'images:',
    '  - name: $IMAGE',
    `    newTag: $${tagVar}`,
    `    digest: $${digestVar}`,
    'EOF',
  ];
  const lines = [
    'set -euo pipefail',
    `mkdir -p "$OUT" ${release} ${releaseDebug}`,
    ...overlay(release, '../../base', 'TAG', 'RUNTIME_DIGEST'),
    ...overlay(releaseDebug, '../debug', 'DEBUG_TAG', 'DEBUG_DIGEST'),
    `kubectl kustomize ${release} > "$OUT/release.yaml"`,
    `kubectl kustomize ${releaseDebug} > "$OUT/release-debug.yaml"`,
    'printf \'{\\n  "image": "%s",\\n  "digest": "%s",\\n  "debugDigest": "%s"\\n}\\n\' "$IMAGE" "$RUNTIME_DIGEST" "$DEBUG_DIGEST" > "$OUT/digests.json"',
  ];
  return {
    name: 'Pin the pushed digests in the manifests',
    env: {
      IMAGE: app.repository,
      TAG: app.tag,
      DEBUG_TAG: app.debugTag,
      RUNTIME_DIGEST: expr('steps.runtime.outputs.digest'),
      DEBUG_DIGEST: expr('steps.debug.outputs.digest'),
      OUT: `${expr('runner.temp')}/manifests/${app.name}`,
    },
    run: script(lines),
    comment: [
      `${release} (the base) and ${releaseDebug} (the debug overlay) set the image to <repository>:<tag>@<digest>;`,
      'the rendered manifests and digests.json (the values of image.digest and image.debugDigest, to pin',
      'the definition itself) are uploaded as the artifact below. Nothing is committed back.',
    ].join('\n'),
  };
}

function releaseJob(app: CiAppModel): Job {
  const ghcr = app.registry === GHCR;
  const emulated = app.platforms.some((p) => p !== 'linux/amd64');
  const steps: Step[] = [
    checkout(),
    ...(app.prepare.length > 0 ? setupSteps(app, true) : []),
    { name: 'Install cosign', uses: ACTIONS.cosignInstaller },
    verifyBases(app),
    ...(emulated ? [{ name: 'Set up QEMU (the other platforms\' build steps)', uses: ACTIONS.setupQemu }] : []),
    { name: 'Set up Docker Buildx', uses: ACTIONS.setupBuildx },
    {
      name: `Log in to ${app.registry}`,
      uses: ACTIONS.login,
      with: {
        registry: app.registry,
        username: ghcr ? expr('github.actor') : expr(`secrets.${REGISTRY_SECRETS.username}`),
        password: ghcr ? expr('secrets.GITHUB_TOKEN') : expr(`secrets.${REGISTRY_SECRETS.password}`),
      },
    },
    metadata(app, false),
    metadata(app, true),
    build(app, 'runtime', true),
    build(app, 'debug', true),
    {
      name: 'Sign the pushed images (cosign keyless)',
      env: { IMAGE: app.repository, RUNTIME_DIGEST: expr('steps.runtime.outputs.digest'), DEBUG_DIGEST: expr('steps.debug.outputs.digest') },
      run: script(['set -euo pipefail', 'cosign sign --yes "$IMAGE@$RUNTIME_DIGEST"', 'cosign sign --yes "$IMAGE@$DEBUG_DIGEST"']),
      comment: 'Signed by digest with the workflow\'s own OIDC identity (no key to keep); the signature goes to the registry, the entry to Rekor.',
    },
    pinDigests(app),
    {
      name: 'Upload the pinned manifests',
      uses: ACTIONS.uploadArtifact,
      with: { 'name': `manifests-${app.name}`, 'path': `${expr('runner.temp')}/manifests/${app.name}`, 'if-no-files-found': 'error' },
    },
  ];
  return {
    'name': `release ${app.name}: signed, attested, pinned images`,
    'if': `github.event_name == 'push' && (github.ref == 'refs/heads/${app.releaseBranch}' || startsWith(github.ref, 'refs/tags/${CI_DEFAULTS.releaseTags.replace(/\*$/, '')}'))`,
    'runs-on': GITHUB_RUNNER,
    'timeout-minutes': 90,
    // id-token: the keyless signature's identity; packages: pushing to ghcr.io with GITHUB_TOKEN
    'permissions': { 'contents': 'read', 'id-token': 'write', ...(ghcr ? { packages: 'write' } : {}) },
    'steps': steps,
  };
}

function header(apps: readonly CiAppModel[]): string {
  const registries = [...new Set(apps.map((a) => a.registry))];
  const others = registries.filter((r) => r !== GHCR);
  return [
    ` CI of ${apps.map((a) => a.name).join(', ')}, from the ci settings of the definition (.projenrc.ts).`,
    ' Pull requests (check-<app>): the project\'s tests, both images built (not pushed) with the Actions',
    ' cache, and create-msb-app verify (the production contract) where the project has one App.',
    ` Pushes to the release branch and ${CI_DEFAULTS.releaseTags} tags (release-<app>): the base images' signatures verified,`,
    ' both images built for the App\'s platforms with SBOM and provenance attestations, pushed, signed',
    ' with cosign keyless, and the manifests rendered with the pushed digests (artifact manifests-<app>).',
    ` Registry credentials: ${[
      ...(registries.includes(GHCR) ? ['ghcr.io uses the workflow\'s GITHUB_TOKEN (packages: write)'] : []),
      ...(others.length > 0 ? [`${others.join(', ')} use the secrets ${REGISTRY_SECRETS.username} and ${REGISTRY_SECRETS.password}`] : []),
    ].join('; ')}.`,
    ' Every action is pinned to a full commit; its version is in the comment after it.',
  ].join('\n');
}

function render(apps: readonly CiAppModel[], marker: string): string {
  const branches = [...new Set(apps.map((a) => a.releaseBranch))];
  const jobs: Record<string, Job> = {};
  for (const app of apps) {
    jobs[`check-${app.name}`] = checkJob(app);
    jobs[`release-${app.name}`] = releaseJob(app);
  }
  const strip = (s: Step) => {
    const { comment: _c, uses: action, name, id, ...rest } = s;
    return { name, ...(id ? { id } : {}), ...(action ? { uses: uses(action) } : {}), ...rest };
  };
  const workflow = {
    name: 'msb-ci',
    on: { pull_request: {}, push: { branches, tags: [CI_DEFAULTS.releaseTags] } },
    permissions: {},
    concurrency: { 'group': `${expr('github.workflow')}-${expr('github.ref')}`, 'cancel-in-progress': expr("github.event_name == 'pull_request'") },
    jobs: Object.fromEntries(Object.entries(jobs).map(([id, job]) => [id, { ...job, steps: job.steps.map(strip) }])),
  };
  const doc = new Document(workflow);
  doc.commentBefore = ` ${marker}\n${header(apps)}`;
  // comments: the version after each pinned action, the explanations above their steps
  for (const [id, job] of Object.entries(jobs)) {
    job.steps.forEach((s, i) => {
      if (s.uses) (doc.getIn(['jobs', id, 'steps', i, 'uses'], true) as { comment?: string }).comment = ` ${s.uses.version}`;
      if (s.comment) (doc.getIn(['jobs', id, 'steps', i], true) as { commentBefore?: string }).commentBefore = s.comment.split('\n').map((l) => ` ${l}`).join('\n');
    });
  }
  return doc.toString({ lineWidth: 0 });
}

export const githubActions: CiProvider = {
  name: 'github',
  title: 'GitHub Actions',
  path: GITHUB_WORKFLOW_PATH,
  // Node.js in every job (the tooling), the others from the setup table
  toolchains: ['node', ...(Object.keys(TOOLCHAIN_SETUP) as CiToolchain[])],
  render,
};
