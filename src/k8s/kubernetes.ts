/**
 * The Kubernetes component: k8s/base (the kinds the definition turns on, plus kustomization.yaml)
 * and k8s/overlays/debug, rendered from the model, with the patches and overrides of
 * {@link KubernetesManifests} applied, then checked against the Kubernetes schema and the Pod
 * Security Standards "restricted" profile.
 */
import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { stringify } from 'yaml';
import type { AppModel } from '../contract/model';
import { KUBERNETES_PATHS } from '../contract/record';
import { GenerationGuard } from '../edit-guard';
import { GeneratedTextFile } from '../generated-file';
import { type Problems, normalizePath } from '../validation';
import {
  MANIFEST_FILES,
  KustomizeConfigMapGenerator,
  ManifestKind,
  ManifestObject,
  WorkloadModel,
  renderBaseKustomization,
  renderDebugKustomization,
  renderManifests,
  schemaError,
} from './manifests';
import { KubernetesManifests } from './patches';
import { podSecurityViolations } from './pod-security';


/** Props of {@link Kubernetes}. */
export interface KubernetesProps {
  /** The model at construction: which kinds are on depends on the props alone. */
  readonly model: AppModel;
  /** Validates the whole App (once per synthesis) before any output is read. */
  readonly ensureChecked: () => void;
  /** Template sources that shaped a file (for the generation record). */
  readonly provenance: (template?: string) => string[];
  /** The App's folder in a workspace, e.g. `apps/web`: the manifests go under `apps/web/k8s/`. @default - the project root */
  readonly appPath?: string;
}

/** The Kubernetes outputs; `addPatch` / `addOverride` change the objects before they are checked and written. */
export class Kubernetes extends KubernetesManifests {
  private rendered?: Record<string, string>;
  private objects?: Partial<Record<ManifestKind, ManifestObject>>;
  /** The folder of the base (`k8s/base`, or `<path>/k8s/base` in a workspace). */
  readonly basePath: string;
  /** The folder of the debug overlay. */
  readonly debugOverlayPath: string;

  constructor(scope: IConstruct, props: KubernetesProps) {
    super(scope);
    const prefix = props.appPath ? `${props.appPath}/` : '';
    this.basePath = `${prefix}${KUBERNETES_PATHS.base}`;
    this.debugOverlayPath = `${prefix}${KUBERNETES_PATHS.debugOverlay}`;
    const guard = GenerationGuard.of(this.project);
    // Only the kinds the definition turns on become files: a user's own file at the path of a kind
    // that is off is never touched, and a file written earlier for a kind now off is an orphan that
    // projen removes (the guard protects hand edits).
    const kinds = Object.keys(renderManifests(workloadModel(props.model))) as ManifestKind[];
    const paths = [
      ...kinds.map((kind) => `${this.basePath}/${MANIFEST_FILES[kind]}`),
      `${this.basePath}/kustomization.yaml`,
      `${this.debugOverlayPath}/kustomization.yaml`,
    ];
    for (const file of paths) {
      const f = new GeneratedTextFile(this, file, (marker) => {
        props.ensureChecked();
        const text = this.rendered?.[file];
        return text === undefined ? undefined : `# ${marker}\n${text}`;
      });
      guard.track(f, () => props.provenance());
    }
  }

  /** Renders the objects from the model, applies patches, and adds every schema or PSS problem to `p`. */
  render(model: AppModel, p: Problems): void {
    const manifests = renderManifests(workloadModel(model));
    for (const kind of Object.keys(manifests) as ManifestKind[]) {
      const obj = this.apply(kind, manifests[kind]!);
      manifests[kind] = obj;
      const err = schemaError(kind, obj);
      if (err) p.add(`kubernetes ${kind} (${this.basePath}/${MANIFEST_FILES[kind]})`, '(rendered object)', `an object valid against the Kubernetes schema: ${err}`);
    }
    const pod = manifests.Deployment?.spec?.template?.spec;
    if (pod && !model.kubernetes.allowPodSecurityViolations) {
      for (const violation of podSecurityViolations(pod, manifests.Deployment?.spec?.template?.metadata?.annotations ?? {})) {
        p.add('kubernetes Deployment pod', violation, 'the Pod Security Standards "restricted" profile (set kubernetes.allowPodSecurityViolations: true to opt out, visibly)');
      }
    }
    const out: Record<string, string> = {};
    for (const kind of Object.keys(manifests) as ManifestKind[]) out[`${this.basePath}/${MANIFEST_FILES[kind]}`] = yaml(manifests[kind]!);
    out[`${this.basePath}/kustomization.yaml`] = yaml(renderBaseKustomization(Object.keys(manifests) as ManifestKind[], model.kubernetes.namespace, generator(model)));
    out[`${this.debugOverlayPath}/kustomization.yaml`] = yaml(renderDebugKustomization(model.image.repository, model.image.debugTag, model.image.debugDigest));
    this.rendered = out;
    this.objects = manifests;
  }

