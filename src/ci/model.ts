/**
 * An App's CI settings, resolved (`ci` of the App props, the model, the family's CI data) into plain
 * data every CI provider renders from, and validated: the platforms against the distroless line's,
 * the repository the workflow pushes to, the static family's prebuilt binary.
 */
import type { CiOptions } from '../contract/app-props';
import type { CiToolchain, FamilyCi, RuntimeFamily } from '../contract/family';
import { type AppModel, fromReference } from '../contract/model';
import { KUBERNETES_PATHS } from '../contract/record';
import * as v from '../validation';

/** The CI defaults (written once). */
export const CI_DEFAULTS = {
  /** Platforms of a release when the definition names none (each filtered by what the line publishes). */
  platforms: ['linux/amd64', 'linux/arm64'],
  releaseBranch: 'main',
  /** Git tags that release too (a glob of the CI services' trigger filters). */
  releaseTags: 'v*',
} as const;

/** Who signs a base image, and how a signature of theirs is verified (cosign keyless). */
export interface BaseImageSigner {
  /** Image references that start with this are theirs. */
  readonly prefix: string;
  readonly who: string;
  readonly certificateIdentity: string;
  readonly certificateOidcIssuer: string;
}

/**
 * The signers whose base images a release verifies. Docker Hub's official images (the builders)
 * carry no cosign signature, so they are not in this table.
 * @see https://github.com/GoogleContainerTools/distroless#how-do-i-verify-distroless-images
 */
export const BASE_IMAGE_SIGNERS: readonly BaseImageSigner[] = [{
  prefix: 'gcr.io/distroless/',
  who: 'distroless',
  certificateIdentity: 'keyless@distroless.iam.gserviceaccount.com',
  certificateOidcIssuer: 'https://accounts.google.com',
}];

/** A base image of the build and whether its signature is verified. */
export interface CiBaseImage {
  readonly role: 'builder' | 'runtime' | 'debug';
  readonly ref: string;
  /** Its signer, or undefined with the reason it is not verified. */
  readonly signer?: BaseImageSigner;
  readonly unverified?: string;
}

/** What every CI provider renders for one App. */
export interface CiAppModel {
  readonly provider: string;
  readonly name: string;
  /** The App's folder from the repository root (`.` for the project's one App). */
  readonly folder: string;
  /** Dockerfiles from the repository root (the build context). */
  readonly dockerfile: string;
  readonly debugDockerfile: string;
  readonly repository: string;
  /** Registry host to log in to (`docker.io` for a Docker Hub repository). */
  readonly registry: string;
  readonly tag: string;
  readonly debugTag: string;
  readonly platforms: readonly string[];
  readonly releaseBranch: string;
  readonly baseImages: readonly CiBaseImage[];
  readonly prepare: readonly string[];
  /** The family's toolchains, install and tests, with `ci.test` in place of the family's tests when given. */
  readonly family: FamilyCi;
  /** The kustomize folders the release pins: the base and the debug overlay, from the repository root. */
  readonly base: string;
  readonly debugOverlay: string;
  /** `create-msb-app verify` runs (the project's one App; verify does not check workspace Apps yet). */
  readonly verify: boolean;
}

