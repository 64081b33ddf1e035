import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ManifestObject, WorkloadModel } from './workload';
import { Deployment } from '../models';
import { renderContainer, scratchVolumes } from './container';
import { metadata, nonEmpty } from './metadata';

/**
 * The Deployment: a rolling update that never lowers the ready pods, no fixed replica count when
 * the HorizontalPodAutoscaler owns it, and the app's pod.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
 */
export function renderDeployment(m: WorkloadModel): ManifestObject {
  return new Deployment({
    metadata: metadata(m),
    spec: {
      replicas: m.autoscaling ? undefined : m.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...m.selectorLabels } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...m.labels }, annotations: nonEmpty({ ...m.podAnnotations }) },
        spec: renderPodSpec(m),
      },
    },
  }).toJSON();
}

/**
 * The pod: its ServiceAccount without a token, non-root with the RuntimeDefault seccomp profile,
 * spread over the topology keys, scheduled by the node selector, tolerations and priority class,
 * with the app's container and its emptyDir volumes.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
function renderPodSpec(m: WorkloadModel): IPodSpec {
  return {
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
    containers: [renderContainer(m)],
    // The root filesystem is read-only; Node.js and many libraries still need a writable /tmp.
    volumes: scratchVolumes(m).map(({ name, sizeLimit }) => ({ name, emptyDir: { sizeLimit } })),
  };
}