  /**
   * An object as rendered (patches and overrides applied, checked), e.g. the Deployment the compose
   * file of the local dev loop reads the pod's settings from; undefined before the App's check and
   * for a kind the definition does not turn on.
   */
  renderedObject(kind: ManifestKind): ManifestObject | undefined {
    return this.objects?.[kind];
  }
}

/** The configMapGenerator with paths relative to k8s/base (validation keeps them inside it). */
function generator(model: AppModel): KustomizeConfigMapGenerator | undefined {
  const g = model.kubernetes.configMapGenerator;
  if (!g) return undefined;
  const rel = (f: string) => path.posix.relative(KUBERNETES_PATHS.base, normalizePath(f));
  return { name: g.name, files: (g.files ?? []).map(rel), envFile: g.envFile === undefined ? undefined : rel(g.envFile) };
}

/** The Deployment's image: `repo:tag`, with `@sha256:...` when pinned (the tag stays for people reading it). */
export function imageReference(image: AppModel['image']): string {
  return `${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ''}`;
}

function yaml(obj: ManifestObject): string {
  return stringify(obj, { lineWidth: 0 });
}

/** The workload the manifests describe, from the model. */
export function workloadModel(model: AppModel): WorkloadModel {
  const k = model.kubernetes;
  const selectorLabels = { 'app.kubernetes.io/name': model.name, 'app.kubernetes.io/instance': model.name };
  return {
    name: model.name,
    namespace: k.namespace,
    labels: {
      ...k.labels,
      ...selectorLabels,
      'app.kubernetes.io/version': model.image.tag,
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/managed-by': 'create-msb-app',
    },
    selectorLabels,
    annotations: { ...k.annotations },
    podAnnotations: { ...k.podAnnotations },
    image: imageReference(model.image),
    imagePullPolicy: model.image.pullPolicy,
    port: model.port,
    portName: 'http',
    servicePort: k.servicePort,
    serviceType: k.serviceType,
    healthCheckPath: model.healthCheckPath,
    replicas: k.replicas,
    uid: model.runtime.uid,
    gid: model.runtime.gid,
    resources: {
      requests: { cpu: k.resources.cpuRequest, memory: k.resources.memoryRequest },
      limits: { memory: k.resources.memoryLimit, ...(k.resources.cpuLimit ? { cpu: k.resources.cpuLimit } : {}) },
    },
    env: { ...k.env },
    envFrom: k.envFrom.map((e) => ({ ...e })),
    envValueFrom: Object.fromEntries(Object.entries(k.envValueFrom).map(([n, e]) => [n, { ...e }])),
    startupProbe: { ...k.startupProbe },
    preStopSleepSeconds: k.preStopSleepSeconds,
    writablePaths: (model.runtime.writablePaths ?? []).map((p) => `${model.workdir}/${p}`),
    terminationGracePeriodSeconds: k.terminationGracePeriodSeconds,
    topologySpreadKeys: [...k.topologySpreadKeys],
    podDisruptionBudget: k.podDisruptionBudget,
    autoscaling: k.autoscaling ? { ...k.autoscaling } : undefined,
    networkPolicy: k.networkPolicy
      ? { allowFromNamespaces: [...k.networkPolicy.allowFromNamespaces], allowFromPodLabels: [...k.networkPolicy.allowFromPodLabels] }
      : undefined,
    ingress: k.ingress ? { ...k.ingress, annotations: { ...k.ingress.annotations } } : undefined,
    nodeSelector: { ...k.nodeSelector },
    tolerations: [...k.tolerations] as WorkloadModel['tolerations'],
    priorityClassName: k.priorityClassName,
  };
}
