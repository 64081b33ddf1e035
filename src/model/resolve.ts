/**
 * Definition -> resolved model, in one pure function: org defaults under the project's own props,
 * the defaults table, then the family's resolution. Nothing is read from disk here (the family's
 * facts, e.g. package.json, are read before and passed in) and nothing throws: bad values fall back
 * to defaults and validation reports them from the model.
 */
import { composeSettings } from './compose';
import type { AppProps, BaseImageOptions } from '../contract/app-props';
import { DEFAULTS } from '../contract/defaults';
import type { RuntimeFamily } from '../contract/family';
import type { AppModel, BaseImage, KubernetesModel } from '../contract/model';
import { type OrgTemplateDefaults, deepMerge, orgBuildSteps } from '../org-template';
import { isImageTag } from '../validation';

/** The props after org defaults (under the project's own props) and their origin. */
export function mergeProps(props: AppProps, orgDefaults: OrgTemplateDefaults = {}): AppProps {
  const { buildSteps: _steps, familyBuildSteps: _familySteps, runtime, ...defaults } = orgDefaults;
  // The org's runtime settings apply to the family they name; a project of another family gets none.
  const familyOf = (r?: { family?: string }) => r?.family ?? DEFAULTS.family;
  const sameFamily = props.runtime === undefined || familyOf(props.runtime) === familyOf(runtime);
  return deepMerge({ ...defaults, ...(runtime && sameFamily ? { runtime } : {}) } as AppProps, props);
}

/** What the App reads about the project besides the family's facts; called only when needed. */
export interface ProjectFacts {
  /** The git short commit of the project's repository, if any (the image tag fallback). */
  readonly gitCommit?: () => string | undefined;
}

/** The image tag and where it came from: never `latest` unless the definition says so. */
export function imageTag(own: string | undefined, version: string | undefined, project: ProjectFacts): { tag: string; tagSource: AppModel['image']['tagSource'] } {
  if (own !== undefined) return { tag: own, tagSource: 'definition' };
  if (version !== undefined && isImageTag(version)) return { tag: version, tagSource: 'version' };
  const commit = project.gitCommit?.();
  if (commit) return { tag: `${DEFAULTS.gitTagPrefix}${commit}`, tagSource: 'git' };
  return { tag: DEFAULTS.imageTag, tagSource: 'fallback' };
}

/** Whether a tag is one of the moving tags (its content changes under the same name). */
export function isMovingTag(tag: string): boolean {
  return (DEFAULTS.movingTags as readonly string[]).includes(tag);
}

/** Resolves an App's definition into its model. */
export function resolve(
  props: AppProps, orgDefaults: OrgTemplateDefaults, family: RuntimeFamily, facts?: unknown, project: ProjectFacts = {},
): AppModel {
  const merged = mergeProps(props, orgDefaults);
  const name = merged.name ?? '';
  const workdir = normalizeWorkdir(merged.workdir ?? DEFAULTS.workdir);
  const runtime = family.resolve({ ...merged, workdir }, facts);
  const version = merged.version ?? runtime.metadata.version;
  const { tag, tagSource } = imageTag(merged.image?.tag, version, project);
  const digest = merged.image?.digest;
  const k8s = kubernetes(merged);
  const familyEnv = family.podEnv?.({ runtime, imageEnv: merged.env ?? {}, podEnv: k8s.env, memoryLimit: k8s.resources.memoryLimit }) ?? {};
  const source = merged.sourceUrl ?? runtime.metadata.sourceUrl;
  const port = merged.port ?? DEFAULTS.port;
  const compose = composeSettings(merged, port);
  // fromEntries defines own properties: a key such as "__proto__" stays a plain label
  const labels: Record<string, string> = Object.fromEntries([
    ['org.opencontainers.image.title', name],
    ...(version ? [['org.opencontainers.image.version', version]] : []),
    ...(source ? [['org.opencontainers.image.source', source]] : []),
    ...(runtime.metadata.description ? [['org.opencontainers.image.description', runtime.metadata.description]] : []),
    ...Object.entries(merged.labels ?? {}),
  ]);
  return {
    definition: merged,
    name,
    port,
    healthCheckPath: merged.healthCheckPath === false ? undefined : (merged.healthCheckPath ?? DEFAULTS.healthCheckPath),
    routes: Array.isArray(merged.routes) ? merged.routes.map(String) : [],
    workdir,
    family: family.name,
    runtime,
    baseImages: baseImages(runtime.images, runtime.debugTag, props.baseImages ?? {}, orgDefaults.baseImages ?? {}),
    image: {
      repository: merged.image?.repository ?? name,
      tag,
      debugTag: `${tag}${DEFAULTS.debugTagSuffix}`,
      tagSource,
      digest,
      debugDigest: merged.image?.debugDigest,
      pullPolicy: isMovingTag(tag) && digest === undefined ? 'Always' : 'IfNotPresent',
    },
    env: { ...(runtime.env ?? {}), ...(merged.env ?? {}) },
    orgEnv: Object.keys(orgDefaults.env ?? {}).filter((k) => props.env?.[k] === undefined),
    labels,
    // Org build steps run in the builder; a family without one has nothing to run them in.
    builderSteps: runtime.images.builder ? orgBuildSteps(orgDefaults, family.name) : [],
    buildSteps: [],
    copies: [...runtime.copies],
    kubernetes: { ...k8s, env: { ...k8s.env, ...familyEnv } },
    // only when on, so a definition without it resolves to what it always did
    ...(compose ? { compose } : {}),
    allowInsecureDockerfile: props.allowInsecureDockerfile === true,
    allowOrgBaseImages: props.allowOrgBaseImages === true,
  };
}

