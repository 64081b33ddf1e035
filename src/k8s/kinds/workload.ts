/** What every kind's renderer reads: the workload resolved from the App's definition, and the object it returns. */
import type { IToleration } from 'kubernetes-models/v1/Toleration';

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
