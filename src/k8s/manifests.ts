/**
 * Pure rendering of the Kubernetes objects from the resolved model. Objects are typed
 * (kubernetes-models) and validated against the Kubernetes schema; never text templates.
 */
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
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

/** Everything the manifests need, resolved from the App's definition. */
export interface WorkloadModel {
  readonly name: string;
  readonly namespace?: string;
  /** `app.kubernetes.io/*` labels on every object. */
  readonly labels: Record<string, string>;
  /** The subset of labels used as selector (immutable on a Deployment). */
  readonly selectorLabels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  /** `repo:tag`, or `repo:tag@sha256:...` when pinned. */
  readonly image: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent';
  readonly port: number;
  readonly portName: string;
  readonly servicePort: number;
  readonly serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** HTTP path for probes, or undefined for tcpSocket probes. */
  readonly healthCheckPath?: string;
  readonly replicas: number;
  readonly uid: number;
  readonly gid: number;
  readonly resources: { requests: Record<string, string>; limits: Record<string, string> };
  readonly env: Record<string, string>;
  /** Whole ConfigMaps/Secrets as env (names only: never a value). */
  readonly envFrom: ({ configMap: string; optional?: boolean } | { secret: string; optional?: boolean })[];
  /** Single variables from a key of a Secret or ConfigMap. */
  readonly envValueFrom: Record<string, { secret: string; key: string } | { configMap: string; key: string }>;
  readonly startupProbe: { periodSeconds: number; failureThreshold: number };
  /** 0: no preStop hook. */
  readonly preStopSleepSeconds: number;
  /** Absolute folders the app writes besides /tmp (emptyDir volumes). */
  readonly writablePaths: readonly string[];
  readonly terminationGracePeriodSeconds: number;
  /** Topology keys to spread over; empty for none. */
  readonly topologySpreadKeys: string[];
  readonly podDisruptionBudget: boolean;
  readonly autoscaling?: { minReplicas: number; maxReplicas: number; targetCpuUtilization: number };
  readonly networkPolicy?: { allowFromNamespaces: string[]; allowFromPodLabels: Record<string, string>[] };
  readonly ingress?: { host: string; path: string; className?: string; tlsSecretName?: string; annotations: Record<string, string> };
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: IToleration[];
  readonly priorityClassName?: string;
}

/** A plain object for one manifest (JSON-serializable). */
export type ManifestObject = Record<string, any>;

function nonEmpty<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

function metadata(m: WorkloadModel, extra: { annotations?: Record<string, string> } = {}) {
  return {
    name: m.name,
    namespace: m.namespace,
    labels: { ...m.labels },
    annotations: nonEmpty({ ...m.annotations, ...(extra.annotations ?? {}) }),
  };
}

function probe(m: WorkloadModel, overrides: Partial<IProbe>): IProbe {
  const handler = m.healthCheckPath
    ? { httpGet: { path: m.healthCheckPath, port: m.portName } }
    : { tcpSocket: { port: m.portName } };
  return { ...handler, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, ...overrides };
}

/** Literal values first, then references (names of Secrets and keys, never their values). */
function envVars(m: WorkloadModel) {
  const out = [
    ...Object.entries(m.env).map(([name, value]) => ({ name, value })),
    ...Object.entries(m.envValueFrom).map(([name, src]) => ({
      name,
      valueFrom: 'secret' in src
        ? { secretKeyRef: { name: src.secret, key: src.key } }
        : { configMapKeyRef: { name: src.configMap, key: src.key } },
    })),
  ];
  return out.length > 0 ? out : undefined;
}