/** `//app/./x/` -> `/app/x`: how Docker reads it (validation then rejects the root). */
function normalizeWorkdir(workdir: unknown): string {
  if (typeof workdir !== 'string' || !workdir.startsWith('/')) return String(workdir);
  return `/${workdir.split('/').filter((x) => x !== '' && x !== '.').join('/')}`;
}

/** The catalog images with the mirror applied, then overrides (project first, then org). */
function baseImages(catalog: { builder?: string; runtime: string; debug: string }, debugTag: string, own: BaseImageOptions, org: BaseImageOptions): AppModel['baseImages'] {
  const mirror = own.mirror ?? org.mirror;
  const mirrored = (image: string) => {
    if (!mirror) return image;
    const [, ...rest] = image.split('/');
    return `${mirror}/${rest.join('/')}`;
  };
  const pick = (key: 'builder' | 'runtime' | 'debug', fallback: () => string): BaseImage => {
    if (own[key] !== undefined) return { ref: own[key]!, origin: 'project' };
    const catalogRef = fallback();
    // An org template that names the catalog image itself (or its mirror) replaces nothing.
    if (org[key] !== undefined) return { ref: org[key]!, origin: org[key] === catalogRef || org[key] === catalog[key] ? 'catalog' : 'org' };
    return { ref: catalogRef, origin: 'catalog' };
  };
  const runtime = pick('runtime', () => mirrored(catalog.runtime));
  // Same repository, debug tag; a digest pin has no debug counterpart to derive.
  const debug = pick('debug', () => (runtime.ref.includes('@') ? '' : `${runtime.ref.replace(/:[^:/]+$/, '')}:${debugTag}`));
  const builder = catalog.builder === undefined ? undefined : pick('builder', () => mirrored(catalog.builder!));
  return { builder, runtime, debug };
}

function kubernetes(props: AppProps): KubernetesModel {
  const k = props.kubernetes ?? {};
  const d = DEFAULTS.kubernetes;
  const r = k.resources ?? {};
  // Spread only when more than one pod may run.
  const mostPods = k.autoscaling ? (k.autoscaling.maxReplicas ?? d.autoscaling.maxReplicas) : (k.replicas ?? d.replicas);
  return {
    namespace: k.namespace,
    replicas: k.replicas ?? d.replicas,
    servicePort: k.servicePort ?? d.servicePort,
    serviceType: k.serviceType ?? d.serviceType,
    resources: {
      cpuRequest: r.cpuRequest ?? d.resources.cpuRequest,
      memoryRequest: r.memoryRequest ?? d.resources.memoryRequest,
      memoryLimit: r.memoryLimit ?? d.resources.memoryLimit,
      cpuLimit: r.cpuLimit,
    },
    env: { ...(k.env ?? {}) },
    podDisruptionBudget: k.podDisruptionBudget ?? d.podDisruptionBudget,
    autoscaling: k.autoscaling ? {
      minReplicas: k.autoscaling.minReplicas ?? d.autoscaling.minReplicas,
      maxReplicas: k.autoscaling.maxReplicas ?? d.autoscaling.maxReplicas,
      targetCpuUtilization: k.autoscaling.targetCpuUtilization ?? d.autoscaling.targetCpuUtilization,
    } : undefined,
    networkPolicy: k.networkPolicy === false || (k.networkPolicy === undefined && !d.networkPolicy)
      ? undefined
      : { allowFromNamespaces: k.networkPolicy?.allowFromNamespaces ?? [], allowFromPodLabels: k.networkPolicy?.allowFromPodLabels ?? [] },
    envFrom: Array.isArray(k.envFrom) ? k.envFrom.map((x) => ({ ...x })) : [],
    envValueFrom: Object.fromEntries(Object.entries(k.envValueFrom ?? {}).map(([n, x]) => [n, { ...x }])),
    configMapGenerator: k.configMapGenerator ? { ...k.configMapGenerator } : undefined,
    minVersion: k.minVersion ?? d.minVersion,
    startupProbe: {
      periodSeconds: d.startupProbe.periodSeconds,
      failureThreshold: startupThreshold(k.startupProbeBudgetSeconds ?? d.startupProbe.budgetSeconds, d.startupProbe.periodSeconds),
    },
    preStopSleepSeconds: k.preStopSleepSeconds ?? d.preStopSleepSeconds,
    terminationGracePeriodSeconds: k.terminationGracePeriodSeconds ?? d.terminationGracePeriodSeconds,
    topologySpreadKeys: mostPods > 1 ? [...d.topologySpreadKeys] : [],
    ingress: k.ingress ? {
      host: k.ingress.host,
      path: k.ingress.path ?? d.ingressPath,
      className: k.ingress.className,
      tlsSecretName: k.ingress.tlsSecretName,
      annotations: k.ingress.annotations ?? {},
    } : undefined,
    labels: { ...(k.labels ?? {}) },
    annotations: { ...(k.annotations ?? {}) },
    podAnnotations: { ...(k.podAnnotations ?? {}) },
    nodeSelector: { ...(k.nodeSelector ?? {}) },
    tolerations: Array.isArray(k.tolerations) ? [...k.tolerations] : [],
    priorityClassName: k.priorityClassName,
    allowPodSecurityViolations: k.allowPodSecurityViolations === true,
  };
}

/** Failures the startup probe allows so that period x threshold covers the budget (invalid budgets: validation reports them). */
function startupThreshold(budget: unknown, period: number): number {
  const n = Math.ceil(Number(budget) / period);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}
