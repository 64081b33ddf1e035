/**
 * Pure rendering of the Kubernetes objects from the resolved model, one renderer per kind in
 * `kinds/` (as cdk8s-plus has one construct per kind). Objects are typed (kubernetes-models) and
 * validated against the Kubernetes schema; never text templates.
 */
import { renderDeployment } from './kinds/deployment';
import { renderHorizontalPodAutoscaler } from './kinds/horizontal-pod-autoscaler';
import { renderIngress } from './kinds/ingress';
import { renderNetworkPolicy } from './kinds/network-policy';
import { renderPodDisruptionBudget } from './kinds/pod-disruption-budget';
import { renderService } from './kinds/service';
import { renderServiceAccount } from './kinds/service-account';
import type { ManifestObject, WorkloadModel } from './kinds/workload';
import {
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  NetworkPolicy,
  PodDisruptionBudget,
  Service,
  ServiceAccount,
} from './models';

/** The Kubernetes kinds the base can hold, keyed by the file they land in. */
export type { ManifestObject, WorkloadModel };

export const MANIFEST_FILES = {
  Deployment: 'deployment.yaml',
  Service: 'service.yaml',
  ServiceAccount: 'serviceaccount.yaml',
  PodDisruptionBudget: 'poddisruptionbudget.yaml',
  HorizontalPodAutoscaler: 'horizontalpodautoscaler.yaml',
  NetworkPolicy: 'networkpolicy.yaml',
  Ingress: 'ingress.yaml',
} as const;

/** A kind this package writes. */
export type ManifestKind = keyof typeof MANIFEST_FILES;

/**
 * One renderer per kind, each a pure function of the workload; undefined: the model turns the kind
 * off. The order here is the order of {@link renderManifests}' result (and of the files it names).
 */
const RENDERERS: Record<ManifestKind, (m: WorkloadModel) => ManifestObject | undefined> = {
  ServiceAccount: renderServiceAccount,
  Deployment: renderDeployment,
  Service: renderService,
  PodDisruptionBudget: renderPodDisruptionBudget,
  HorizontalPodAutoscaler: renderHorizontalPodAutoscaler,
  NetworkPolicy: renderNetworkPolicy,
  Ingress: renderIngress,
};

/** Renders the objects of `k8s/base`, keyed by kind; only the kinds the model asks for. */
export function renderManifests(m: WorkloadModel): Partial<Record<ManifestKind, ManifestObject>> {
  const out: Partial<Record<ManifestKind, ManifestObject>> = {};
  for (const kind of Object.keys(RENDERERS) as ManifestKind[]) {
    const obj = RENDERERS[kind](m);
    if (obj) out[kind] = obj;
  }
  return out;
}

const KIND_CLASSES: Record<ManifestKind, new (data: any) => { validate(): void }> = {
  Deployment,
  Service,
  ServiceAccount,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
  NetworkPolicy,
  Ingress,
};

/** Validates an object against the Kubernetes schema; returns the error message or undefined. */
export function schemaError(kind: ManifestKind, obj: ManifestObject): string | undefined {
  try {
    new KIND_CLASSES[kind](obj).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Removes `undefined` members so the YAML holds only what was set. */
export function prune<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/**
 * The base kustomization: every rendered file, in a stable order, and the ConfigMap kustomize
 * generates when the definition names one.
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
 */
export function renderBaseKustomization(kinds: ManifestKind[], namespace?: string, configMapGenerator?: KustomizeConfigMapGenerator): ManifestObject {
  const order = Object.keys(MANIFEST_FILES) as ManifestKind[];
  return prune({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace,
    resources: order.filter((k) => kinds.includes(k)).map((k) => MANIFEST_FILES[k]),
    configMapGenerator: configMapGenerator
      ? [{
        name: configMapGenerator.name,
        files: configMapGenerator.files.length > 0 ? [...configMapGenerator.files] : undefined,
        envs: configMapGenerator.envFile !== undefined ? [configMapGenerator.envFile] : undefined,
      }]
      : undefined,
  });
}

/**
 * A ConfigMap kustomize generates; paths relative to the base kustomization.
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/configmapgenerator/
 */
export interface KustomizeConfigMapGenerator {
  readonly name: string;
  readonly files: readonly string[];
  readonly envFile?: string;
}

/**
 * The debug overlay: the base with the debug image (pinned by digest when given), nothing else changed.
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/
 */
export function renderDebugKustomization(imageRepository: string, debugTag: string, debugDigest?: string): ManifestObject {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['../../base'],
    images: [{ name: imageRepository, newTag: debugTag, ...(debugDigest ? { digest: debugDigest } : {}) }],
  };
}