/** The registry host of a repository: its first part when it names a host, else Docker Hub. */
export function registryOf(repository: string): string {
  const first = repository.split('/')[0];
  return repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

function options(model: AppModel): Partial<CiOptions> | undefined {
  const ci = model.definition.ci as unknown;
  return ci && typeof ci === 'object' ? (ci as Partial<CiOptions>) : undefined;
}

/** The platforms a release builds: the definition's, else the defaults the line publishes (one for a prebuilt binary). */
function platformsOf(model: AppModel, familyCi: FamilyCi): string[] {
  const own = options(model)?.platforms;
  if (Array.isArray(own)) return own.map(String);
  const published = CI_DEFAULTS.platforms.filter((p) => model.runtime.platforms.includes(p));
  return familyCi.prebuilt ? published.slice(0, 1) : published;
}

function baseImagesOf(model: AppModel): CiBaseImage[] {
  const { builder, runtime, debug } = model.baseImages;
  // what the FROM lines name: with a base-image lock, the pinned digests are what is verified
  const images = [
    ...(builder ? [{ role: 'builder' as const, ref: fromReference(builder) }] : []),
    { role: 'runtime' as const, ref: fromReference(runtime) },
    { role: 'debug' as const, ref: fromReference(debug) },
  ];
  return images.map((img) => {
    const signer = BASE_IMAGE_SIGNERS.find((s) => img.ref.startsWith(s.prefix));
    if (signer) return { ...img, signer };
    const official = /^(docker\.io\/)?library\//.test(img.ref);
    return { ...img, unverified: official ? 'a Docker Official Image: it carries no cosign signature to verify' : 'not a gcr.io/distroless image (a mirror or an override): verify it where it is copied' };
  });
}

/** The App's CI model; undefined when `ci` is off. `appPath` is the App's folder in a workspace. */
export function resolveCi(model: AppModel, family: RuntimeFamily, facts: unknown, appPath?: string): CiAppModel | undefined {
  const o = options(model);
  if (!o) return undefined;
  const familyCi = family.ci(model, facts);
  const prefix = appPath ? `${appPath}/` : '';
  const strings = (x: unknown) => (Array.isArray(x) ? x.map(String) : []);
  return {
    provider: String(o.provider),
    name: model.name,
    folder: appPath ?? '.',
    dockerfile: `${prefix}Dockerfile`,
    debugDockerfile: `${prefix}Dockerfile.debug`,
    repository: model.image.repository,
    registry: registryOf(model.image.repository),
    tag: model.image.tag,
    debugTag: model.image.debugTag,
    platforms: platformsOf(model, familyCi),
    releaseBranch: typeof o.releaseBranch === 'string' ? o.releaseBranch : CI_DEFAULTS.releaseBranch,
    baseImages: baseImagesOf(model),
    prepare: strings(o.prepare),
    family: Array.isArray(o.test) ? { ...familyCi, test: strings(o.test), note: undefined } : familyCi,
    base: `${prefix}${KUBERNETES_PATHS.base}`,
    debugOverlay: `${prefix}${KUBERNETES_PATHS.debugOverlay}`,
    verify: appPath === undefined,
  };
}

const BRANCH = /^(?!\/|.*\/\/|.*\/$|.*\.\.|.*\.lock$|.*@\{)[A-Za-z0-9._/-]{1,200}$/;

/** The platform check: every platform one the line publishes, each once, at least one. */
export function checkPlatforms(platforms: unknown, published: readonly string[], runtimeImage: string, p: v.Problems): void {
  const valid = `platforms ${runtimeImage.replace(/[:@].*$/, '')} publishes: ${published.map((x) => `"${x}"`).join(', ')}`;
  if (!Array.isArray(platforms) || platforms.length === 0) {
    p.add('ci.platforms', platforms, `a non-empty list of ${valid}`);
    return;
  }
  platforms.forEach((x, i) => {
    if (!published.includes(x as string)) p.add('ci.platforms', x, `one of the ${valid}`);
    else if (platforms.indexOf(x) !== i) p.add('ci.platforms', x, 'each platform once');
  });
}

/**
 * Every problem of `ci`: the provider, the platforms (only those the distroless line publishes), the
 * release branch, the commands, a repository the workflow can push to, and the static family's
 * prebuilt binary (built by `ci.prepare`, for one platform).
 */
export function validateCi(model: AppModel, ci: CiAppModel | undefined, providers: readonly string[], p: v.Problems): void {
  const raw = model.definition.ci as unknown;
  if (raw === undefined) return;
  if (!ci || typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    p.add('ci', raw, `an object such as { provider: "${providers[0]}" }, or nothing`);
    return;
  }
  const o = raw as Partial<CiOptions>;
  p.check(providers.includes(o.provider as string), 'ci.provider', o.provider, `one of ${providers.map((x) => `"${x}"`).join(', ')}`);
  for (const key of Object.keys(o)) {
    if (!['provider', 'platforms', 'releaseBranch', 'prepare', 'test'].includes(key)) p.add(`ci.${key}`, (o as Record<string, unknown>)[key], 'one of the ci settings: provider, platforms, releaseBranch, prepare, test');
  }
  if (o.platforms !== undefined) checkPlatforms(o.platforms, model.runtime.platforms, model.runtime.images.runtime, p);
  if (o.releaseBranch !== undefined) p.check(typeof o.releaseBranch === 'string' && BRANCH.test(o.releaseBranch), 'ci.releaseBranch', o.releaseBranch, 'a git branch name (letters, digits, ".", "_", "-", "/"), e.g. "main"');
  for (const key of ['prepare', 'test'] as const) {
    const list = o[key];
    if (list === undefined) continue;
    const ok = Array.isArray(list) && list.every((c) => typeof c === 'string' && c.trim() !== '' && !/[\0\r]/.test(c));
    p.check(ok, `ci.${key}`, list, 'a list of shell commands (non-empty strings)');
  }
  p.check(model.image.repository.includes('/'), 'image.repository', model.image.repository,
    `a repository the workflow can push to, with a registry host or a Docker Hub namespace (e.g. "ghcr.io/acme/${model.name}"), since ci is on`);
  const prebuilt = ci.family.prebuilt;
  if (prebuilt) {
    p.check(ci.prepare.length > 0, 'ci.prepare', o.prepare,
      `commands that build ${prebuilt} before the image build (the ${model.family} family copies a prebuilt binary), e.g. ["CGO_ENABLED=0 go build -trimpath -o ${prebuilt} ."]`);
    p.check(ci.platforms.length <= 1, 'ci.platforms', o.platforms,
      `one platform: ${prebuilt} is a prebuilt binary of one platform (build one image per platform, or use the go family, which builds in the image)`);
  }
}

/** A CI service the workflow can be generated for. */
export interface CiProvider {
  /** The `ci.provider` value that selects it. */
  readonly name: string;
  /** The service's name, for docs and comments. */
  readonly title: string;
  /** The workflow file, relative to the repository root. */
  readonly path: string;
  /**
   * The toolchains its jobs set up, read from the provider's own setup table: every toolchain a
   * family's `ci` names ({@link FamilyCi.toolchains}) must be among them
   * (test/core/family-registration.test.ts checks every family against every provider).
   */
  readonly toolchains: readonly CiToolchain[];
  /** The workflow for every App of the project that names this provider, with the marker line first. */
  render(apps: readonly CiAppModel[], marker: string): string;
}
