import type { ManifestObject, WorkloadModel } from './workload';
import { PodDisruptionBudget } from '../models';
import { metadata } from './metadata';

/**
 * The PodDisruptionBudget (maxUnavailable 1), when the model asks for one and more than one pod
 * runs at the least (the replicas, or the autoscaler's minimum); undefined otherwise.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export function renderPodDisruptionBudget(m: WorkloadModel): ManifestObject | undefined {
  const minAvailablePods = m.autoscaling ? m.autoscaling.minReplicas : m.replicas;
  if (!m.podDisruptionBudget || minAvailablePods <= 1) return undefined;
  return new PodDisruptionBudget({
    metadata: metadata(m),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...m.selectorLabels } } },
  }).toJSON();
}
