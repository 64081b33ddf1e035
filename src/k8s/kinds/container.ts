/**
 * The app's container in the pod: image, port, env, resources, probes, preStop hook, a locked-down
 * security context and the writable emptyDir mounts over a read-only root filesystem.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { WorkloadModel } from './workload';

/** An emptyDir the app may write to: mounted by the container, declared by the pod. */
export interface ScratchVolume {
  readonly name: string;
  readonly mountPath: string;
  readonly sizeLimit: string;
}

/**
 * The writable folders: /tmp (Node.js and many libraries still need one), then the app's own.
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
 */
export function scratchVolumes(m: WorkloadModel): ScratchVolume[] {
  return [
    { name: 'tmp', mountPath: '/tmp', sizeLimit: '64Mi' },
    ...m.writablePaths.map((p, i) => ({ name: `writable-${i}`, mountPath: p, sizeLimit: '256Mi' })),
  ];
}

/**
 * The app's container.
 * @see https://kubernetes.io/docs/concepts/containers/
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
 */
export function renderContainer(m: WorkloadModel): IContainer {
  return {
    name: m.name,
    image: m.image,
    imagePullPolicy: m.imagePullPolicy,
    ports: [{ name: m.portName, containerPort: m.port, protocol: 'TCP' }],
    env: envVars(m),
    envFrom: envFrom(m),
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
    volumeMounts: scratchVolumes(m).map(({ name, mountPath }) => ({ name, mountPath })),
  };
}

/**
 * An HTTP probe on the health-check path, or a TCP probe without one, on the named port.
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
 */
function probe(m: WorkloadModel, overrides: Partial<IProbe>): IProbe {
  const handler = m.healthCheckPath
    ? { httpGet: { path: m.healthCheckPath, port: m.portName } }
    : { tcpSocket: { port: m.portName } };
  return { ...handler, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, ...overrides };
}

/**
 * Literal values first, then references (names of Secrets and keys, never their values).
 * @see https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
 */
function envVars(m: WorkloadModel): IEnvVar[] | undefined {
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

/**
 * Whole ConfigMaps and Secrets as env, by name.
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#configure-all-key-value-pairs-in-a-configmap-as-container-environment-variables
 */
function envFrom(m: WorkloadModel): IEnvFromSource[] | undefined {
  return m.envFrom.length > 0
    ? m.envFrom.map((e) => ('secret' in e
      ? { secretRef: { name: e.secret, optional: e.optional } }
      : { configMapRef: { name: e.configMap, optional: e.optional } }))
    : undefined;
}