/** Renders the objects of `k8s/base`, keyed by kind; only the kinds the model asks for. */
export function renderManifests(m: WorkloadModel): Partial<Record<ManifestKind, ManifestObject>> {
  const out: Partial<Record<ManifestKind, ManifestObject>> = {};

  out.ServiceAccount = new ServiceAccount({
    metadata: metadata(m),
    // The app does not call the Kubernetes API: no token in the pod.
    automountServiceAccountToken: false,
  }).toJSON();

  out.Deployment = new Deployment({
    metadata: metadata(m),
    spec: {
      replicas: m.autoscaling ? undefined : m.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...m.selectorLabels } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...m.labels }, annotations: nonEmpty({ ...m.podAnnotations }) },
        spec: {
          serviceAccountName: m.name,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: m.uid,
            runAsGroup: m.gid,
            fsGroup: m.gid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          terminationGracePeriodSeconds: m.terminationGracePeriodSeconds,
          // Spread over nodes and zones when more than one pod may run; never blocks scheduling.
          topologySpreadConstraints: m.topologySpreadKeys.length > 0
            ? m.topologySpreadKeys.map((topologyKey) => ({
              maxSkew: 1,
              topologyKey,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: { ...m.selectorLabels } },
            }))
            : undefined,
          nodeSelector: nonEmpty({ ...m.nodeSelector }),
          tolerations: m.tolerations.length > 0 ? m.tolerations.map((t) => ({ ...t })) : undefined,
          priorityClassName: m.priorityClassName,
          containers: [
            {
              name: m.name,
              image: m.image,
              imagePullPolicy: m.imagePullPolicy,
              ports: [{ name: m.portName, containerPort: m.port, protocol: 'TCP' }],
              env: envVars(m),
              envFrom: m.envFrom.length > 0
                ? m.envFrom.map((e) => ('secret' in e
                  ? { secretRef: { name: e.secret, optional: e.optional } }
                  : { configMapRef: { name: e.configMap, optional: e.optional } }))
                : undefined,
              resources: { requests: { ...m.resources.requests }, limits: { ...m.resources.limits } },
              // Liveness and readiness start once the startup probe passed (its budget: period x threshold).
              startupProbe: probe(m, { periodSeconds: m.startupProbe.periodSeconds, failureThreshold: m.startupProbe.failureThreshold }),
              readinessProbe: probe(m, { initialDelaySeconds: 2 }),
              livenessProbe: probe(m, { initialDelaySeconds: 10, periodSeconds: 20 }),
              lifecycle: m.preStopSleepSeconds > 0 ? { preStop: { sleep: { seconds: m.preStopSleepSeconds } } } : undefined,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: m.uid,
                runAsGroup: m.gid,
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...m.writablePaths.map((p, i) => ({ name: `writable-${i}`, mountPath: p }))],
            },
          ],
          // The root filesystem is read-only; Node.js and many libraries still need a writable /tmp.
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, ...m.writablePaths.map((_p, i) => ({ name: `writable-${i}`, emptyDir: { sizeLimit: '256Mi' } }))],
        },
      },
    },
  }).toJSON();

  out.Service = new Service({
    metadata: metadata(m),
    spec: {
      type: m.serviceType,
      selector: { ...m.selectorLabels },
      ports: [{ name: m.portName, port: m.servicePort, targetPort: m.portName, protocol: 'TCP' }],
    },
  }).toJSON();

  const minAvailablePods = m.autoscaling ? m.autoscaling.minReplicas : m.replicas;
  if (m.podDisruptionBudget && minAvailablePods > 1) {
    out.PodDisruptionBudget = new PodDisruptionBudget({
      metadata: metadata(m),
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...m.selectorLabels } } },
    }).toJSON();
  }

  if (m.autoscaling) {
    out.HorizontalPodAutoscaler = new HorizontalPodAutoscaler({
      metadata: metadata(m),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: m.name },
        minReplicas: m.autoscaling.minReplicas,
        maxReplicas: m.autoscaling.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: m.autoscaling.targetCpuUtilization } },
          },
        ],
      },
    }).toJSON();
  }

  if (m.networkPolicy) {
    // The same namespace (all its pods, or the listed label sets), plus every pod of the listed namespaces.
    const sameNamespace = m.networkPolicy.allowFromPodLabels.length > 0
      ? m.networkPolicy.allowFromPodLabels.map((labels) => ({ podSelector: { matchLabels: { ...labels } } }))
      : [{ podSelector: {} }];
    const from = [
      ...sameNamespace,
      ...m.networkPolicy.allowFromNamespaces.map((ns) => ({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      })),
    ];
    out.NetworkPolicy = new NetworkPolicy({
      metadata: metadata(m),
      spec: {
        podSelector: { matchLabels: { ...m.selectorLabels } },
        policyTypes: ['Ingress'],
        // Only the app port is open, and only to these sources.
        ingress: [
          {
            from,
            ports: [{ port: m.portName, protocol: 'TCP' }],
          },
        ],
      },
    }).toJSON();
  }

  if (m.ingress) {
    const ing = m.ingress;
    out.Ingress = new Ingress({
      metadata: metadata(m, { annotations: ing.annotations }),
      spec: {
        ingressClassName: ing.className,
        tls: ing.tlsSecretName ? [{ hosts: [ing.host], secretName: ing.tlsSecretName }] : undefined,
        rules: [
          {
            host: ing.host,
            http: {
              paths: [
                { path: ing.path, pathType: 'Prefix', backend: { service: { name: m.name, port: { name: m.portName } } } },
              ],
            },
          },
        ],
      },
    }).toJSON();
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

/** The base kustomization: every rendered file, in a stable order. */
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

/** A ConfigMap kustomize generates; paths relative to the base kustomization. */
export interface KustomizeConfigMapGenerator {
  readonly name: string;
  readonly files: readonly string[];
  readonly envFile?: string;
}

/** The debug overlay: the base with the debug image (pinned by digest when given), nothing else changed. */
export function renderDebugKustomization(imageRepository: string, debugTag: string, debugDigest?: string): ManifestObject {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['../../base'],
    images: [{ name: imageRepository, newTag: debugTag, ...(debugDigest ? { digest: debugDigest } : {}) }],
  };
}
